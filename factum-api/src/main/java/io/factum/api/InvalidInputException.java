package io.factum.api;

/**
 * A request was malformed or broke a limit. The message names the field, the value and the rule;
 * nothing was changed.
 */
public final class InvalidInputException extends FactumException {
    private final String field;
    private final String rule;

    public InvalidInputException(String field, Object value, String rule) {
        super("invalid " + field + " " + quote(value) + ": " + rule);
        this.field = field;
        this.rule = rule;
    }

    public String field() {
        return field;
    }

    /** The rule the value broke, as given (the message also names the field and the value). */
    public String rule() {
        return rule;
    }

    private static String quote(Object value) {
        String text = String.valueOf(value);
        if (text.length() > 80) {
            text = text.substring(0, 77) + "...";
        }
        return value instanceof CharSequence ? "'" + text + "'" : text;
    }
}
