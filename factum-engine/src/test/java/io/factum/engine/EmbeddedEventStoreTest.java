package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Engine behaviour beyond the contract: what survives a restart, the lock, the index rebuild. */
class EmbeddedEventStoreTest {
    @TempDir
    Path dir;

    private EngineOptions options() {
        return EngineOptions.defaults(dir).withSegmentSizeBytes(1 << 16).withIndexMemtableEntries(100);
    }

    private static List<EventData> events(int n, String prefix) {
        List<EventData> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(EventData.json(prefix + "-happened", "{\"i\":" + i + ",\"pad\":\"" + "x".repeat(100) + "\"}"));
        }
        return out;
    }

    @Test
    void everythingSurvivesReopenAndPositionsContinue() throws IOException {
        List<RecordedEvent> before;
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            for (int s = 0; s < 20; s++) {
                store.append("order-" + s, ExpectedVersion.noStream(), events(30, "order"));
            }
            store.setStreamMetadata(
                    "order-3", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(5));
            store.tombstone("order-4", ExpectedVersion.any());
            before = store.readAll(ReadAllOptions.forwards(0, 10_000)).events();
            assertThat(store.stats().segmentCount()).as("small segments roll").isGreaterThan(1);
        }
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            assertThat(store.readAll(ReadAllOptions.forwards(0, 10_000)).events())
                    .isEqualTo(before);
            assertThat(store.readStream("order-3", 0, Direction.FORWARDS, 100).events())
                    .extracting(RecordedEvent::version)
                    .containsExactly(25L, 26L, 27L, 28L, 29L);
            assertThatThrownBy(() -> store.readStream("order-4", 0, Direction.FORWARDS, 10))
                    .isInstanceOf(StreamDeletedException.class);
            AppendResult next = store.append("order-0", ExpectedVersion.exactly(29), events(1, "order"));
            assertThat(next.streamVersion()).isEqualTo(30);
            assertThat(next.position()).isEqualTo(before.get(before.size() - 1).position() + 1);
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedWithAClearError() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            assertThatThrownBy(() -> EmbeddedEventStore.open(options()))
                    .isInstanceOf(DataDirectoryLockedException.class)
                    .hasMessageContaining(dir.toString());
        }
        EmbeddedEventStore.open(options()).close();
    }

    @Test
    void retriesWithAnyAreRecognisedAfterARestart() throws IOException {
        List<EventData> batch = events(3, "payment");
        AppendResult first;
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            first = store.append("payment-1", ExpectedVersion.any(), batch);
        }
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            AppendResult retry = store.append("payment-1", ExpectedVersion.any(), batch);
            assertThat(retry.written()).isFalse();
            assertThat(retry.streamVersion()).isEqualTo(first.streamVersion());
            assertThat(retry.position()).isEqualTo(first.position());
            assertThat(store.headPosition()).isEqualTo(first.position());
        }
    }

    @Test
    void rebuildingTheIndexFromTheLogGivesTheSameAnswers() throws IOException {
        List<List<RecordedEvent>> streams = new ArrayList<>();
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            for (int s = 0; s < 10; s++) {
                store.append("cart-" + s, ExpectedVersion.any(), events(25, "cart"));
            }
            for (int s = 0; s < 10; s++) {
                streams.add(store.readStream("cart-" + s, 0, Direction.FORWARDS, 100)
                        .events());
            }
        }
        assertThat(EmbeddedEventStore.rebuildIndex(options())).isEqualTo(250);
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            for (int s = 0; s < 10; s++) {
                assertThat(store.readStream("cart-" + s, 0, Direction.FORWARDS, 100)
                                .events())
                        .isEqualTo(streams.get(s));
            }
            assertThat(store.stats().streamCount()).isEqualTo(10);
        }
    }

    @Test
    void aDamagedIndexIsRebuiltFromTheLogAtOpen() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            for (int s = 0; s < 5; s++) {
                store.append("item-" + s, ExpectedVersion.any(), events(40, "item"));
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve("index"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                if (bytes.length > 8) {
                    bytes[bytes.length / 2] ^= 0x5A;
                    Files.write(file, bytes);
                }
            }
        }
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            for (int s = 0; s < 5; s++) {
                ReadStreamResult read = store.readStream("item-" + s, 0, Direction.FORWARDS, 100);
                assertThat(read.events()).hasSize(40);
                assertThat(read.events()).extracting(RecordedEvent::version).doesNotHaveDuplicates();
            }
        }
    }

    @Test
    void aSoftDeletedStreamComesBackWithItsVersionsContinuedAfterARestart() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            store.append("basket", ExpectedVersion.noStream(), events(3, "basket"));
            store.delete("basket", ExpectedVersion.exactly(2));
        }
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            assertThat(store.readStream("basket", 0, Direction.FORWARDS, 10))
                    .isInstanceOf(ReadStreamResult.NotFound.class);
            AppendResult again = store.append("basket", ExpectedVersion.noStream(), events(1, "basket"));
            assertThat(again.streamVersion()).isEqualTo(3);
            assertThat(store.readStream("basket", 0, Direction.FORWARDS, 10).events())
                    .extracting(RecordedEvent::version)
                    .containsExactly(3L);
        }
    }

    @Test
    void anIndexAheadOfTheLogIsRebuiltRatherThanTrusted() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            for (int i = 0; i < 5; i++) {
                store.append("meter-" + i, ExpectedVersion.any(), events(1, "meter"));
            }
        }
        // What a power loss under Durability.NO_FSYNC can leave: the index (persisted at close)
        // covers a frame that the log no longer has. Without a checkpoint the log recovers by scan.
        Files.delete(dir.resolve("log").resolve("checkpoint"));
        Path segment;
        try (Stream<Path> files = Files.list(dir.resolve("log"))) {
            segment = files.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        Files.write(segment, java.util.Arrays.copyOf(bytes, bytes.length - 3));

        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            assertThat(store.headPosition()).isEqualTo(3);
            assertThat(store.readStream("meter-4", 0, Direction.FORWARDS, 10))
                    .isInstanceOf(ReadStreamResult.NotFound.class);
            assertThat(store.readStream("meter-3", 0, Direction.FORWARDS, 10).events())
                    .hasSize(1);
            assertThat(store.append("meter-4", ExpectedVersion.noStream(), events(1, "meter"))
                            .position())
                    .isEqualTo(4);
        }
    }
}
