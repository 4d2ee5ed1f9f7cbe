package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.factum.api.Direction;
import io.factum.engine.internal.index.StreamIndex.Options;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to every kind of file the index writes: a flipped byte or a truncation is always reported
 * with the file (and an offset), by open, by the read that meets it, and by verify; it never turns
 * into a wrong answer.
 */
class StreamIndexCorruptionTest {

    /**
     * Three files of 400, 400 and 200 entries: three entry blocks and two name blocks each. With the
     * default open check, all three (about 40 KiB) are checked whole at open.
     */
    private static final Options OPTIONS = new Options(400, 64, 10);

    /** The same, with no block checked at open: damage in a block is met by a read. */
    private static final Options NO_OPEN_CHECK = new Options(400, 64, 10, 0);

    @TempDir
    Path dir;

    private final ModelLog log = new ModelLog();

    @BeforeEach
    void writeIndex() throws IOException {
        try (StreamIndex index = StreamIndex.open(dir, OPTIONS, log)) {
            for (int v = 0; v < 34; v++) {
                for (int s = 0; s < 30; s++) {
                    // 150+ byte names: the 30 names need two name blocks per file.
                    log.append(index, "stream-" + s + "-" + "x".repeat(150 + s), v);
                }
            }
        } // close flushes the third file
        assertThat(indexFiles()).hasSize(3);
        assertThat(StreamIndex.verify(dir, log).problems()).isEmpty();
    }

    private List<Path> indexFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> IndexFormat.seqOf(p).isPresent()).sorted().toList();
        }
    }

    @Test
    void every_flipped_byte_is_refused_by_open_when_the_files_are_within_the_open_check() throws IOException {
        int flips = flipEverywhere(this::assertRefusedByOpen);
        assertThat(flips).isGreaterThan(1000);
    }

    @Test
    void without_the_open_check_every_flipped_byte_is_refused_by_open_or_marked_by_the_read() throws IOException {
        int flips = flipEverywhere(this::assertReportedByOpenOrRead);
        assertThat(flips).isGreaterThan(1000);
    }

    @FunctionalInterface
    private interface FlipCheck {
        void check(Path file, long offset) throws IOException;
    }

    /** Flips each byte of {@link #offsetsToFlip} in turn, checks, undoes it; returns the flips. */
    private int flipEverywhere(FlipCheck check) throws IOException {
        List<Path> files = new ArrayList<>(indexFiles());
        assertThat(files).hasSize(3);
        files.add(dir.resolve(Manifest.NAME));
        int flips = 0;
        for (Path file : files) {
            for (long offset : offsetsToFlip(file)) {
                flip(file, offset);
                try {
                    check.check(file, offset);
                } finally {
                    flip(file, offset);
                }
                flips++;
            }
        }
        assertThat(StreamIndex.verify(dir, log).problems()).isEmpty(); // every flip was undone
        return flips;
    }

    /** Every byte of the header, footer, meta section and manifest; every 29th byte of the blocks. */
    private static TreeSet<Long> offsetsToFlip(Path file) throws IOException {
        long size = Files.size(file);
        TreeSet<Long> offsets = new TreeSet<>();
        if (file.getFileName().toString().equals(Manifest.NAME)) {
            for (long o = 0; o < size; o++) {
                offsets.add(o);
            }
            return offsets;
        }
        IndexFile f = IndexFile.open(file, IndexFormat.seqOf(file).orElseThrow());
        long metaOffset = f.footer().metaOffset();
        f.closeChannel();
        for (long o = 0; o < IndexFormat.HEADER_BYTES; o++) {
            offsets.add(o);
        }
        for (long o = IndexFormat.HEADER_BYTES; o < metaOffset; o += 29) {
            offsets.add(o);
        }
        for (long o = metaOffset; o < size; o++) {
            offsets.add(o);
        }
        return offsets;
    }

    private void assertVerifyReports(Path file, long offset) throws IOException {
        IndexVerification v = StreamIndex.verify(dir, log);
        assertThat(v.problems())
                .as("verify after a flip at %s:%d", file.getFileName(), offset)
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.file()).isEqualTo(file));
    }

    private void assertRefusedByOpen(Path file, long offset) throws IOException {
        assertVerifyReports(file, offset);
        assertThat(StreamIndex.openProblem(dir))
                .as("openProblem after a flip at %s:%d", file.getFileName(), offset)
                .hasValueSatisfying(e -> assertThat(e.file()).isEqualTo(file));
        assertThatThrownBy(() -> StreamIndex.open(dir, OPTIONS, log).close())
                .as("open after a flip at %s:%d", file.getFileName(), offset)
                .isInstanceOfSatisfying(CorruptIndexException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.getMessage()).contains(file.toString(), "offset");
                });
    }

    /**
     * Open refuses the flip, or open takes it and a read meets it: that read names the file and says
     * the index is marked for rebuild, and the next open refuses the index because of the marker.
     */
    private void assertReportedByOpenOrRead(Path file, long offset) throws IOException {
        assertVerifyReports(file, offset);
        StreamIndex index;
        try {
            index = StreamIndex.open(dir, NO_OPEN_CHECK, log);
        } catch (CorruptIndexException e) {
            assertThat(e.file()).isEqualTo(file);
            assertThat(e.getMessage()).contains(file.toString(), "offset");
            return;
        }
        boolean readFailed = false;
        try {
            for (String stream : log.streamNames()) {
                try {
                    assertThat(index.lastVersion(stream)).isEqualTo(log.lastVersion(stream));
                    log.assertRead(index, stream, 0, Direction.FORWARDS, Integer.MAX_VALUE);
                } catch (CorruptIndexException e) {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.getMessage()).contains("marked for rebuild", "next open");
                    readFailed = true;
                }
            }
        } finally {
            index.close();
        }
        assertThat(readFailed)
                .as("a flip at %s:%d went unnoticed by open and every read", file.getFileName(), offset)
                .isTrue();
        Path marker = dir.resolve(StreamIndex.REBUILD_MARKER);
        assertThatThrownBy(() -> StreamIndex.open(dir, NO_OPEN_CHECK, log))
                .isInstanceOfSatisfying(
                        CorruptIndexException.class, e -> assertThat(e.file()).isEqualTo(marker));
        Files.delete(marker); // undone with the flip, for the next case
    }

    @Test
    void truncated_files_are_refused() throws IOException {
        List<Path> files = new ArrayList<>(indexFiles());
        files.add(dir.resolve(Manifest.NAME));
        for (Path file : files) {
            byte[] original = Files.readAllBytes(file);
            for (int length : new int[] {0, 1, original.length / 2, original.length - 1}) {
                Files.write(file, java.util.Arrays.copyOf(original, length));
                assertThatThrownBy(() -> StreamIndex.open(dir, OPTIONS, log).close())
                        .as("open with %s truncated to %d", file.getFileName(), length)
                        .isInstanceOfSatisfying(CorruptIndexException.class, e -> assertThat(e.file())
                                .isEqualTo(file));
                assertThat(StreamIndex.verify(dir, log).problems()).isNotEmpty().allSatisfy(p -> assertThat(p.file())
                        .isEqualTo(file));
            }
            Files.write(file, original);
        }
        try (StreamIndex index = StreamIndex.open(dir, OPTIONS, log)) {
            log.assertIndexMatches(index);
        }
    }

    @Test
    void a_missing_file_is_refused() throws IOException {
        Path file = indexFiles().get(1);
        Files.delete(file);
        assertThatThrownBy(() -> StreamIndex.open(dir, OPTIONS, log))
                .isInstanceOfSatisfying(
                        CorruptIndexException.class, e -> assertThat(e.file()).isEqualTo(file))
                .hasMessageContaining("missing");
        assertThat(StreamIndex.verify(dir, log).problems())
                .extracting(IndexVerification.Problem::file)
                .containsExactly(file);
    }

    @Test
    void verify_reports_entries_the_log_disagrees_with() throws IOException {
        StreamIndex.EntryChecker wrongVersion =
                p -> log.eventAt(p).map(e -> p == 500 ? new StreamIndex.LoggedEvent(e.stream(), e.version() + 1) : e);
        IndexVerification v = StreamIndex.verify(dir, wrongVersion);
        assertThat(v.problems()).singleElement().satisfies(p -> {
            assertThat(p.description()).contains("position 500", "version");
            assertThat(p.offset()).isPositive();
        });
        StreamIndex.EntryChecker otherStream =
                p -> log.eventAt(p).map(e -> p == 7 ? new StreamIndex.LoggedEvent("someone-else", e.version()) : e);
        assertThat(StreamIndex.verify(dir, otherStream).problems())
                .singleElement()
                .satisfies(p -> assertThat(p.description()).contains("someone-else"));
        assertThat(StreamIndex.verify(dir, p -> java.util.Optional.empty()).problems())
                .hasSize((int) log.entries());
        IndexVerification ok = StreamIndex.verify(dir, log);
        assertThat(ok.ok()).isTrue();
        assertThat(ok.filesChecked()).isEqualTo(3);
        assertThat(ok.entriesChecked()).isEqualTo(log.entries());
        assertThat(ok.indexedUpTo()).isEqualTo(log.lastPosition());
    }

    @Test
    void a_merge_never_copies_a_damaged_block_fails_the_index_and_marks_it_for_rebuild()
            throws IOException, InterruptedException {
        Path file = indexFiles().get(0);
        IndexFile f = IndexFile.open(file, IndexFormat.seqOf(file).orElseThrow());
        long blockOffset = f.entryBlockOffset(1);
        f.closeChannel();
        flip(file, blockOffset + 100);
        try (StreamIndex index = StreamIndex.open(dir, new Options(400, 2, 10, 0), log)) {
            index.awaitMerges();
            assertThat(index.fileCount()).isEqualTo(3); // the merge gave up; nothing was replaced
            assertThat(index.markedForRebuild()).isTrue();
            assertThatThrownBy(() -> index.add("s", 0, log.lastPosition() + 1))
                    .isInstanceOf(IOException.class)
                    .hasRootCauseInstanceOf(CorruptIndexException.class)
                    .cause()
                    .hasMessageContaining("marked for rebuild");
        }
        Path marker = dir.resolve(StreamIndex.REBUILD_MARKER);
        assertThat(StreamIndex.verify(dir, log).problems())
                .extracting(IndexVerification.Problem::file, IndexVerification.Problem::offset)
                .containsExactly(tuple(marker, 0L), tuple(file, blockOffset));
        assertThatThrownBy(() -> StreamIndex.open(dir, OPTIONS, log))
                .isInstanceOfSatisfying(
                        CorruptIndexException.class, e -> assertThat(e.file()).isEqualTo(marker));
    }

    private static void flip(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) ~b.get(0));
            ch.write(b.rewind(), offset);
        }
    }
}
