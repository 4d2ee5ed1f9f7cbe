package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StreamMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EmbeddedEventStore#verify}: a sound store is ok with the right counts, verify changes no
 * file, each kind of damage is named by file and offset, and a store that is open is not verified.
 *
 * <p>The store is written through the engine with 64 KiB segments and a 200-entry index memtable (about seven index files, below the merge threshold), so
 * it has several sealed segments and several index files. The expected counts come from what the
 * test wrote (one frame per write call), not from the engine.
 */
class StoreVerifyTest {
    private static final int ROUNDS = 40;
    private static final int STREAMS = 10;
    private static final int EVENTS_PER_APPEND = 3;

    /** Each record has an entry in the stream index and one (its type) in the tag and type index. */
    private static final int BOTH_INDEXES = 2;

    @TempDir
    Path tmp;

    private Path dataDir;
    private long framesWritten;
    private long head;

    private EngineOptions options() {
        return EngineOptions.defaults(dataDir).withSegmentSizeBytes(1 << 16).withIndexMemtableEntries(200);
    }

    @BeforeEach
    void writeStore() throws IOException {
        dataDir = tmp.resolve("store");
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            for (int round = 0; round < ROUNDS; round++) {
                for (int s = 0; s < STREAMS; s++) {
                    store.append("order-" + s, ExpectedVersion.any(), events(EVENTS_PER_APPEND));
                    framesWritten++;
                }
            }
            store.setStreamMetadata(
                    "order-3", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(5));
            store.tombstone("order-4", ExpectedVersion.any());
            store.delete("order-5", ExpectedVersion.any());
            framesWritten += 3;
            head = store.headPosition();
        }
        assertThat(segments()).as("small segments roll").hasSizeGreaterThanOrEqualTo(3);
        assertThat(liveIndexFiles())
                .as("a small memtable makes several index files")
                .hasSizeGreaterThan(1);
    }

    private static List<EventData> events(int n) {
        List<EventData> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(EventData.json("order-placed", "{\"i\":" + i + ",\"pad\":\"" + "x".repeat(100) + "\"}"));
        }
        return out;
    }

    @Test
    void soundStoreIsOkWithCorrectCounts() throws IOException {
        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.dataDir()).isEqualTo(dataDir);
        assertThat(report.segmentsChecked()).isEqualTo(segments().size());
        assertThat(report.framesChecked()).isEqualTo(framesWritten);
        assertThat(report.recordsChecked()).isEqualTo(head + 1);
        assertThat(report.indexEntriesChecked())
                .as("every record is indexed twice: by stream, and by type (these events have no tags)")
                .isEqualTo(BOTH_INDEXES * (head + 1));
    }

    @Test
    void verifyChangesNoFile() throws IOException {
        Map<String, String> before = snapshot(dataDir);

        EmbeddedEventStore.verify(dataDir);

        assertThat(snapshot(dataDir)).isEqualTo(before);
    }

    @Test
    void reportsAFlippedPayloadByteInASealedSegment() throws IOException {
        Path sealed = segments().get(1);
        long frame = frameOffsets(sealed).get(2);
        flipByte(sealed, frame + 12 + 40);

        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.problems())
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(sealed, frame));
        assertThat(report.problems().get(0).description()).contains("checksum");
        assertThat(report.framesChecked()).isEqualTo(framesWritten - 1);
        assertThat(report.indexEntriesChecked())
                .as("only the entries of the damaged frame cannot be checked; the reader resumes after it")
                .isEqualTo(BOTH_INDEXES * (head + 1 - EVENTS_PER_APPEND));
    }

    @Test
    void reportsADamagedSegmentHeader() throws IOException {
        Path sealed = segments().get(1);
        flipByte(sealed, 12);

        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(sealed);
            assertThat(p.offset()).isBetween(0L, 31L);
        });
        assertThat(report.indexEntriesChecked()).isEqualTo(BOTH_INDEXES * (head + 1));
    }

    @Test
    void reportsADamagedIndexFileHeaderThatTheNextOpenRebuilds() throws IOException {
        Path file = liveIndexFiles().get(0);
        flipByte(file, 20);

        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(file);
            assertThat(p.offset()).isBetween(0L, 63L);
            assertThat(p.description())
                    .startsWith("index file damaged")
                    .endsWith("the next open rebuilds the index from the log");
        });
        EmbeddedEventStore.open(options()).close();
        assertThat(EmbeddedEventStore.verify(dataDir).ok())
                .as("as the description says, opening rebuilt the index")
                .isTrue();
    }

    /** This index is far below the 64 MiB open check: open reads every block and sees the damage. */
    @Test
    void reportsADamagedIndexBlockThatTheNextOpenRebuilds() throws IOException {
        Path file = liveIndexFiles().get(0);
        long flipped = 64 + 20;
        flipByte(file, flipped);

        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(file);
            assertThat(p.offset()).as("the damaged block's offset").isBetween(64L, flipped);
            assertThat(p.description())
                    .startsWith("index file damaged")
                    .endsWith("the next open rebuilds the index from the log");
        });
        EmbeddedEventStore.open(options()).close();
        assertThat(EmbeddedEventStore.verify(dataDir).ok())
                .as("as the description says, opening rebuilt the index")
                .isTrue();
    }

    @Test
    void reportsADamagedManifest() throws IOException {
        Path manifest = dataDir.resolve("index").resolve("MANIFEST");
        long size = Files.size(manifest);
        flipByte(manifest, 30);

        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(manifest);
            assertThat(p.offset()).isBetween(0L, size);
            assertThat(p.description()).endsWith("the next open rebuilds the index from the log");
        });
        assertThat(report.indexEntriesChecked())
                .as("the stream index is not read past its damaged manifest; the tag index is checked")
                .isEqualTo(head + 1);
        assertThat(report.recordsChecked()).isEqualTo(head + 1);
    }

    /**
     * A partial frame after the last acknowledged one is what a crash mid-write leaves. The log's own
     * verify reports it as a torn tail (its rule, followed here); it is not damage of acknowledged
     * data: the next open zeroes it and every acknowledged record is still there.
     */
    @Test
    void reportsATornTailThatOpeningZeroesWithoutLoss() throws IOException {
        Path last = segments().get(segments().size() - 1);
        long dataEnd = dataEnd(last);
        byte[] partial = ByteBuffer.allocate(20)
                .putInt(0xF7C91A5E)
                .putInt(4000)
                .putInt(0)
                .putLong(head + 1)
                .array();
        // Right after the last frame, inside the preallocated zeros, where the next write would go.
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(partial), dataEnd);
        }
        Map<String, String> before = snapshot(dataDir);

        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(last);
            assertThat(p.offset()).isEqualTo(dataEnd);
            assertThat(p.description()).contains("torn tail");
        });
        assertThat(report.indexEntriesChecked()).isEqualTo(BOTH_INDEXES * (head + 1));
        assertThat(snapshot(dataDir)).as("verify does not truncate the tail").isEqualTo(before);

        EmbeddedEventStore.open(options()).close();
        VerifyReport after = EmbeddedEventStore.verify(dataDir);
        assertThat(after.ok()).isTrue();
        assertThat(after.recordsChecked()).isEqualTo(head + 1);
    }

    /**
     * Cutting into the last frame, which the checkpoint vouches for, loses acknowledged data: the log
     * reports the torn tail and the checkpoint frame, and the index, which covers the lost records,
     * is reported as ahead of the log.
     */
    @Test
    void reportsALastSegmentCutInsideTheCheckpointedFrame() throws IOException {
        Path last = segments().get(segments().size() - 1);
        List<Long> frames = frameOffsets(last);
        long lastFrame = frames.get(frames.size() - 1);
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE)) {
            channel.truncate(lastFrame + 17);
        }

        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.problems())
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .startsWith(tuple(last, lastFrame), tuple(last, lastFrame));
        assertThat(report.problems().get(0).description()).contains("torn tail");
        assertThat(report.problems().get(1).description()).contains("checkpoint");
        assertThat(report.problems())
                .anySatisfy(p -> assertThat(p.file().getFileName()).hasToString("MANIFEST"))
                .anySatisfy(p -> assertThat(p.description()).contains("holds no event at position " + head));
    }

    @Test
    void anIndexThatLagsTheLogIsNotAProblem() throws IOException {
        Path oldIndex = tmp.resolve("old-index");
        copyDirectory(dataDir.resolve("index"), oldIndex);
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            store.append("order-0", ExpectedVersion.any(), events(EVENTS_PER_APPEND));
            head = store.headPosition();
        }
        deleteDirectory(dataDir.resolve("index"));
        copyDirectory(oldIndex, dataDir.resolve("index"));

        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.problems()).isEmpty();
        assertThat(report.recordsChecked()).isEqualTo(head + 1);
        assertThat(report.indexEntriesChecked())
                .as("the lagging stream index, and the tag index, which is complete")
                .isEqualTo((head + 1 - EVENTS_PER_APPEND) + (head + 1));
    }

    @Test
    void aMissingIndexIsNotAProblem() throws IOException {
        deleteDirectory(dataDir.resolve("index"));
        deleteDirectory(dataDir.resolve("tag-index"));

        VerifyReport report = EmbeddedEventStore.verify(dataDir);

        assertThat(report.ok()).isTrue();
        assertThat(report.indexEntriesChecked()).isZero();
        assertThat(dataDir.resolve("index")).doesNotExist();
        assertThat(dataDir.resolve("tag-index")).doesNotExist();
    }

    @Test
    void aStoreThatIsOpenIsNotVerifiedAndVerifyReleasesTheLock() throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            assertThatThrownBy(() -> EmbeddedEventStore.verify(dataDir))
                    .isInstanceOf(DataDirectoryLockedException.class)
                    .hasMessageContaining(dataDir.toString());
            assertThat(store.headPosition()).as("the store is unaffected").isEqualTo(head);
        }
        assertThat(EmbeddedEventStore.verify(dataDir).ok()).isTrue();
        EmbeddedEventStore.open(options()).close();
    }

    @Test
    void aMissingDirectoryIsRefusedAndNotCreated() {
        Path missing = tmp.resolve("missing");

        assertThatThrownBy(() -> EmbeddedEventStore.verify(missing)).isInstanceOf(NoSuchFileException.class);
        assertThat(missing).doesNotExist();
    }

    // ---- helpers -------------------------------------------------------------------------------

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("log"))) {
            return files.filter(p -> p.getFileName().toString().matches("segment-\\d{20}\\.log"))
                    .sorted()
                    .toList();
        }
    }

    /** The files the manifest lists, read from its documented layout (seq at 56 + 40 i). */
    private List<Path> liveIndexFiles() throws IOException {
        Path indexDir = dataDir.resolve("index");
        ByteBuffer manifest = ByteBuffer.wrap(Files.readAllBytes(indexDir.resolve("MANIFEST")));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < manifest.getInt(12); i++) {
            files.add(indexDir.resolve(String.format("index-%020d.fidx", manifest.getLong(56 + 40 * i))));
        }
        return files;
    }

    /** Frame offsets of a segment, from the documented layout: a 32-byte header, then frames of 12 + length. */
    /** Offset just past the last frame of a segment. */
    private static long dataEnd(Path segment) throws IOException {
        List<Long> frames = frameOffsets(segment);
        long last = frames.get(frames.size() - 1);
        ByteBuffer header = ByteBuffer.allocate(8);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            channel.read(header, last);
        }
        return last + 12 + header.getInt(4);
    }

    private static List<Long> frameOffsets(Path segment) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
        List<Long> offsets = new ArrayList<>();
        // The active segment is preallocated: its frames end where a frame magic is missing.
        for (int at = 32; at + 12 <= bytes.limit() && bytes.getInt(at) == 0xF7C91A5E; at += 12 + bytes.getInt(at + 4)) {
            offsets.add((long) at);
        }
        return offsets;
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).clear();
            channel.write(one, offset);
        }
    }

    /** Every file and directory under {@code root}: path to size, modification time and SHA-256. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String key = root.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    out.put(key + "/", "directory");
                } else {
                    out.put(
                            key,
                            Files.size(p) + " bytes, modified " + Files.getLastModifiedTime(p) + ", sha256 "
                                    + sha256(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static void deleteDirectory(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }
}
