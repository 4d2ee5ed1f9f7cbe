package io.factum.server.persistent;

import io.factum.api.InvalidInputException;
import java.util.Objects;

/**
 * A group as stored in the configuration stream.
 *
 * @param key the source and the group name
 * @param settings the settings as the client gave them (and as they are reported back)
 * @param filter the {@code $all} filter; {@link FilterSpec#none()} for stream groups
 * @param origin the first revision or position to deliver when there is no checkpoint: {@link
 *     StartFrom.End} is resolved to the end of the source when the group is created or updated, so
 *     that a restart before the first checkpoint does not skip the events written meanwhile
 */
public record GroupConfig(GroupKey key, GroupSettings settings, FilterSpec filter, long origin) {

    public GroupConfig {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(filter, "filter");
        if (!key.isAll() && filter.kind() != FilterSpec.Kind.NONE) {
            throw new InvalidInputException("filter", filter.kind(), "only $all groups take a filter");
        }
        if (origin < 0) {
            throw new InvalidInputException("origin", origin, "must be >= 0");
        }
    }
}
