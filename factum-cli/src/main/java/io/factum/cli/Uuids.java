package io.factum.cli;

import java.util.UUID;
import java.util.regex.Pattern;

/** Strict UUID parsing: {@link UUID#fromString} accepts forms like "1-1-1-1-1" that no one means. */
final class Uuids {
    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Uuids() {}

    /**
     * @throws IllegalArgumentException naming the value when it is not in the canonical 8-4-4-4-12
     *     hexadecimal form
     */
    static UUID parse(String text) {
        if (!CANONICAL.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a UUID (expected 8-4-4-4-12 hexadecimal digits)");
        }
        return UUID.fromString(text);
    }
}
