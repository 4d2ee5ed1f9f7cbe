package io.factum.engine.internal.store;

import io.factum.api.RecordedEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys of the tag and type index: every record is indexed under {@code type:<its type>} and
 * under {@code tag:<tag>} for each of its tags, with its position as the entry's version, so that
 * an index read "from version p" is a read of the key's positions from p. The two prefixes keep
 * types and tags apart (neither prefix is a prefix of the other), so a tag may look like a type.
 */
public final class TagKeys {
    static final String TYPE_PREFIX = "type:";
    static final String TAG_PREFIX = "tag:";

    private TagKeys() {}

    public static String type(String type) {
        return TYPE_PREFIX + type;
    }

    public static String tag(String tag) {
        return TAG_PREFIX + tag;
    }

    /** Every key the record is indexed under: its type first, then its tags in order. */
    public static List<String> of(String type, List<String> tags) {
        List<String> keys = new ArrayList<>(1 + tags.size());
        keys.add(type(type));
        for (String tag : tags) {
            keys.add(tag(tag));
        }
        return keys;
    }

    public static List<String> of(RecordedEvent record) {
        return of(record.type(), record.tags());
    }

    /** Whether the record is indexed under the key (settles hash collisions in the index). */
    public static boolean holds(RecordedEvent record, String key) {
        if (key.startsWith(TYPE_PREFIX)) {
            return record.type().equals(key.substring(TYPE_PREFIX.length()));
        }
        return key.startsWith(TAG_PREFIX) && record.tags().contains(key.substring(TAG_PREFIX.length()));
    }
}
