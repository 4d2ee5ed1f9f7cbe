package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidInputException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamDeletedException;
import io.factum.api.SubscribeFrom;
import io.factum.api.SystemNames;
import io.factum.api.WrongExpectedVersionException;
import io.factum.testkit.ManualClock;
import io.factum.testkit.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The remote client raises the store's own exceptions: same type, same details, same message,
 * including what only the server can judge and names the client cannot carry in ASCII trailers.
 */
class RemoteErrorsTest {

    private static final StoreLimits LIMITS = StoreLimits.defaults();

    private ServedStore served;
    private RemoteEventStore remote;

    @BeforeEach
    void start() throws Exception {
        served = ServedStore.start(ManualClock.atDefaultStart(), LIMITS);
        remote = served.connect();
    }

    @AfterEach
    void stop() throws Exception {
        remote.close();
        ServedStore.closeAll();
    }

    private static EventData metadataEvent(String json) {
        return new EventData(
                UUID.randomUUID(),
                SystemNames.METADATA_TYPE,
                json.getBytes(StandardCharsets.UTF_8),
                new byte[0],
                ContentType.JSON);
    }

    /** Both stores fail the same call with an exception of the same type and message. */
    private void assertSameFailure(java.util.function.Consumer<EventStore> call) {
        Throwable local = catchFrom(() -> call.accept(served.engine));
        Throwable overTheWire = catchFrom(() -> call.accept(remote));

        assertThat(overTheWire).isNotNull().hasSameClassAs(local).hasMessage(local.getMessage());
        if (local instanceof InvalidInputException i) {
            assertThat(((InvalidInputException) overTheWire).field()).isEqualTo(i.field());
            assertThat(((InvalidInputException) overTheWire).rule()).isEqualTo(i.rule());
        }
    }

    private static Throwable catchFrom(ThrowingCallable call) {
        try {
            call.call();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void invalidInputOnlyTheStoreCanJudgeKeepsItsFieldRuleAndMessage() {
        assertSameFailure(s -> s.append("$$ü", ExpectedVersion.any(), List.of(metadataEvent("{\"$maxCount\":0}"))));
        assertSameFailure(s -> s.append("$$s", ExpectedVersion.any(), List.of(EventData.json("Other", "{}"))));
        assertSameFailure(s -> s.append("$$s", ExpectedVersion.any(), List.of(metadataEvent("not json"))));
    }

    @Test
    void conflictsAndDeletedStreamsNameStreamsThatAreNotAscii() {
        String stream = "commande-é-😀";
        remote.append(stream, ExpectedVersion.any(), List.of(EventData.json("A", "{}")));

        assertThatThrownBy(() -> remote.delete(stream, ExpectedVersion.exactly(7)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.stream()).isEqualTo(stream);
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.exactly(7));
                    assertThat(e.actualVersion()).isEqualTo(0);
                });
        remote.tombstone(stream, ExpectedVersion.any());
        assertSameFailure(
                s -> s.append(SystemNames.metastreamOf(stream), ExpectedVersion.any(), List.of(metadataEvent("{}"))));
        assertThatThrownBy(() -> remote.getStreamMetadata(stream))
                .isInstanceOfSatisfying(StreamDeletedException.class, e -> assertThat(e.stream())
                        .isEqualTo(stream));
    }

    @Test
    void aServerWhoseStoreClosedSaysSoAndStopsSubscriptionsWithStoreClosed() throws Exception {
        RecordingListener listener = new RecordingListener();
        remote.subscribeToStream("s", SubscribeFrom.start(), listener);
        listener.awaitCaughtUp(Duration.ofSeconds(20));

        served.engine.close();

        assertThat(listener.awaitStopped(Duration.ofSeconds(20))).get().isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(() -> remote.append("s", ExpectedVersion.any(), List.of(EventData.json("A", "{}"))))
                .isInstanceOf(StoreClosedException.class)
                .hasMessageContaining("the server is shutting down");
        assertThat(listener.violations()).isEmpty();
    }

    @Test
    void aServerThatIsGoneFailsEachCallWithStoreFailed() {
        ClientOptions options = served.clientOptions();
        served.server.close();

        assertThatThrownBy(() -> remote.readAll(io.factum.api.ReadAllOptions.forwards(0, 10)))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("is unavailable");
        assertThatThrownBy(() -> RemoteEventStore.connect(options))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining(options.target());
    }
}
