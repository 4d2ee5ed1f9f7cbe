package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Direction;
import io.factum.api.InvalidInputException;
import io.factum.engine.internal.index.StreamIndex.Entry;
import io.factum.engine.internal.index.StreamIndex.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamIndexTest {

    @TempDir
    Path dir;

    private final ModelLog log = new ModelLog();

    /** No merges: files stay as flushed, so reads cross the memtable and several files. */
    private static final Options MANY_FILES = new Options(7, 64, 10);

    private StreamIndex open(Options options) throws IOException {
        return StreamIndex.open(dir, options, log);
    }

    @Test
    void empty_index_has_nothing() throws IOException {
        try (StreamIndex index = open(Options.defaults())) {
            assertThat(index.indexedUpTo()).isEqualTo(-1);
            assertThat(index.lastVersion("s")).isEqualTo(-1);
            assertThat(index.read("s", 0, Direction.FORWARDS, 10)).isEmpty();
            assertThat(index.read("s", Long.MAX_VALUE, Direction.BACKWARDS, 10)).isEmpty();
            assertThat(index.entryCount()).isZero();
            assertThat(index.streamCount()).isZero();
            assertThat(index.fileCount()).isZero();
            assertThat(index.sizeBytes()).isZero();
        }
    }

    @Test
    void reads_forwards_and_backwards_with_limits_in_the_memtable() throws IOException {
        try (StreamIndex index = open(Options.defaults())) {
            for (int v = 0; v < 10; v++) {
                log.append(index, "a", v);
                log.append(index, "b", v);
            }
            assertThat(index.read("a", 3, Direction.FORWARDS, 2)).containsExactly(new Entry(3, 6), new Entry(4, 8));
            assertThat(index.read("b", 3, Direction.BACKWARDS, 2)).containsExactly(new Entry(3, 7), new Entry(2, 5));
            assertThat(index.read("a", Long.MAX_VALUE, Direction.BACKWARDS, 1)).containsExactly(new Entry(9, 18));
            assertThat(index.read("a", 10, Direction.FORWARDS, 5)).isEmpty();
            assertThat(index.read("a", 0, Direction.FORWARDS, 0)).isEmpty();
            assertThat(index.lastVersion("b")).isEqualTo(9);
            assertThat(index.fileCount()).isZero();
            log.assertIndexMatches(index);
        }
    }

    @Test
    void reads_across_memtable_and_several_files() throws IOException {
        try (StreamIndex index = open(MANY_FILES)) {
            appendInterleaved(index, 5, 20);
            index.flush();
            appendInterleaved(index, 5, 3); // some entries stay in the memtable
            assertThat(index.fileCount()).isGreaterThan(5);
            log.assertIndexMatches(index);
            // A read that spans files: from the first version, all 23 entries of one stream.
            assertThat(index.read("stream-2", 0, Direction.FORWARDS, 100)).hasSize(23);
            assertThat(index.read("stream-2", Long.MAX_VALUE, Direction.BACKWARDS, 100))
                    .extracting(Entry::version)
                    .isSortedAccordingTo((x, y) -> Long.compare(y, x))
                    .hasSize(23);
        }
    }

    @Test
    void merges_keep_every_entry_and_bound_the_file_count() throws IOException, InterruptedException {
        try (StreamIndex index = open(new Options(10, 3, 10))) {
            appendInterleaved(index, 13, 40);
            index.flush();
            index.awaitMerges();
            assertThat(index.fileCount()).isLessThanOrEqualTo(3);
            log.assertIndexMatches(index);
            // Only live files remain on disk: merged inputs were deleted once released.
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.filter(p -> IndexFormat.seqOf(p).isPresent()).count())
                        .isEqualTo(index.fileCount());
            }
        }
    }

    @Test
    void last_version_comes_from_the_newest_place() throws IOException {
        try (StreamIndex index = open(MANY_FILES)) {
            log.append(index, "old", 0);
            log.append(index, "old", 1);
            appendInterleaved(index, 3, 10); // pushes "old" into a file
            index.flush();
            log.append(index, "hot", 0);
            assertThat(index.lastVersion("old")).isEqualTo(1);
            assertThat(index.lastVersion("hot")).isZero();
            log.append(index, "old", 2);
            assertThat(index.lastVersion("old")).isEqualTo(2);
            assertThat(index.read("old", 0, Direction.FORWARDS, 10))
                    .extracting(Entry::version)
                    .containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void tombstone_version_long_max_is_an_ordinary_entry() throws IOException {
        try (StreamIndex index = open(MANY_FILES)) {
            log.append(index, "doomed", 0);
            log.append(index, "doomed", 1);
            log.append(index, "doomed", Long.MAX_VALUE);
            log.append(index, "never-written", Long.MAX_VALUE);
            assertThat(index.lastVersion("doomed")).isEqualTo(Long.MAX_VALUE);
            assertThat(index.read("doomed", Long.MAX_VALUE, Direction.FORWARDS, 5))
                    .containsExactly(new Entry(Long.MAX_VALUE, 2));
            assertThat(index.read("doomed", Long.MAX_VALUE, Direction.BACKWARDS, 2))
                    .containsExactly(new Entry(Long.MAX_VALUE, 2), new Entry(1, 1));
            assertThatThrownBy(() -> index.add("doomed", Long.MAX_VALUE, 100))
                    .isInstanceOf(IllegalArgumentException.class);
            index.flush();
            assertThat(index.lastVersion("doomed")).isEqualTo(Long.MAX_VALUE);
            assertThat(index.lastVersion("never-written")).isEqualTo(Long.MAX_VALUE);
            log.assertIndexMatches(index);
        }
        try (StreamIndex index = open(MANY_FILES)) {
            log.assertIndexMatches(index);
        }
    }

    @Test
    void reopen_keeps_everything_and_the_checkpoint() throws IOException {
        long upTo;
        try (StreamIndex index = open(MANY_FILES)) {
            appendInterleaved(index, 4, 12);
            upTo = index.indexedUpTo();
            assertThat(upTo).isEqualTo(log.lastPosition());
        } // close flushes
        try (StreamIndex index = open(MANY_FILES)) {
            assertThat(index.indexedUpTo()).isEqualTo(upTo);
            assertThat(index.entryCount()).isEqualTo(48);
            assertThat(index.streamCount()).isEqualTo(4);
            assertThat(log.replay(index)).isZero();
            log.assertIndexMatches(index);
            appendInterleaved(index, 6, 2);
            log.assertIndexMatches(index);
        }
        try (StreamIndex index = open(MANY_FILES)) {
            assertThat(index.streamCount()).isEqualTo(6);
            log.assertIndexMatches(index);
        }
    }

    @Test
    void flush_makes_the_checkpoint_durable_before_close() throws IOException {
        StreamIndex index = open(Options.defaults());
        appendInterleaved(index, 3, 5);
        index.flush();
        long flushedUpTo = index.indexedUpTo();
        log.append(index, "late", 0); // after the flush: lost in a crash, replayed from the log
        index.abandon();
        try (StreamIndex reopened = open(Options.defaults())) {
            assertThat(reopened.indexedUpTo()).isEqualTo(flushedUpTo);
            assertThat(reopened.lastVersion("late")).isEqualTo(-1);
            assertThat(log.replay(reopened)).isEqualTo(1);
            log.assertIndexMatches(reopened);
        }
    }

    @Test
    void a_crash_without_flush_loses_only_what_replay_restores() throws IOException {
        StreamIndex index = open(new Options(5, 3, 10));
        appendInterleaved(index, 7, 9);
        index.abandon();
        try (StreamIndex reopened = open(new Options(5, 3, 10))) {
            assertThat(reopened.indexedUpTo()).isLessThanOrEqualTo(log.lastPosition());
            log.replay(reopened);
            log.assertIndexMatches(reopened);
        }
    }

    @Test
    void orphans_are_deleted_at_open() throws IOException {
        try (StreamIndex index = open(MANY_FILES)) {
            appendInterleaved(index, 2, 10);
        }
        Path orphan = dir.resolve(IndexFormat.fileName(999_999));
        Files.write(orphan, new byte[100]);
        Files.write(dir.resolve(Manifest.TMP_NAME), new byte[10]);
        Path unrelated = dir.resolve("notes.txt");
        Files.writeString(unrelated, "not ours");
        try (StreamIndex index = open(MANY_FILES)) {
            assertThat(orphan).doesNotExist();
            assertThat(dir.resolve(Manifest.TMP_NAME)).doesNotExist();
            assertThat(unrelated).exists();
            log.assertIndexMatches(index);
        }
    }

    @Test
    void delete_removes_the_index_for_a_rebuild() throws IOException {
        try (StreamIndex index = open(MANY_FILES)) {
            appendInterleaved(index, 3, 10);
        }
        StreamIndex.delete(dir);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
        try (StreamIndex index = open(MANY_FILES)) {
            assertThat(index.indexedUpTo()).isEqualTo(-1);
            assertThat(log.replay(index)).isEqualTo(30);
            log.assertIndexMatches(index);
        }
        StreamIndex.delete(dir.resolve("does-not-exist"));
    }

    @Test
    void counters_and_sizes() throws IOException {
        try (StreamIndex index = open(MANY_FILES)) {
            appendInterleaved(index, 3, 4);
            log.append(index, "no-zero", 5); // a stream whose first entry is not version 0
            assertThat(index.entryCount()).isEqualTo(13);
            assertThat(index.streamCount()).isEqualTo(3);
            index.flush();
            assertThat(index.fileCount()).isEqualTo(2);
            long bytes = 0;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p :
                        files.filter(p -> IndexFormat.seqOf(p).isPresent()).toList()) {
                    bytes += Files.size(p);
                }
            }
            assertThat(index.sizeBytes()).isEqualTo(bytes).isPositive();
        }
    }

    @Test
    void rejects_bad_input() throws IOException {
        assertThatThrownBy(() -> new Options(0, 8, 10))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("memtableEntries");
        assertThatThrownBy(() -> new Options(10, 1, 10)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new Options(10, 8, 0)).isInstanceOf(InvalidInputException.class);
        try (StreamIndex index = open(Options.defaults())) {
            log.append(index, "s", 0);
            assertThatThrownBy(() -> index.add("t", 0, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("position 0");
            assertThatThrownBy(() -> index.add("s", 0, 5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("version 0");
            assertThatThrownBy(() -> index.add("s", -1, 6)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.add("", 0, 7)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.read("s", -1, Direction.FORWARDS, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            // A rejected add changed nothing.
            assertThat(index.indexedUpTo()).isZero();
            assertThat(index.entryCount()).isOne();
            log.assertIndexMatches(index);
        }
    }

    @Test
    void close_is_idempotent_and_later_calls_fail_clearly() throws IOException {
        StreamIndex index = open(Options.defaults());
        log.append(index, "s", 0);
        index.close();
        index.close();
        assertThatThrownBy(() -> index.lastVersion("s"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> index.add("s", 1, 10)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void names_with_any_unicode_and_length() throws IOException {
        Random r = new Random(7);
        try (StreamIndex index = open(new Options(3, 4, 10))) {
            List<String> names = List.of("é", "日本語-stream", "emoji-\uD83D\uDE00", "x".repeat(5000), "$$meta", "a b");
            for (int v = 0; v < 5; v++) {
                for (String n : names) {
                    log.append(index, n, v * 3L + r.nextInt(3));
                }
            }
            log.assertIndexMatches(index);
        }
        try (StreamIndex index = open(new Options(3, 4, 10))) {
            log.assertIndexMatches(index);
        }
    }

    @Test
    void an_interrupted_reader_does_not_break_the_files_for_others() throws Exception {
        try (StreamIndex index = open(MANY_FILES)) {
            appendInterleaved(index, 3, 10);
            index.flush(); // everything in files: reads do IO
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> index.lastVersion("stream-1"))
                        .isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
            } finally {
                Thread.interrupted();
            }
            log.assertIndexMatches(index); // same thread, no longer interrupted
            Thread other = new Thread(() -> {
                try {
                    log.assertIndexMatches(index);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            other.setUncaughtExceptionHandler((t, e) -> failure.set(e));
            other.start();
            other.join(60_000);
            assertThat(failure.get()).isNull();
        }
    }

    private void appendInterleaved(StreamIndex index, int streams, int perStream) throws IOException {
        for (int v = 0; v < perStream; v++) {
            for (int s = 0; s < streams; s++) {
                String name = "stream-" + s;
                log.append(index, name, log.lastVersion(name) + 1);
            }
        }
    }
}
