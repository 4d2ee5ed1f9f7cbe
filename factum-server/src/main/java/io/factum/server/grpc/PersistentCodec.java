package io.factum.server.grpc;

import com.google.protobuf.ByteString;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreLimits;
import io.factum.api.SystemNames;
import io.factum.protocol.persistent.CreateReq;
import io.factum.protocol.persistent.ReadResp;
import io.factum.protocol.persistent.SubscriptionInfo;
import io.factum.protocol.persistent.UpdateReq;
import io.factum.protocol.shared.StreamIdentifier;
import io.factum.server.persistent.ConsumerStrategy;
import io.factum.server.persistent.FilterSpec;
import io.factum.server.persistent.GroupInfo;
import io.factum.server.persistent.GroupKey;
import io.factum.server.persistent.GroupSettings;
import io.factum.server.persistent.Message;
import io.factum.server.persistent.StartFrom;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;

/**
 * Translation between the PersistentSubscriptions messages and the subsystem's types. Units follow
 * the clients: times arrive in milliseconds (fields 14 and 15) or, from older clients, in .NET
 * ticks (fields 4 and 6, 10,000 per millisecond), and are reported back in milliseconds.
 */
final class PersistentCodec {

    static final long TICKS_PER_MS = 10_000;
    static final int DEFAULT_MESSAGE_TIMEOUT_MS = 30_000;
    static final int DEFAULT_CHECKPOINT_AFTER_MS = 2_000;

    private final StoreLimits limits;

    PersistentCodec(StoreLimits limits) {
        this.limits = limits;
    }

    // ---- requests ----

    GroupKey streamKey(StreamIdentifier identifier, String groupName, String field) {
        String stream = ProtoCodec.streamName(identifier, field);
        limits.checkStreamName(field, stream);
        return key(stream, groupName);
    }

    GroupKey allKey(String groupName) {
        return key(SystemNames.ALL, groupName);
    }

    private GroupKey key(String stream, String groupName) {
        if (groupName.isEmpty()) {
            throw GrpcErrors.invalidArgument("options.group_name: a group name is required");
        }
        for (int i = 0; i < groupName.length(); i++) {
            if (Character.isISOControl(groupName.charAt(i))) {
                throw GrpcErrors.invalidArgument("options.group_name: '" + ProtoCodec.abbreviate(groupName)
                        + "' contains a control character at index " + i);
            }
        }
        GroupKey key = new GroupKey(stream, groupName);
        // The group's state lives in streams named after it, which must be valid stream names.
        int bytes = key.checkpointStream().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxStreamNameBytes()) {
            throw GrpcErrors.invalidArgument("options.group_name: stream and group names together are too long ("
                    + key.checkpointStream() + " would be " + bytes + " UTF-8 bytes, the limit is "
                    + limits.maxStreamNameBytes() + ")");
        }
        return key;
    }

    static StartFrom streamStart(CreateReq.StreamOptions options) {
        return switch (options.getRevisionOptionCase()) {
            case REVISION -> at(options.getRevision(), "options.stream.revision");
            case START, REVISIONOPTION_NOT_SET -> StartFrom.start();
            case END -> StartFrom.end();
        };
    }

    static StartFrom streamStart(UpdateReq.StreamOptions options) {
        return switch (options.getRevisionOptionCase()) {
            case REVISION -> at(options.getRevision(), "options.stream.revision");
            case START, REVISIONOPTION_NOT_SET -> StartFrom.start();
            case END -> StartFrom.end();
        };
    }

    static StartFrom allStart(CreateReq.AllOptions options) {
        return switch (options.getAllOptionCase()) {
            case POSITION -> at(options.getPosition().getCommitPosition(), "options.all.position");
            case START, ALLOPTION_NOT_SET -> StartFrom.start();
            case END -> StartFrom.end();
        };
    }

    static StartFrom allStart(UpdateReq.AllOptions options) {
        return switch (options.getAllOptionCase()) {
            case POSITION -> at(options.getPosition().getCommitPosition(), "options.all.position");
            case START, ALLOPTION_NOT_SET -> StartFrom.start();
            case END -> StartFrom.end();
        };
    }

    /** Old clients sent only the deprecated revision: 0 start, uint64 max (-1) end, else a revision. */
    static StartFrom legacyStart(long revision) {
        return revision == -1 ? StartFrom.end() : at(revision, "options.settings.revision");
    }

    private static StartFrom at(long value, String field) {
        if (value < 0) {
            throw GrpcErrors.invalidArgument(field + ": " + Long.toUnsignedString(value) + " is out of range");
        }
        return value == 0 ? StartFrom.start() : StartFrom.at(value);
    }

    static FilterSpec filter(CreateReq.AllOptions options) {
        if (!options.hasFilter()) {
            return FilterSpec.none();
        }
        CreateReq.AllOptions.FilterOptions filter = options.getFilter();
        return switch (filter.getFilterCase()) {
            case STREAM_IDENTIFIER ->
                expression(
                        filter.getStreamIdentifier(),
                        FilterSpec.Kind.STREAM_REGEX,
                        FilterSpec.Kind.STREAM_PREFIX,
                        "options.all.filter.stream_identifier");
            case EVENT_TYPE ->
                expression(
                        filter.getEventType(),
                        FilterSpec.Kind.TYPE_REGEX,
                        FilterSpec.Kind.TYPE_PREFIX,
                        "options.all.filter.event_type");
            case FILTER_NOT_SET -> FilterSpec.none();
        };
    }

    /** A regex wins over prefixes (the Java clients put prefixes into the regex field). */
    private static FilterSpec expression(
            CreateReq.AllOptions.FilterOptions.Expression expression,
            FilterSpec.Kind regex,
            FilterSpec.Kind prefix,
            String field) {
        if (!expression.getRegex().isEmpty()) {
            return new FilterSpec(regex, List.of(expression.getRegex()));
        }
        if (expression.getPrefixCount() == 0) {
            throw GrpcErrors.invalidArgument(field + ": a filter needs a regex or at least one prefix");
        }
        return new FilterSpec(prefix, expression.getPrefixList());
    }

    // Field 13 is deprecated in CreateReq but still what the Java clients send for most strategies.
    @SuppressWarnings("deprecation")
    static GroupSettings settings(CreateReq.Settings s, StartFrom start) {
        ConsumerStrategy strategy = s.getConsumerStrategy().isEmpty()
                ? strategy(s.getNamedConsumerStrategyValue())
                : ConsumerStrategy.fromName("settings.consumer_strategy", s.getConsumerStrategy());
        return GroupSettings.builder()
                .startFrom(start)
                .resolveLinks(s.getResolveLinks())
                .extraStatistics(s.getExtraStatistics())
                .messageTimeoutMs(
                        switch (s.getMessageTimeoutCase()) {
                            case MESSAGE_TIMEOUT_MS -> s.getMessageTimeoutMs();
                            case MESSAGE_TIMEOUT_TICKS ->
                                ticksToMs(s.getMessageTimeoutTicks(), "settings.message_timeout_ticks");
                            case MESSAGETIMEOUT_NOT_SET -> DEFAULT_MESSAGE_TIMEOUT_MS;
                        })
                .checkpointAfterMs(
                        switch (s.getCheckpointAfterCase()) {
                            case CHECKPOINT_AFTER_MS -> s.getCheckpointAfterMs();
                            case CHECKPOINT_AFTER_TICKS ->
                                ticksToMs(s.getCheckpointAfterTicks(), "settings.checkpoint_after_ticks");
                            case CHECKPOINTAFTER_NOT_SET -> DEFAULT_CHECKPOINT_AFTER_MS;
                        })
                .maxRetryCount(s.getMaxRetryCount())
                .liveBufferSize(s.getLiveBufferSize())
                .readBatchSize(s.getReadBatchSize())
                .historyBufferSize(s.getHistoryBufferSize())
                .minCheckpointCount(s.getMinCheckpointCount())
                .maxCheckpointCount(s.getMaxCheckpointCount())
                .maxSubscriberCount(s.getMaxSubscriberCount())
                .strategy(strategy)
                .build();
    }

    static GroupSettings settings(UpdateReq.Settings s, StartFrom start) {
        return GroupSettings.builder()
                .startFrom(start)
                .resolveLinks(s.getResolveLinks())
                .extraStatistics(s.getExtraStatistics())
                .messageTimeoutMs(
                        switch (s.getMessageTimeoutCase()) {
                            case MESSAGE_TIMEOUT_MS -> s.getMessageTimeoutMs();
                            case MESSAGE_TIMEOUT_TICKS ->
                                ticksToMs(s.getMessageTimeoutTicks(), "settings.message_timeout_ticks");
                            case MESSAGETIMEOUT_NOT_SET -> DEFAULT_MESSAGE_TIMEOUT_MS;
                        })
                .checkpointAfterMs(
                        switch (s.getCheckpointAfterCase()) {
                            case CHECKPOINT_AFTER_MS -> s.getCheckpointAfterMs();
                            case CHECKPOINT_AFTER_TICKS ->
                                ticksToMs(s.getCheckpointAfterTicks(), "settings.checkpoint_after_ticks");
                            case CHECKPOINTAFTER_NOT_SET -> DEFAULT_CHECKPOINT_AFTER_MS;
                        })
                .maxRetryCount(s.getMaxRetryCount())
                .liveBufferSize(s.getLiveBufferSize())
                .readBatchSize(s.getReadBatchSize())
                .historyBufferSize(s.getHistoryBufferSize())
                .minCheckpointCount(s.getMinCheckpointCount())
                .maxCheckpointCount(s.getMaxCheckpointCount())
                .maxSubscriberCount(s.getMaxSubscriberCount())
                .strategy(strategy(s.getNamedConsumerStrategyValue()))
                .build();
    }

    /** The enum of field 13: DispatchToSingle is 0, so a client that sends nothing means it. */
    private static ConsumerStrategy strategy(int value) {
        return switch (value) {
            case 0 -> ConsumerStrategy.DISPATCH_TO_SINGLE;
            case 1 -> ConsumerStrategy.ROUND_ROBIN;
            case 2 -> ConsumerStrategy.PINNED;
            default ->
                throw GrpcErrors.invalidArgument("settings.named_consumer_strategy: " + value
                        + " is not DispatchToSingle (0), RoundRobin (1) or Pinned (2)");
        };
    }

    static int ticksToMs(long ticks, String field) {
        long ms = ticks / TICKS_PER_MS;
        if (ticks < 0 || ms > Integer.MAX_VALUE) {
            throw GrpcErrors.invalidArgument(field + ": " + ticks + " ticks is out of range");
        }
        return (int) ms;
    }

    // ---- responses ----

    static ReadResp event(Message message, boolean uuidAsString) {
        var event = ReadResp.ReadEvent.newBuilder()
                .setCommitPosition(message.original().position())
                .setRetryCount(message.retryCount());
        message.event().ifPresent(e -> event.setEvent(recorded(e, uuidAsString)));
        message.link().ifPresent(l -> event.setLink(recorded(l, uuidAsString)));
        return ReadResp.newBuilder().setEvent(event).build();
    }

    static ReadResp confirmation(String subscriptionId) {
        return ReadResp.newBuilder()
                .setSubscriptionConfirmation(
                        ReadResp.SubscriptionConfirmation.newBuilder().setSubscriptionId(subscriptionId))
                .build();
    }

    private static ReadResp.ReadEvent.RecordedEvent recorded(RecordedEvent event, boolean uuidAsString) {
        return ReadResp.ReadEvent.RecordedEvent.newBuilder()
                .setId(ProtoCodec.uuid(event.eventId(), uuidAsString))
                .setStreamIdentifier(ProtoCodec.streamIdentifier(event.stream()))
                .setStreamRevision(event.version())
                .setPreparePosition(event.position())
                .setCommitPosition(event.position())
                .putMetadata(ProtoCodec.TYPE, event.type())
                .putMetadata(ProtoCodec.CONTENT_TYPE, event.contentType().mimeType())
                .putMetadata(ProtoCodec.CREATED, Long.toString(ProtoCodec.unixTicks(event.created())))
                .setCustomMetadata(ByteString.copyFrom(event.metadata()))
                .setData(ByteString.copyFrom(event.data()))
                .build();
    }

    static SubscriptionInfo info(GroupInfo info) {
        GroupKey key = info.config().key();
        GroupSettings s = info.config().settings();
        GroupInfo.Stats stats = info.stats();
        var out = SubscriptionInfo.newBuilder()
                .setEventSource(key.stream())
                .setGroupName(key.group())
                .setStatus(info.status())
                .setAveragePerSecond(stats.averagePerSecond())
                .setTotalItems(stats.totalItems())
                .setCountSinceLastMeasurement(stats.countSinceLastMeasurement())
                .setLastCheckpointedEventPosition(position(key, stats.lastCheckpoint()))
                .setLastKnownEventPosition(position(key, stats.lastKnown()))
                .setResolveLinkTos(s.resolveLinks())
                .setStartFrom(startFrom(key, s.startFrom()))
                .setMessageTimeoutMilliseconds(s.messageTimeoutMs())
                .setExtraStatistics(s.extraStatistics())
                .setMaxRetryCount(s.maxRetryCount())
                .setLiveBufferSize(s.liveBufferSize())
                .setBufferSize(s.historyBufferSize())
                .setReadBatchSize(s.readBatchSize())
                .setCheckPointAfterMilliseconds(s.checkpointAfterMs())
                .setMinCheckPointCount(s.minCheckpointCount())
                .setMaxCheckPointCount(s.maxCheckpointCount())
                .setReadBufferCount(stats.bufferedCount())
                .setLiveBufferCount(stats.bufferedCount())
                .setRetryBufferCount(stats.retryCount())
                .setTotalInFlightMessages(stats.inFlightCount())
                .setOutstandingMessagesCount(stats.inFlightCount())
                .setNamedConsumerStrategy(s.strategy().wireName())
                .setMaxSubscriberCount(s.maxSubscriberCount())
                .setParkedMessageCount(stats.parkedCount());
        for (GroupInfo.ConnectionInfo c : info.connections()) {
            out.addConnections(SubscriptionInfo.ConnectionInfo.newBuilder()
                    .setFrom(c.from())
                    .setUsername(c.username())
                    .setAverageItemsPerSecond(c.averageItemsPerSecond())
                    .setTotalItems(c.totalItems())
                    .setCountSinceLastMeasurement(c.countSinceLastMeasurement())
                    .setAvailableSlots(c.availableSlots())
                    .setInFlightMessages(c.inFlight())
                    .setConnectionName(""));
        }
        return out.build();
    }

    /** "-1" is end and "0" start for streams; "C:-1/P:-1" and "C:0/P:0" for $all, as clients parse them. */
    static String startFrom(GroupKey key, StartFrom start) {
        long value =
                switch (start) {
                    case StartFrom.Start s -> 0;
                    case StartFrom.End e -> -1;
                    case StartFrom.At at -> at.value();
                };
        return format(key, value);
    }

    private static String position(GroupKey key, OptionalLong value) {
        return value.isPresent() ? format(key, value.getAsLong()) : "";
    }

    private static String format(GroupKey key, long value) {
        return key.isAll() ? "C:" + value + "/P:" + value : Long.toString(value);
    }
}
