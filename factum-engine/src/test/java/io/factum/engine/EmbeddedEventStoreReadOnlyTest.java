package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreFailedException;
import io.factum.api.StreamMetadata;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a write failure the store is read-only: every acknowledged event still reads back (by
 * stream, from $all, by query, through a subscription's catch-up), writes are refused with an error
 * that names the cause, and {@link EmbeddedEventStore#readOnly()} and {@link EngineStats} say so.
 *
 * <p>The failure is real, not mocked: the stream index's directory is moved away while the store is
 * open, so the next memtable flush cannot create its file and the writer fails at its indexing step.
 * Index files already open stay readable through their open channels, as the files of a full disk
 * do. The full-disk case itself runs in {@code factum-server}'s {@code FullDiskIT}.
 */
class EmbeddedEventStoreReadOnlyTest {
    private static final int MEMTABLE_ENTRIES = 16;
    private static final int MAX_APPENDS = 10 * MEMTABLE_ENTRIES;

    @TempDir
    Path dataDir;

    private EngineOptions options() {
        return EngineOptions.defaults(dataDir).withIndexMemtableEntries(MEMTABLE_ENTRIES);
    }

    @Test
    void afterAWriteFailureReadsServeEveryAcknowledgedEventAndWritesAreRefused() throws Exception {
        List<Long> acknowledged = new ArrayList<>();
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            for (int i = 0; i < 20; i++) {
                acknowledged.add(store.append("a", ExpectedVersion.any(), List.of(event(i)))
                        .position());
            }
            Files.move(dataDir.resolve("index"), dataDir.resolve("index-moved"));
            StoreFailedException failure = appendUntilRefused(store, acknowledged);

            assertThat(failure.getMessage())
                    .contains("read-only")
                    .contains("indexing durable records failed")
                    .contains("reopened with the cause fixed");
            assertThat(store.readOnly()).hasValueSatisfying(reason -> assertThat(reason)
                    .startsWith("indexing durable records failed: ")
                    .as("names the root cause, not only the index's wrapper")
                    .contains("NoSuchFileException")
                    .isSubstringOf(failure.getMessage()));
            EngineStats stats = store.stats();
            assertThat(stats.readOnly()).isTrue();
            assertThat(stats.readOnlyReason()).isEqualTo(store.readOnly());

            assertReadsServe(store, acknowledged);
            assertWritesRefused(store);
        }
        Files.move(dataDir.resolve("index-moved"), dataDir.resolve("index"));
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            assertThat(store.readOnly())
                    .as("a reopened store accepts writes again")
                    .isEmpty();
            assertThat(store.stats().readOnlyReason()).isEmpty();
            assertThat(positionsOf(
                            store.readStream("a", 0, Direction.FORWARDS, 4096).events()))
                    .containsAll(acknowledged);
            store.append("b", ExpectedVersion.noStream(), List.of(event(0)));
        }
    }

    @Test
    void aHealthyStoreIsNotReadOnly() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            store.append("a", ExpectedVersion.any(), List.of(event(0)));
            assertThat(store.readOnly()).isEmpty();
            assertThat(store.stats().readOnly()).isFalse();
        }
    }

    /** Appends one event at a time until the writer fails; records every acknowledged position. */
    private static StoreFailedException appendUntilRefused(EmbeddedEventStore store, List<Long> acknowledged) {
        for (int i = 0; i < MAX_APPENDS; i++) {
            try {
                acknowledged.add(store.append("a", ExpectedVersion.any(), List.of(event(acknowledged.size())))
                        .position());
            } catch (StoreFailedException e) {
                return e;
            }
        }
        throw new AssertionError("no append failed in " + MAX_APPENDS + " appends after the index directory went");
    }

    private static void assertReadsServe(EmbeddedEventStore store, List<Long> acknowledged) throws Exception {
        List<RecordedEvent> stream =
                store.readStream("a", 0, Direction.FORWARDS, 4096).events();
        assertThat(positionsOf(stream)).containsAll(acknowledged);
        List<RecordedEvent> backwards =
                store.readStream("a", Long.MAX_VALUE, Direction.BACKWARDS, 4096).events();
        assertThat(positionsOf(backwards)).containsAll(acknowledged);
        List<RecordedEvent> all =
                store.readAll(ReadAllOptions.forwards(0, 4096)).events();
        assertThat(positionsOf(all)).containsAll(acknowledged);
        Query byType = new Query(List.of(new QueryItem(List.of("e"), List.of())));
        assertThat(positionsOf(
                        store.readByQuery(byType, 0, Direction.FORWARDS, 4096).events()))
                .containsAll(acknowledged);
        assertThat(store.headPosition()).isGreaterThanOrEqualTo(acknowledged.get(acknowledged.size() - 1));
        assertThat(caughtUp(store, acknowledged.size())).containsAll(acknowledged);
    }

    /** Subscribes to stream "a" from the start and collects the first {@code count} positions. */
    private static List<Long> caughtUp(EmbeddedEventStore store, int count) throws InterruptedException {
        List<Long> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(count);
        SubscriptionListener listener = (subscription, event) -> {
            seen.add(event.position());
            done.countDown();
        };
        try (Subscription ignored = store.subscribeToStream("a", SubscribeFrom.start(), listener)) {
            assertThat(done.await(30, TimeUnit.SECONDS))
                    .as("the subscription caught up with the acknowledged events")
                    .isTrue();
        }
        return seen;
    }

    private static void assertWritesRefused(EmbeddedEventStore store) {
        assertThatThrownBy(() -> store.append("b", ExpectedVersion.any(), List.of(event(0))))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("read-only")
                .hasCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> store.appendMulti(
                        List.of(new io.factum.api.StreamAppend("b", ExpectedVersion.any(), List.of(event(0)))),
                        Optional.empty()))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("read-only");
        assertThatThrownBy(() -> store.setStreamMetadata(
                        "a", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(1)))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("read-only");
        assertThatThrownBy(() -> store.delete("a", ExpectedVersion.any()))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("read-only");
        assertThatThrownBy(() -> store.tombstone("a", ExpectedVersion.any()))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining("read-only");
    }

    private static List<Long> positionsOf(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::position).toList();
    }

    private static EventData event(int i) {
        return EventData.json("e", "{\"i\":" + i + "}");
    }
}
