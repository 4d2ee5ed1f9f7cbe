package io.factum.api;

/**
 * A request was malformed or broke a limit. The message names the field, the value and the rule;
 * nothing was changed.
 */
public final class InvalidInputException extends FactumException {
    private final String field;

    public InvalidInputException(String field, Object value, String rule) {
        super("invalid " + field + " " + quote(value) + ": " + rule);
        this.field = field;
    }

    public String field() {
        return field;
    }

    private static String quote(Object value) {
        String text = String.valueOf(value);
        if (text.length() > 80) {
            text = text.substring(0, 77) + "...";
        }
        return value instanceof CharSequence ? "'" + text + "'" : text;
    }
}
