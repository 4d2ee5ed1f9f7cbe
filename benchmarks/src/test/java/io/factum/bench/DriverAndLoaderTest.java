package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.EventData;
import io.factum.api.StoreFailedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write drivers against a recording store: what they write, not how fast. */
class DriverAndLoaderTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();
    private RunContext ctx;

    @BeforeEach
    void open() throws Exception {
        CommonOptions common = new CommonOptions();
        common.data = Optional.of(dir);
        common.progressInterval = Duration.ofMillis(100);
        ctx = RunContext.open(common, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    }

    @AfterEach
    void close() {
        ctx.close();
    }

    private static AppendDriver.Config config(int writers, ThreadKind threads, int shared, long limit, double rate) {
        return new AppendDriver.Config(
                writers, threads, shared, Duration.ZERO, Duration.ofSeconds(30), limit, 100, rate, "w-");
    }

    @Test
    void writersStopAtTheEventLimitEachOnItsOwnStream() throws Exception {
        RecordingStore store = new RecordingStore();

        AppendDriver.Result r = AppendDriver.run(store, config(4, ThreadKind.PLATFORM, 0, 1000, 0), ctx, "t");

        assertThat(store.events()).isEqualTo(1000);
        assertThat(r.totalEvents()).isEqualTo(1000);
        assertThat(r.measuredEvents()).isEqualTo(1000);
        assertThat(r.latencyNanos().getTotalCount()).isEqualTo(1000);
        assertThat(store.streams().keySet()).isSubsetOf("w-0", "w-1", "w-2", "w-3");
        assertThat(store.calls()).allSatisfy(c -> assertThat(c.counts()).containsExactly(1));
        // Every event carries a nanoTime the subscriber can read, and the requested size.
        for (List<EventData> events : store.streams().values()) {
            for (EventData e : events) {
                assertThat(e.data()).hasSize(100);
                assertThat(Payloads.nanoTimeOf(e.data())).isPositive();
            }
        }
    }

    @Test
    void sharedStreamsSpreadEveryWriterOverTheSharedSet() throws Exception {
        RecordingStore store = new RecordingStore();

        AppendDriver.run(store, config(3, ThreadKind.VIRTUAL, 2, 300, 0), ctx, "t");

        assertThat(store.streams().keySet()).containsExactlyInAnyOrder("w-0", "w-1");
        assertThat(store.events()).isEqualTo(300);
    }

    @Test
    void aFixedRateIssuesNoEventDueAfterTheEnd() throws Exception {
        RecordingStore store = new RecordingStore();
        AppendDriver.Config paced = new AppendDriver.Config(
                2, ThreadKind.PLATFORM, 0, Duration.ZERO, Duration.ofMillis(300), -1, 100, 1000, "w-");

        AppendDriver.Result r = AppendDriver.run(store, paced, ctx, "t");

        // Events are due every 1 ms from the start; none is issued at or after 300 ms.
        assertThat(r.totalEvents()).isPositive().isLessThanOrEqualTo(300);
        assertThat(store.events()).isEqualTo(r.totalEvents());
    }

    @Test
    void aFailedAppendFailsTheRunWithItsCause() {
        RecordingStore store = new RecordingStore(50);

        assertThatThrownBy(() -> AppendDriver.run(store, config(4, ThreadKind.PLATFORM, 0, -1, 0), ctx, "t"))
                .isInstanceOf(BenchmarkFailedException.class)
                .hasCauseInstanceOf(StoreFailedException.class)
                .hasMessageContaining("injected failure");
    }

    @Test
    void loaderWritesEveryEventToItsStreamSplittingBatchesAtStreamBoundaries() {
        RecordingStore store = new RecordingStore();

        Loader.Loaded loaded = Loader.load(store, 2500, 3, 1000, ctx, "load");

        assertThat(loaded.events()).isEqualTo(2500);
        assertThat(loaded.streams()).isEqualTo(3);
        Map<String, List<EventData>> streams = store.streams();
        assertThat(streams).containsOnlyKeys("load-0", "load-1", "load-2");
        assertThat(streams.get("load-0")).hasSize(834);
        assertThat(streams.get("load-1")).hasSize(834);
        assertThat(streams.get("load-2")).hasSize(832);
        assertThat(store.calls())
                .containsExactly(
                        new RecordingStore.Call(List.of("load-0", "load-1"), List.of(834, 166)),
                        new RecordingStore.Call(List.of("load-1", "load-2"), List.of(668, 332)),
                        new RecordingStore.Call(List.of("load-2"), List.of(500)));
    }

    @Test
    void progressIsPrintedWhileWorkRuns() throws Exception {
        RecordingStore store = new RecordingStore();
        AppendDriver.Config paced = new AppendDriver.Config(
                1, ThreadKind.PLATFORM, 0, Duration.ZERO, Duration.ofSeconds(1), -1, 100, 500, "w-");

        AppendDriver.run(store, paced, ctx, "paced");

        assertThat(err.toString())
                .contains("[paced] started")
                .containsPattern("\\[paced\\] \\d+\\.\\d s: [\\d,]+ events");
    }
}
