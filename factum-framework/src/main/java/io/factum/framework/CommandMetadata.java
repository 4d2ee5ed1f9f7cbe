package io.factum.framework;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The ids every event written for a command carries: event ids derived from the command id (so a
 * second delivery of the command is recognised), and the metadata {@code $correlationId} and
 * {@code $causationId}, under KurrentDB's names so its tools and projections read them too.
 */
final class CommandMetadata {
    private CommandMetadata() {}

    /** The id of the {@code index}-th event of the command: a name-based UUID, the same every time. */
    static UUID eventId(UUID commandId, int index) {
        byte[] name = (commandId + "/" + index).getBytes(StandardCharsets.UTF_8);
        return UUID.nameUUIDFromBytes(name);
    }

    /** {@code {"$correlationId":"...","$causationId":"<command id>"}} as UTF-8 JSON. */
    static byte[] json(CommandEnvelope<?> envelope) {
        String json = "{\"$correlationId\":" + quote(envelope.correlationId()) + ",\"$causationId\":"
                + quote(envelope.commandId().toString()) + "}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
