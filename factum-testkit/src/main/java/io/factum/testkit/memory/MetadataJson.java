package io.factum.testkit.memory;

import io.factum.api.StreamAcl;
import io.factum.api.StreamMetadata;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;

/**
 * TEMPORARY: a minimal writer of KurrentDB's stream-metadata JSON, used until {@code
 * io.factum.api.StreamMetadataCodec} is available on this branch; then this class is deleted and the
 * codec used instead.
 *
 * <p>The in-memory store keeps the decoded {@link StreamMetadata} beside the record, so it only ever
 * encodes; the bytes are what {@code $all} readers see in the {@code $metadata} event.
 */
final class MetadataJson {

    private MetadataJson() {}

    static byte[] encode(StreamMetadata md) {
        StringJoiner json = new StringJoiner(",", "{", "}");
        md.maxAge().ifPresent(age -> json.add("\"$maxAge\":" + age.toSeconds()));
        md.maxCount().ifPresent(count -> json.add("\"$maxCount\":" + count));
        md.truncateBefore().ifPresent(tb -> json.add("\"$tb\":" + tb));
        md.cacheControl().ifPresent(cc -> json.add("\"$cacheControl\":" + cc.toSeconds()));
        md.acl().ifPresent(acl -> json.add("\"$acl\":" + acl(acl)));
        String custom = md.customJson().strip();
        if (custom.startsWith("{") && custom.endsWith("}")) {
            String members = custom.substring(1, custom.length() - 1).strip();
            if (!members.isEmpty()) {
                json.add(members);
            }
        }
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String acl(StreamAcl acl) {
        StringJoiner json = new StringJoiner(",", "{", "}");
        roles(json, "$r", acl.read());
        roles(json, "$w", acl.write());
        roles(json, "$d", acl.delete());
        roles(json, "$mr", acl.metaRead());
        roles(json, "$mw", acl.metaWrite());
        return json.toString();
    }

    private static void roles(StringJoiner json, String key, List<String> roles) {
        if (roles.isEmpty()) {
            return;
        }
        StringJoiner array = new StringJoiner(",", "[", "]");
        roles.forEach(role -> array.add(string(role)));
        json.add("\"" + key + "\":" + array);
    }

    private static String string(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
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
