package io.factum.engine.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCacheTest {
    private static final int BLOCK = LogCache.BLOCK_BYTES;

    @TempDir
    Path dir;

    private final List<Segment> opened = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (Segment segment : opened) {
            segment.close();
        }
    }

    @Test
    void readsBackWhatWasPutAcrossBlockBoundariesAndNothingBeforeTheFirstByte() throws IOException {
        LogCache cache = LogCache.ofBytes(4L * BLOCK);
        Segment segment = segment(cache, 0);
        byte[] bytes = random(BLOCK + 1000, 1);
        long first = BLOCK - 500; // starts mid-block, as after an open
        cache.put(segment, first, ByteBuffer.wrap(bytes), 0, bytes.length);

        ByteBuffer dst = ByteBuffer.allocate(bytes.length);
        while (dst.hasRemaining()) {
            int n = cache.read(segment, dst, first + dst.position());
            assertThat(n).isPositive();
        }
        assertThat(dst.array()).isEqualTo(bytes);
        assertThat(cache.read(segment, ByteBuffer.allocate(10), first - 1))
                .as("a byte before the first one put")
                .isEqualTo(-1);
        assertThat(cache.read(segment, ByteBuffer.allocate(10), 5L * BLOCK))
                .as("a block never put")
                .isEqualTo(-1);
        assertThat(cache.read(segment(cache, 1), ByteBuffer.allocate(10), first))
                .as("the same offset of another segment")
                .isEqualTo(-1);
    }

    @Test
    void aReadStopsAtTheEndOfItsBlock() throws IOException {
        LogCache cache = LogCache.ofBytes(2L * BLOCK);
        Segment segment = segment(cache, 0);
        byte[] bytes = putRandom(cache, segment, 2 * BLOCK, 2);

        ByteBuffer dst = ByteBuffer.allocate(100);
        assertThat(cache.read(segment, dst, BLOCK - 40)).isEqualTo(40);
        assertThat(cache.read(segment, dst, BLOCK)).isEqualTo(60);
        assertThat(dst.array()).isEqualTo(java.util.Arrays.copyOfRange(bytes, BLOCK - 40, BLOCK + 60));
    }

    @Test
    void theOldestBlockIsRecycledAndAWindowOnItTurnsInvalid() throws IOException {
        LogCache cache = LogCache.ofBytes(2L * BLOCK);
        Segment old = segment(cache, 0);
        Segment young = segment(cache, 1);
        byte[] bytes = random(2 * BLOCK, 3);
        cache.put(old, 0, ByteBuffer.wrap(bytes), 0, 2 * BLOCK);
        LogCache.Window window = cache.window(old, 10, 100);
        assertThat(window).isNotNull();
        assertThat(window.valid()).isTrue();

        cache.put(young, 0, ByteBuffer.wrap(bytes), 0, 100);

        assertThat(window.valid())
                .as("the window's block now holds another segment")
                .isFalse();
        assertThat(cache.read(old, ByteBuffer.allocate(10), 10)).isEqualTo(-1);
        assertThat(cache.read(old, ByteBuffer.allocate(10), BLOCK))
                .as("the newer block stays")
                .isEqualTo(10);
        assertThat(cache.read(young, ByteBuffer.allocate(10), 0)).isEqualTo(10);
        assertThat(cache.allocatedBytes()).isEqualTo(cache.capacityBytes());
    }

    @Test
    void aWindowIsOnlyLentForBytesInOneBlock() throws IOException {
        LogCache cache = LogCache.ofBytes(2L * BLOCK);
        Segment segment = segment(cache, 0);
        putRandom(cache, segment, 2 * BLOCK, 4);

        assertThat(cache.window(segment, BLOCK - 10, 10)).isNotNull();
        assertThat(cache.window(segment, BLOCK - 10, 11)).isNull();
    }

    @Test
    void underOneBlockThereIsNoCache() throws IOException {
        LogCache cache = LogCache.ofBytes(BLOCK - 1);
        Segment segment = segment(cache, 0);
        cache.put(segment, 0, ByteBuffer.wrap(new byte[100]), 0, 100);
        cache.putRecordOffset(0, 32);

        assertThat(cache.capacityBytes()).isZero();
        assertThat(cache.read(segment, ByteBuffer.allocate(10), 0)).isEqualTo(-1);
        assertThat(cache.recordOffset(0)).isEqualTo(-1);
    }

    @Test
    void blocksAreAllocatedAsTheLogGrows() throws IOException {
        LogCache cache = LogCache.ofBytes(64L * BLOCK);
        cache.put(segment(cache, 0), 32, ByteBuffer.wrap(new byte[100]), 0, 100);

        assertThat(cache.allocatedBytes()).isEqualTo(BLOCK);
    }

    @Test
    void recordOffsetsKeepTheNewestPositionsAsTheRingGrows() {
        LogCache cache = LogCache.ofBytes(BLOCK);
        for (long p = 0; p < 10_000; p++) {
            cache.putRecordOffset(p, 32 + 100 * p);
        }
        for (long p = 10_000 - 3000; p < 10_000; p++) {
            assertThat(cache.recordOffset(p)).as("position %d", p).isEqualTo(32 + 100 * p);
        }
        assertThat(cache.recordOffset(10_000))
                .as("a slot names an older position or nothing: a hint only")
                .isNotEqualTo(32 + 100 * 10_000L);
    }

    @Test
    void anOffsetAnIntCannotHoldLeavesNoHint() {
        LogCache cache = LogCache.ofBytes(BLOCK);
        cache.putRecordOffset(0, 32);
        cache.putRecordOffset(1, 1L << 32);

        assertThat(cache.recordOffset(0)).isEqualTo(32);
        assertThat(cache.recordOffset(1)).isEqualTo(-1);
    }

    private Segment segment(LogCache cache, long firstPosition) throws IOException {
        Path file = Files.write(dir.resolve("segment-" + firstPosition), new byte[0]);
        Segment segment = new Segment(
                file, firstPosition, new SparseIndex(), new SegmentChannel(file, FileIo.system()), cache, 0);
        opened.add(segment);
        return segment;
    }

    /** Puts {@code size} random bytes at the start of {@code segment}; returns them. */
    private static byte[] putRandom(LogCache cache, Segment segment, int size, long seed) {
        byte[] bytes = random(size, seed);
        cache.put(segment, 0, ByteBuffer.wrap(bytes), 0, size);
        return bytes;
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
