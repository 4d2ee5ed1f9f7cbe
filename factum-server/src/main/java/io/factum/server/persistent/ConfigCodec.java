package io.factum.server.persistent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The JSON of a configuration event: {@code {"version":1,"groups":[...]}}, one flat object per group
 * with the settings under KurrentDB's names. Unknown keys are ignored, so a newer server's
 * configuration stays readable by this one.
 */
final class ConfigCodec {

    static final int VERSION = 1;

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ConfigCodec() {}

    record Stored(int version, List<StoredGroup> groups) {}

    record StoredGroup(
            String stream,
            String group,
            String startFrom,
            long startAt,
            long origin,
            boolean resolveLinks,
            boolean extraStatistics,
            int messageTimeoutMs,
            int maxRetryCount,
            int liveBufferSize,
            int readBatchSize,
            int historyBufferSize,
            int checkpointAfterMs,
            int minCheckpointCount,
            int maxCheckpointCount,
            int maxSubscriberCount,
            String consumerStrategy,
            String filter,
            List<String> filterValues) {}

    static byte[] encode(List<GroupConfig> groups) {
        try {
            return JSON.writeValueAsBytes(new Stored(
                    VERSION, groups.stream().map(ConfigCodec::toStored).toList()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<GroupConfig> decode(byte[] json) {
        Stored stored;
        try {
            stored = JSON.readValue(json, Stored.class);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "the persistent subscription configuration in " + GroupStorage.CONFIG_STREAM + " is unreadable", e);
        }
        if (stored.version() > VERSION) {
            throw new IllegalStateException("the persistent subscription configuration has format version "
                    + stored.version() + "; this server reads up to " + VERSION);
        }
        return stored.groups() == null
                ? List.of()
                : stored.groups().stream().map(ConfigCodec::fromStored).toList();
    }

    private static StoredGroup toStored(GroupConfig config) {
        GroupSettings s = config.settings();
        String start =
                switch (s.startFrom()) {
                    case StartFrom.Start st -> "start";
                    case StartFrom.End e -> "end";
                    case StartFrom.At a -> "at";
                };
        long startAt = s.startFrom() instanceof StartFrom.At a ? a.value() : 0;
        return new StoredGroup(
                config.key().stream(),
                config.key().group(),
                start,
                startAt,
                config.origin(),
                s.resolveLinks(),
                s.extraStatistics(),
                s.messageTimeoutMs(),
                s.maxRetryCount(),
                s.liveBufferSize(),
                s.readBatchSize(),
                s.historyBufferSize(),
                s.checkpointAfterMs(),
                s.minCheckpointCount(),
                s.maxCheckpointCount(),
                s.maxSubscriberCount(),
                s.strategy().wireName(),
                config.filter().kind().name(),
                config.filter().values());
    }

    private static GroupConfig fromStored(StoredGroup g) {
        StartFrom start =
                switch (g.startFrom()) {
                    case "start" -> StartFrom.start();
                    case "end" -> StartFrom.end();
                    case "at" -> StartFrom.at(g.startAt());
                    default -> throw new IllegalStateException("unknown startFrom '" + g.startFrom() + "'");
                };
        GroupSettings settings = GroupSettings.builder()
                .startFrom(start)
                .resolveLinks(g.resolveLinks())
                .extraStatistics(g.extraStatistics())
                .messageTimeoutMs(g.messageTimeoutMs())
                .maxRetryCount(g.maxRetryCount())
                .liveBufferSize(g.liveBufferSize())
                .readBatchSize(g.readBatchSize())
                .historyBufferSize(g.historyBufferSize())
                .checkpointAfterMs(g.checkpointAfterMs())
                .minCheckpointCount(g.minCheckpointCount())
                .maxCheckpointCount(g.maxCheckpointCount())
                .maxSubscriberCount(g.maxSubscriberCount())
                .strategy(ConsumerStrategy.fromName("consumerStrategy", g.consumerStrategy()))
                .build();
        FilterSpec filter = new FilterSpec(
                FilterSpec.Kind.valueOf(g.filter()), g.filterValues() == null ? List.of() : g.filterValues());
        return new GroupConfig(new GroupKey(g.stream(), g.group()), settings, filter, g.origin());
    }
}
