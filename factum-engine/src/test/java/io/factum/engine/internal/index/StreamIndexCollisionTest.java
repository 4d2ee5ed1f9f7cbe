package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Direction;
import io.factum.engine.internal.index.StreamIndex.Entry;
import io.factum.engine.internal.index.StreamIndex.Options;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hash collisions, forced with a hash function that maps many names to one value: the index must
 * never return another stream's entries, and must ask the log only where names really share a hash.
 */
class StreamIndexCollisionTest {

    /** Every name hashes to 42. */
    private static final StreamHasher ALL_COLLIDE = name -> 42L;

    /** Names collide by length: "a","b","c" share a hash; "aa","bb" share another. */
    private static final StreamHasher BY_LENGTH = name -> name.length;

    @TempDir
    Path dir;

    private final ModelLog log = new ModelLog();

    private StreamIndex open(Options options, StreamHasher hasher) throws IOException {
        return StreamIndex.open(dir, options, log, hasher);
    }

    @Test
    void colliding_streams_in_the_memtable_need_no_resolver() throws IOException {
        try (StreamIndex index = open(Options.defaults(), ALL_COLLIDE)) {
            for (int v = 0; v < 5; v++) {
                log.append(index, "a", v);
                log.append(index, "b", v);
            }
            log.assertIndexMatches(index);
            assertThat(log.resolverCalls.get()).isZero();
        }
    }

    @Test
    void colliding_streams_in_one_file_are_told_apart_through_the_log() throws IOException {
        try (StreamIndex index = open(Options.defaults(), ALL_COLLIDE)) {
            for (int v = 0; v < 300; v++) { // > 1 entry block, so the shared run spans blocks
                log.append(index, "a", v);
                log.append(index, "b", v);
                if (v % 3 == 0) {
                    log.append(index, "c", v);
                }
            }
            index.flush();
            List<Entry> read = index.read("a", 10, Direction.FORWARDS, 3);
            assertThat(read).extracting(Entry::version).containsExactly(10L, 11L, 12L);
            for (Entry e : read) { // every entry returned is really stream a's
                assertThat(log.eventAt(e.position()).orElseThrow().stream()).isEqualTo("a");
            }
            assertThat(index.lastVersion("c")).isEqualTo(297);
            assertThat(index.lastVersion("d")).isEqualTo(-1); // same hash, never written
            assertThat(index.read("d", 0, Direction.FORWARDS, 10)).isEmpty();
            log.assertIndexMatches(index);
            assertThat(log.resolverCalls.get()).isPositive();
        }
    }

    @Test
    void colliding_streams_in_different_files_need_no_resolver() throws IOException {
        try (StreamIndex index = open(new Options(4, 64, 10), ALL_COLLIDE)) {
            for (int v = 0; v < 4; v++) {
                log.append(index, "a", v); // fills file 1 alone
            }
            for (int v = 0; v < 4; v++) {
                log.append(index, "b", v); // file 2
            }
            index.flush();
            assertThat(index.fileCount()).isEqualTo(2);
            log.assertIndexMatches(index);
            // Each file lists its one name: the other stream is simply absent there.
            assertThat(log.resolverCalls.get()).isZero();
        }
    }

    @Test
    void collisions_across_memtable_files_and_merges() throws IOException, InterruptedException {
        List<String> names = List.of("a", "b", "c", "aa", "bb", "ccc");
        try (StreamIndex index = open(new Options(5, 2, 10), BY_LENGTH)) {
            for (int v = 0; v < 40; v++) {
                for (int i = 0; i < names.size(); i++) {
                    if ((v + i) % 4 != 0) { // streams skip some rounds, so files hold different subsets
                        String s = names.get(i);
                        log.append(index, s, log.lastVersion(s) + 1);
                    }
                }
                if (v % 9 == 0) {
                    log.assertIndexMatches(index); // mid-way: memtable + files + merges in flight
                }
            }
            index.awaitMerges();
            log.assertIndexMatches(index);
        }
        try (StreamIndex index = open(new Options(5, 2, 10), BY_LENGTH)) {
            log.assertIndexMatches(index);
        }
        IndexVerification v = StreamIndex.verify(dir, log, BY_LENGTH);
        assertThat(v.problems()).isEmpty();
        assertThat(v.entriesChecked()).isEqualTo(log.entries());
    }

    @Test
    void the_real_hash_path_never_asks_the_log() throws IOException, InterruptedException {
        try (StreamIndex index = StreamIndex.open(dir, new Options(16, 3, 10), log)) {
            for (int v = 0; v < 30; v++) {
                for (int s = 0; s < 20; s++) {
                    log.append(index, "stream-" + s, v);
                }
            }
            index.awaitMerges();
            log.assertIndexMatches(index);
        }
        assertThat(log.resolverCalls.get()).isZero();
    }
}
