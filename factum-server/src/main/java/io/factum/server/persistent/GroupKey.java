package io.factum.server.persistent;

import io.factum.api.SystemNames;
import java.util.Objects;

/**
 * Names a persistent subscription group: the source stream ({@code $all} for the global log) and
 * the group name. The system streams that hold the group's state are derived from it, named as
 * KurrentDB names them.
 */
public record GroupKey(String stream, String group) implements Comparable<GroupKey> {

    public GroupKey {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(group, "group");
    }

    public static GroupKey all(String group) {
        return new GroupKey(SystemNames.ALL, group);
    }

    public boolean isAll() {
        return stream.equals(SystemNames.ALL);
    }

    /** Where rejected events wait for a replay: {@code $persistentsubscription-<stream>::<group>-parked}. */
    public String parkedStream() {
        return "$persistentsubscription-" + stream + "::" + group + "-parked";
    }

    /** Where the group's progress is recorded: {@code $persistentsubscription-<stream>::<group>-checkpoint}. */
    public String checkpointStream() {
        return "$persistentsubscription-" + stream + "::" + group + "-checkpoint";
    }

    @Override
    public int compareTo(GroupKey other) {
        int byStream = stream.compareTo(other.stream);
        return byStream != 0 ? byStream : group.compareTo(other.group);
    }

    @Override
    public String toString() {
        return stream + "::" + group;
    }
}
