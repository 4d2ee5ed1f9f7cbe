package io.factum.server.http;

import io.factum.api.ExpectedVersion;
import java.util.Optional;

/**
 * The expected version of a write, from {@code Factum-Expected-Version} ({@code any}, {@code
 * no-stream}, {@code stream-exists} or a version) or from KurrentDB's {@code ES-ExpectedVersion}
 * ({@code -2} any, {@code -1} no stream, {@code -4} stream exists, or a version). Both may be sent
 * if they agree; neither means {@code any}.
 */
final class ExpectedVersionHeaders {

    static final String FACTUM = "Factum-Expected-Version";
    static final String KURRENT = "ES-ExpectedVersion";

    private ExpectedVersionHeaders() {}

    static ExpectedVersion of(HttpCall call) {
        Optional<ExpectedVersion> factum = call.header(FACTUM).map(ExpectedVersionHeaders::parseFactum);
        Optional<ExpectedVersion> kurrent = call.header(KURRENT).map(ExpectedVersionHeaders::parseKurrent);
        if (factum.isPresent() && kurrent.isPresent() && !factum.get().equals(kurrent.get())) {
            throw HttpProblem.badRequest(
                    FACTUM,
                    FACTUM + " (" + describe(factum.get()) + ") and " + KURRENT + " (" + describe(kurrent.get())
                            + ") disagree; send one of them");
        }
        return factum.or(() -> kurrent).orElse(ExpectedVersion.any());
    }

    private static ExpectedVersion parseFactum(String text) {
        return switch (text.trim()) {
            case "any" -> ExpectedVersion.any();
            case "no-stream" -> ExpectedVersion.noStream();
            case "stream-exists" -> ExpectedVersion.streamExists();
            default -> {
                String value = text.trim();
                if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw HttpProblem.badRequest(
                            FACTUM,
                            FACTUM + ": '" + RequestTarget.abbreviate(text)
                                    + "' is not any, no-stream, stream-exists or a version (0 or more)");
                }
                yield ExpectedVersion.exactly(version(FACTUM, value));
            }
        };
    }

    private static ExpectedVersion parseKurrent(String text) {
        String value = text.trim();
        if (!value.matches("-?[0-9]+")) {
            throw HttpProblem.badRequest(
                    KURRENT,
                    KURRENT + ": '" + RequestTarget.abbreviate(text)
                            + "' is not -2 (any), -1 (no stream), -4 (stream exists) or a version");
        }
        return switch (value) {
            case "-2" -> ExpectedVersion.any();
            case "-1" -> ExpectedVersion.noStream();
            case "-4" -> ExpectedVersion.streamExists();
            default -> {
                if (value.startsWith("-")) {
                    throw HttpProblem.badRequest(
                            KURRENT,
                            KURRENT + ": " + value + " is not -2 (any), -1 (no stream), -4 (stream exists) or a"
                                    + " version");
                }
                yield ExpectedVersion.exactly(version(KURRENT, value));
            }
        };
    }

    private static long version(String header, String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw HttpProblem.badRequest(
                    header, header + ": " + RequestTarget.abbreviate(digits) + " is larger than " + Long.MAX_VALUE);
        }
    }

    /** The value in the {@code Factum-Expected-Version} vocabulary. */
    static String describe(ExpectedVersion expected) {
        return switch (expected) {
            case ExpectedVersion.Any a -> "any";
            case ExpectedVersion.NoStream n -> "no-stream";
            case ExpectedVersion.StreamExists s -> "stream-exists";
            case ExpectedVersion.Exact e -> Long.toString(e.version());
        };
    }
}
