package io.factum.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them: {@code 90} (seconds), {@code 30s}, {@code 15m}, {@code 12h},
 * {@code 7d}, combinations such as {@code 1d12h}, or ISO-8601 ({@code PT36H}). Stream metadata
 * keeps whole seconds, so that is the finest unit.
 */
final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)([dhms])");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+[dhms])+");

    private Durations() {}

    /** @throws IllegalArgumentException naming the value and the accepted forms */
    static Duration parse(String text) {
        String value = text.strip();
        try {
            if (value.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(value));
            }
            if (value.startsWith("P") || value.startsWith("p")) {
                Duration duration = Duration.parse(value);
                if (duration.getNano() != 0) {
                    throw new IllegalArgumentException("'" + text + "' is not a whole number of seconds");
                }
                return duration;
            }
            if (WHOLE.matcher(value).matches()) {
                Duration total = Duration.ZERO;
                Matcher part = PART.matcher(value);
                while (part.find()) {
                    long amount = Long.parseLong(part.group(1));
                    total = total.plus(
                            switch (part.group(2)) {
                                case "d" -> Duration.ofDays(amount);
                                case "h" -> Duration.ofHours(amount);
                                case "m" -> Duration.ofMinutes(amount);
                                default -> Duration.ofSeconds(amount);
                            });
                }
                return total;
            }
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            // Reported below with the accepted forms.
        }
        throw new IllegalArgumentException(
                "'" + text + "' is not a duration (examples: 90, 30s, 15m, 12h, 7d, 1d12h, PT36H)");
    }

    /** The shortest of the forms {@link #parse} accepts, for example {@code 1d12h}. */
    static String format(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds == 0) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long[] units = {86_400, 3_600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (seconds >= units[i]) {
                text.append(seconds / units[i]).append(names[i]);
                seconds %= units[i];
            }
        }
        return text.toString();
    }
}
