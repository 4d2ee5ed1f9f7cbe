package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage in a block that open does not read (a file beyond {@link Options#openCheckBytes}): the read
 * that meets it fails with an error saying the index is marked for rebuild, the marker is durable,
 * the next open refuses the index, and the rebuild the engine then does (delete, replay the log)
 * answers every read again. Damage in a file within the budget is refused by open itself.
 *
 * <p>The index: one big file of 3,000 entries (18 entry blocks) written first, and one small file
 * of 100 entries (one block) written after it.
 */
class StreamIndexRebuildMarkerTest {
    private static final int STREAMS = 20;

    @TempDir
    Path dir;

    private final ModelLog log = new ModelLog();
    private Path bigFile;
    private Path smallFile;
    private Options smallOnly;

    @BeforeEach
    void writeIndex() throws IOException {
        try (StreamIndex index = StreamIndex.open(dir, new Options(1 << 16, 64, 10), log)) {
            for (int v = 0; v < 3_000 / STREAMS; v++) {
                for (int s = 0; s < STREAMS; s++) {
                    log.append(index, "stream-" + s, v);
                }
            }
            index.flush();
            for (int i = 0; i < 100; i++) {
                log.append(index, "late-" + (i % 5), i / 5);
            }
        }
        List<Path> files = indexFiles();
        assertThat(files).hasSize(2);
        bigFile = files.get(0); // the lower number: written first
        smallFile = files.get(1);
        assertThat(Files.size(bigFile)).isGreaterThan(Files.size(smallFile) * 10);
        smallOnly = new Options(1 << 16, 64, 10, Files.size(smallFile) + Files.size(bigFile) - 1);
    }

    /** An open check that covers the small file but not the big one. */
    private Options smallOnly() {
        return smallOnly;
    }

    @Test
    void a_read_that_meets_damage_beyond_the_open_check_marks_the_index_and_the_next_open_rebuilds()
            throws IOException {
        long damaged = flipInEntryBlock(bigFile, 9);
        Path marker = dir.resolve(StreamIndex.REBUILD_MARKER);
        List<CorruptIndexException> failures = new ArrayList<>();
        try (StreamIndex index = StreamIndex.open(dir, smallOnly(), log)) {
            assertThat(index.markedForRebuild()).isFalse();
            for (String stream : log.streamNames()) {
                try {
                    log.assertRead(index, stream, 0, Direction.FORWARDS, Integer.MAX_VALUE);
                } catch (CorruptIndexException e) {
                    failures.add(e);
                }
            }
            assertThat(failures).isNotEmpty().allSatisfy(e -> {
                assertThat(e.file()).isEqualTo(bigFile);
                assertThat(e.offset()).isEqualTo(damaged);
                assertThat(e.getMessage())
                        .contains(bigFile.toString(), "checksum mismatch", "marked for rebuild", marker.toString())
                        .contains("next open of the store rebuilds it from the log", "restart the store");
                assertThat(e.getCause()).isInstanceOf(CorruptIndexException.class);
            });
            assertThat(index.markedForRebuild()).isTrue();
            assertThat(Files.readString(marker)).contains(bigFile.toString(), "entry block 9 checksum mismatch");
            // Streams whose entries are elsewhere still read.
            log.assertRead(index, "late-3", 0, Direction.FORWARDS, Integer.MAX_VALUE);
        }
        assertThat(StreamIndex.openProblem(dir, 0))
                .hasValueSatisfying(e -> assertThat(e.file()).isEqualTo(marker));
        assertThatThrownBy(() -> StreamIndex.open(dir, smallOnly(), log))
                .isInstanceOfSatisfying(CorruptIndexException.class, e -> {
                    assertThat(e.file()).isEqualTo(marker);
                    assertThat(e.getMessage()).contains("marked for rebuild", "entry block 9 checksum mismatch");
                });

        rebuildAsTheEngineDoes(smallOnly());

        assertThat(marker).doesNotExist();
        try (StreamIndex index = StreamIndex.open(dir, smallOnly(), log)) {
            log.assertIndexMatches(index);
        }
        assertThat(StreamIndex.verify(dir, log).problems()).isEmpty();
    }

    @Test
    void last_version_that_meets_damage_marks_the_index_too() throws IOException {
        // lastVersion reads the newest file holding the stream: for stream-* that is the big one,
        // whose name blocks come first.
        IndexFile f = IndexFile.open(bigFile, IndexFormat.seqOf(bigFile).orElseThrow());
        long nameBlock = f.nameBlockOffset(0);
        f.closeChannel();
        flip(bigFile, nameBlock + 20);
        try (StreamIndex index = StreamIndex.open(dir, smallOnly(), log)) {
            assertThatThrownBy(() -> {
                        for (String stream : log.streamNames()) {
                            index.lastVersion(stream);
                        }
                    })
                    .isInstanceOfSatisfying(CorruptIndexException.class, e -> {
                        assertThat(e.file()).isEqualTo(bigFile);
                        assertThat(e.getMessage()).contains("name block 0", "marked for rebuild");
                    });
            assertThat(index.markedForRebuild()).isTrue();
        }
        assertThat(dir.resolve(StreamIndex.REBUILD_MARKER)).exists();
    }

    @Test
    void readers_that_meet_damage_together_all_get_the_marked_error() throws Exception {
        flipInEntryBlock(bigFile, 0);
        flipInEntryBlock(bigFile, 17);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (StreamIndex index = StreamIndex.open(dir, smallOnly(), log)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<CorruptIndexException>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<CorruptIndexException> seen = new ArrayList<>();
                    for (int s = 0; s < STREAMS; s++) {
                        try {
                            index.read("stream-" + s, 0, Direction.FORWARDS, Integer.MAX_VALUE);
                        } catch (CorruptIndexException e) {
                            seen.add(e);
                        }
                    }
                    return seen;
                }));
            }
            start.countDown();
            for (Future<List<CorruptIndexException>> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isNotEmpty().allSatisfy(e -> assertThat(e.getMessage())
                        .contains("marked for rebuild"));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(dir.resolve(StreamIndex.REBUILD_MARKER)).exists();
    }

    @Test
    void when_the_marker_cannot_be_written_the_error_says_to_rebuild_by_hand() throws IOException {
        flipInEntryBlock(bigFile, 3);
        try (StreamIndex index = StreamIndex.open(dir, smallOnly(), log)) {
            // A directory where the marker file should go: writing it fails.
            Files.createDirectory(dir.resolve(StreamIndex.REBUILD_MARKER));
            assertThatThrownBy(() -> {
                        for (String stream : log.streamNames()) {
                            index.read(stream, 0, Direction.FORWARDS, Integer.MAX_VALUE);
                        }
                    })
                    .isInstanceOfSatisfying(CorruptIndexException.class, e -> {
                        assertThat(e.file()).isEqualTo(bigFile);
                        assertThat(e.getMessage()).contains("marking it for rebuild failed", "rebuild-index");
                        assertThat(e.getSuppressed()).hasSize(1);
                    });
            assertThat(index.markedForRebuild()).isFalse();
        }
    }

    @Test
    void open_refuses_damage_in_a_block_of_a_file_within_the_open_check() throws IOException {
        long damaged = flipInEntryBlock(smallFile, 0);
        assertThatThrownBy(() -> StreamIndex.open(dir, smallOnly(), log))
                .isInstanceOfSatisfying(CorruptIndexException.class, e -> {
                    assertThat(e.file()).isEqualTo(smallFile);
                    assertThat(e.offset()).isEqualTo(damaged);
                    assertThat(e.getMessage()).contains("entry block 0 checksum mismatch");
                });
        assertThat(StreamIndex.openProblem(dir))
                .hasValueSatisfying(e -> assertThat(e.file()).isEqualTo(smallFile));
        assertThat(dir.resolve(StreamIndex.REBUILD_MARKER))
                .as("open refuses; it leaves the rebuild to the engine")
                .doesNotExist();
        // Without the open check the damage passes open (and a read would meet it).
        assertThat(StreamIndex.openProblem(dir, 0)).isEmpty();
        StreamIndex.open(dir, new Options(1 << 16, 64, 10, 0), log).close();
    }

    @Test
    void open_checks_name_blocks_too() throws IOException {
        IndexFile f = IndexFile.open(smallFile, IndexFormat.seqOf(smallFile).orElseThrow());
        long nameBlock = f.nameBlockOffset(0);
        f.closeChannel();
        flip(smallFile, nameBlock + 15);
        assertThatThrownBy(() -> StreamIndex.open(dir, smallOnly(), log))
                .isInstanceOfSatisfying(CorruptIndexException.class, e -> {
                    assertThat(e.file()).isEqualTo(smallFile);
                    assertThat(e.getMessage()).contains("name block 0");
                });
    }

    @Test
    void the_open_check_takes_the_smallest_files_first_and_stops_at_the_budget() throws IOException {
        flipInEntryBlock(bigFile, 5);
        long both = Files.size(smallFile) + Files.size(bigFile);
        assertThat(StreamIndex.openProblem(dir, both - 1))
                .as("big file beyond the budget")
                .isEmpty();
        assertThat(StreamIndex.openProblem(dir, both))
                .hasValueSatisfying(e -> assertThat(e.file()).isEqualTo(bigFile));
        assertThat(StreamIndex.openProblem(dir)).as("default budget: 64 MiB").isPresent();
    }

    /** What the engine's open does when the index refuses: delete it and replay the whole log. */
    private void rebuildAsTheEngineDoes(Options options) throws IOException {
        StreamIndex.delete(dir);
        try (StreamIndex index = StreamIndex.open(dir, options, log)) {
            assertThat(index.indexedUpTo()).isEqualTo(-1);
            assertThat(log.replay(index)).isEqualTo(log.entries());
        }
    }

    private List<Path> indexFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> IndexFormat.seqOf(p).isPresent()).sorted().toList();
        }
    }

    /** Flips a byte inside an entry block's entries; returns the block's offset. */
    private static long flipInEntryBlock(Path file, int block) throws IOException {
        IndexFile f = IndexFile.open(file, IndexFormat.seqOf(file).orElseThrow());
        long offset = f.entryBlockOffset(block);
        f.closeChannel();
        flip(file, offset + IndexFormat.ENTRY_BLOCK_HEADER + 7);
        return offset;
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
