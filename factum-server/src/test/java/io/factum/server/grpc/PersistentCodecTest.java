package io.factum.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.protocol.persistent.CreateReq;
import io.factum.protocol.persistent.UpdateReq;
import io.factum.server.persistent.ConsumerStrategy;
import io.factum.server.persistent.GroupKey;
import io.factum.server.persistent.GroupSettings;
import io.factum.server.persistent.StartFrom;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** Settings as each kind of client sends them: units, defaults and strategy fields. */
class PersistentCodecTest {

    static CreateReq.Settings.Builder javaDefaults() {
        return CreateReq.Settings.newBuilder()
                .setMaxRetryCount(10)
                .setLiveBufferSize(500)
                .setReadBatchSize(20)
                .setHistoryBufferSize(500)
                .setMinCheckpointCount(10)
                .setMaxCheckpointCount(1000)
                .setMessageTimeoutMs(30_000)
                .setCheckpointAfterMs(2_000);
    }

    @Test
    void ticksFromOlderClientsBecomeMilliseconds() {
        GroupSettings settings = PersistentCodec.settings(
                javaDefaults()
                        .setMessageTimeoutTicks(15_000 * PersistentCodec.TICKS_PER_MS)
                        .setCheckpointAfterTicks(250 * PersistentCodec.TICKS_PER_MS)
                        .build(),
                StartFrom.start());
        assertThat(settings.messageTimeoutMs()).isEqualTo(15_000);
        assertThat(settings.checkpointAfterMs()).isEqualTo(250);
    }

    @Test
    void millisecondsAreTakenAsTheyCome() {
        GroupSettings settings = PersistentCodec.settings(javaDefaults().build(), StartFrom.end());
        assertThat(settings.messageTimeoutMs()).isEqualTo(30_000);
        assertThat(settings.checkpointAfterMs()).isEqualTo(2_000);
        assertThat(settings.startFrom()).isEqualTo(StartFrom.end());
    }

    @Test
    @SuppressWarnings("deprecation") // field 13, as the clients still send it
    void theStrategyByNameWinsAndAnAbsentEnumMeansDispatchToSingle() {
        assertThat(PersistentCodec.settings(javaDefaults().build(), StartFrom.start())
                        .strategy())
                .isEqualTo(ConsumerStrategy.DISPATCH_TO_SINGLE);
        assertThat(PersistentCodec.settings(
                                javaDefaults()
                                        .setNamedConsumerStrategy(CreateReq.ConsumerStrategy.RoundRobin)
                                        .setConsumerStrategy("PinnedByCorrelation")
                                        .build(),
                                StartFrom.start())
                        .strategy())
                .isEqualTo(ConsumerStrategy.PINNED_BY_CORRELATION);
        assertThat(PersistentCodec.settings(
                                UpdateReq.Settings.newBuilder()
                                        .setMaxRetryCount(1)
                                        .setLiveBufferSize(1)
                                        .setReadBatchSize(1)
                                        .setHistoryBufferSize(1)
                                        .setMaxCheckpointCount(1)
                                        .setNamedConsumerStrategy(UpdateReq.ConsumerStrategy.Pinned)
                                        .build(),
                                StartFrom.start())
                        .strategy())
                .isEqualTo(ConsumerStrategy.PINNED);
        assertThatThrownBy(() -> PersistentCodec.settings(
                        javaDefaults().setConsumerStrategy("Random").build(), StartFrom.start()))
                .hasMessageContaining("consumer_strategy");
    }

    @Test
    void positionsAreFormattedAsTheClientsParseThem() {
        var stream = new GroupKey("s", "g");
        var all = GroupKey.all("g");
        assertThat(PersistentCodec.startFrom(stream, StartFrom.end())).isEqualTo("-1");
        assertThat(PersistentCodec.startFrom(stream, StartFrom.start())).isEqualTo("0");
        assertThat(PersistentCodec.startFrom(stream, StartFrom.at(12))).isEqualTo("12");
        assertThat(PersistentCodec.startFrom(all, StartFrom.end())).isEqualTo("C:-1/P:-1");
        assertThat(PersistentCodec.startFrom(all, StartFrom.at(7))).isEqualTo("C:7/P:7");
    }

    @Test
    void revisionsBeyondASignedLongAreRefused() {
        StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                StatusRuntimeException.class,
                () -> PersistentCodec.streamStart(
                        CreateReq.StreamOptions.newBuilder().setRevision(-5).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("options.stream.revision");
    }
}
