package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index damage that appears while the store is open (so open's check could not see it), as a large
 * index's unchecked blocks would: the read or the append that meets it fails with a message saying
 * the index is marked for rebuild and to restart; the restart rebuilds the index from the log and
 * every acknowledged event reads back.
 *
 * <p>One stream of 300 events and a 128-entry memtable: after a clean close its entries are only in
 * index files (three, below the merge threshold), so every lookup of the stream reads them.
 */
class EmbeddedEventStoreIndexDamageTest {
    private static final int EVENTS = 300;

    @TempDir
    Path dataDir;

    private EngineOptions options() {
        return EngineOptions.defaults(dataDir).withIndexMemtableEntries(128);
    }

    @BeforeEach
    void writeStore() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            for (int i = 0; i < EVENTS; i += 10) {
                store.append("a", ExpectedVersion.any(), events(10));
            }
        }
    }

    @Test
    void aReadThatMeetsDamageFailsClearlyAndTheRestartRebuilds() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            damageEveryIndexFile();
            assertThatThrownBy(() -> store.readStream("a", 0, Direction.FORWARDS, 1000))
                    .isInstanceOf(StoreFailedException.class)
                    .hasMessageContaining("reading stream 'a' failed")
                    .hasMessageContaining("marked for rebuild")
                    .hasMessageContaining("restart the store");
        }
        assertThat(dataDir.resolve("index").resolve("REBUILD")).exists();
        assertRecovered();
    }

    @Test
    void anAppendThatMeetsDamageStopsTheWriterAndTheRestartRebuilds() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            damageEveryIndexFile();
            assertThatThrownBy(() -> store.append("a", ExpectedVersion.any(), events(1)))
                    .isInstanceOf(StoreFailedException.class)
                    .hasMessageContaining("marked for rebuild")
                    .hasMessageContaining("restart the store");
            assertThatThrownBy(() -> store.append("b", ExpectedVersion.any(), events(1)))
                    .as("the writer fail-stops")
                    .isInstanceOf(StoreFailedException.class)
                    .hasMessageContaining("marked for rebuild");
        }
        assertRecovered();
    }

    /** Reopens: every event of "a" reads back in order, and the store appends after them. */
    private void assertRecovered() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            List<RecordedEvent> events =
                    store.readStream("a", 0, Direction.FORWARDS, 1000).events();
            assertThat(events).hasSize(EVENTS);
            for (int i = 0; i < EVENTS; i++) {
                assertThat(events.get(i).version()).isEqualTo(i);
            }
            assertThat(store.append("a", ExpectedVersion.exactly(EVENTS - 1), events(1))
                            .streamVersion())
                    .isEqualTo(EVENTS);
        }
        assertThat(dataDir.resolve("index").resolve("REBUILD")).doesNotExist();
        assertThat(EmbeddedEventStore.verify(dataDir).ok()).isTrue();
    }

    /** Flips the middle byte of every index file: inside its entry blocks, which open does not reread. */
    private void damageEveryIndexFile() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dataDir.resolve("index"))) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".fidx"))
                    .toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(2);
        for (Path file : files) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long at = ch.size() / 2;
                ByteBuffer one = ByteBuffer.allocate(1);
                ch.read(one, at);
                one.put(0, (byte) ~one.get(0)).clear();
                ch.write(one, at);
            }
        }
    }

    private static List<EventData> events(int n) {
        List<EventData> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(EventData.json("e", "{\"i\":" + i + "}"));
        }
        return out;
    }
}
