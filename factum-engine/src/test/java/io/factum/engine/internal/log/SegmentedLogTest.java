package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFixtures.appendFlushed;
import static io.factum.engine.internal.log.LogFixtures.event;
import static io.factum.engine.internal.log.LogFixtures.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentedLogTest {
    private static final SegmentedLog.Options FSYNC = new SegmentedLog.Options(1 << 20, true);
    private static final SegmentedLog.Options SMALL = new SegmentedLog.Options(2048, true);

    @TempDir
    Path dir;

    @Test
    void emptyLogHasNothingToRead() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir.resolve("log"), FSYNC)) {
            assertThat(log.durablePosition()).isEqualTo(-1);
            assertThat(log.nextPosition()).isZero();
            assertThat(log.readForward(0, 10)).isEmpty();
            assertThat(log.readBackward(Long.MAX_VALUE, 10)).isEmpty();
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThat(log.sizeBytes()).isEqualTo(LogFormat.HEADER_BYTES);
            assertThatThrownBy(() -> log.read(0)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(dir.resolve("log").resolve("segment-00000000000000000000.log"))
                .exists();
    }

    @Test
    void roundTripsEveryFieldExactly() throws IOException {
        byte[] big = new byte[3 << 20];
        new Random(7).nextBytes(big);
        List<RecordedEvent> records = List.of(
                new RecordedEvent(
                        "orders-1",
                        0,
                        0,
                        UUID.randomUUID(),
                        "Created",
                        new byte[0],
                        new byte[0],
                        ContentType.JSON,
                        Instant.ofEpochSecond(0)),
                new RecordedEvent(
                        "Grüße-日本-🚀",
                        5,
                        1,
                        UUID.randomUUID(),
                        "Tÿpe-✓",
                        "{\"a\":1}".getBytes(),
                        "{\"$correlationId\":\"x\"}".getBytes(),
                        ContentType.JSON,
                        Instant.parse("2024-02-29T12:34:56.123456789Z")),
                new RecordedEvent(
                        "$$orders-1",
                        Long.MAX_VALUE,
                        2,
                        new UUID(0, 0),
                        "$streamDeleted",
                        big,
                        new byte[] {0, -1, 127},
                        ContentType.BINARY,
                        Instant.ofEpochSecond(-62_000_000_000L, 1)),
                new RecordedEvent(
                        "s".repeat(1024),
                        1,
                        3,
                        new UUID(-1, -1),
                        "t".repeat(256),
                        new byte[] {1},
                        new byte[0],
                        ContentType.BINARY,
                        Instant.MAX),
                new RecordedEvent(
                        "min", 2, 4, UUID.randomUUID(), "T", new byte[0], new byte[0], ContentType.JSON, Instant.MIN));
        Path logDir = dir.resolve("log");
        try (SegmentedLog log = SegmentedLog.open(logDir, FSYNC)) {
            log.append(records.subList(0, 2));
            log.append(records.subList(2, 5));
            log.flush();
            assertThat(log.readForward(0, 100)).containsExactlyElementsOf(records);
            for (RecordedEvent record : records) {
                assertThat(log.read(record.position())).isEqualTo(record);
            }
        }
        try (SegmentedLog log = SegmentedLog.open(logDir, FSYNC)) {
            assertThat(log.readForward(0, 100)).containsExactlyElementsOf(records);
            assertThat(log.readForward(0, 100).get(2).isTombstone()).isTrue();
        }
    }

    @Test
    void groupCommitPublishesNothingUntilFlush() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, FSYNC)) {
            for (int i = 0; i < 10; i++) {
                log.append(events(log.nextPosition(), 3));
            }
            assertThat(log.nextPosition()).isEqualTo(30);
            assertThat(log.durablePosition()).isEqualTo(-1);
            assertThat(log.readForward(0, 100)).isEmpty();
            log.flush();
            assertThat(log.durablePosition()).isEqualTo(29);
            assertThat(log.readForward(0, 100)).containsExactlyElementsOf(events(0, 30));
            assertThat(LogFixtures.frameOffsets(LogFixtures.lastSegment(dir))).hasSize(10);
        }
    }

    @Test
    void appendChecksPositionsAlways() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, FSYNC)) {
            appendFlushed(log, 2);
            assertThatThrownBy(() -> log.append(List.of(event(3))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("expects 2");
            assertThatThrownBy(() -> log.append(List.of(event(2), event(4))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("record 1 has position 4");
            assertThatThrownBy(() -> log.append(List.of())).isInstanceOf(IllegalArgumentException.class);
            // A rejected batch changes nothing: the log goes on at the same position.
            appendFlushed(log, 1);
            assertThat(log.readForward(0, 10)).containsExactlyElementsOf(events(0, 3));
        }
    }

    @Test
    void rollsSegmentsAndReadsAcrossThem() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            for (int i = 0; i < 200; i++) {
                appendFlushed(log, 1 + i % 4);
            }
            long head = log.durablePosition();
            assertThat(head)
                    .isEqualTo(LongStream.range(0, 200).map(i -> 1 + i % 4).sum() - 1);
            assertThat(log.segmentCount()).isGreaterThan(10);
            List<Path> files = LogFixtures.segmentFiles(dir);
            assertThat(files).hasSize(log.segmentCount());
            for (Path file : files.subList(0, files.size() - 1)) {
                assertThat(Files.size(file)).isGreaterThanOrEqualTo(2048);
                long first = LogFormat.parseSegmentFileName(file.getFileName().toString())
                        .getAsLong();
                assertThat(Sidecar.pathFor(dir, first)).exists();
            }
            // Sealed segments end at their data; the active one is preallocated beyond it.
            long sealedBytes = files.subList(0, files.size() - 1).stream()
                    .mapToLong(LogFixtures::size)
                    .sum();
            assertThat(log.sizeBytes()).isEqualTo(sealedBytes + LogFixtures.dataEnd(files.get(files.size() - 1)));
            List<RecordedEvent> all = events(0, (int) head + 1);
            assertThat(log.readForward(0, 100_000)).containsExactlyElementsOf(all);
            assertThat(log.readForward(37, 250)).containsExactlyElementsOf(all.subList(37, 287));
            assertThat(log.readBackward(Long.MAX_VALUE, 100_000)).containsExactlyElementsOf(reversed(all));
            assertThat(log.readBackward(300, 123)).containsExactlyElementsOf(reversed(all.subList(178, 301)));
            assertThat(log.readBackward(5, 100)).containsExactlyElementsOf(reversed(all.subList(0, 6)));
            for (long p = 0; p <= head; p += 13) {
                assertThat(log.read(p)).isEqualTo(all.get((int) p));
            }
            assertThat(log.readForward(head + 1, 10)).isEmpty();
            assertThat(log.readForward(head, 10)).containsExactly(all.get((int) head));
            assertThat(log.readBackward(-1, 10)).isEmpty();
            assertThat(log.readForward(0, 0)).isEmpty();
        }
    }

    @Test
    void scanVisitsEveryRecordInOrder() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            for (int i = 0; i < 100; i++) {
                appendFlushed(log, 1 + i % 5);
            }
            log.append(events(log.nextPosition(), 3)); // not flushed: never visited
            List<String> seen = new ArrayList<>();
            log.scan(17, (position, stream, version) -> seen.add(position + " " + stream + " " + version));
            List<String> expected = LongStream.rangeClosed(17, log.durablePosition())
                    .mapToObj(LogFixtures::event)
                    .map(e -> e.position() + " " + e.stream() + " " + e.version())
                    .toList();
            assertThat(seen).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void reopenContinuesPositionsAndUsesSidecarsWithoutReadingSealedSegments() throws IOException {
        TestIo io = new TestIo();
        List<RecordedEvent> all;
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL, io, io::nanoTime)) {
            for (int i = 0; i < 100; i++) {
                appendFlushed(log, 2);
            }
            all = log.readForward(0, 1000);
        }
        List<Path> files = LogFixtures.segmentFiles(dir);
        assertThat(files.size()).isGreaterThan(3);
        TestIo reopenIo = new TestIo();
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL, reopenIo, reopenIo::nanoTime)) {
            // Sealed segments before the checkpoint: only their 32-byte header is read at open.
            for (Path sealed : files.subList(0, files.size() - 1)) {
                assertThat(reopenIo.bytesReadFrom(sealed)).isLessThanOrEqualTo(LogFormat.HEADER_BYTES);
            }
            assertThat(log.durablePosition()).isEqualTo(199);
            assertThat(log.nextPosition()).isEqualTo(200);
            appendFlushed(log, 5);
            assertThat(log.readForward(0, 1000)).containsExactlyElementsOf(events(0, 205));
            assertThat(all).containsExactlyElementsOf(events(0, 200));
        }
    }

    @Test
    void deletedSidecarIsRebuiltIdentically() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            for (int i = 0; i < 60; i++) {
                appendFlushed(log, 3);
            }
        }
        Path sidecar = Sidecar.pathFor(dir, 0);
        byte[] original = LogFixtures.bytes(sidecar);
        Files.delete(sidecar);
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            assertThat(log.readForward(0, 1000)).containsExactlyElementsOf(events(0, 180));
        }
        assertThat(LogFixtures.bytes(sidecar)).isEqualTo(original);
    }

    @Test
    void closeDiscardsUnflushedFramesEvenWhenAlreadyWritten() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, FSYNC)) {
            appendFlushed(log, 2);
            // Bigger than the 1 MiB write buffer: the first frame is written to the file early.
            RecordedEvent huge = new RecordedEvent(
                    "s",
                    0,
                    2,
                    UUID.randomUUID(),
                    "T",
                    new byte[700_000],
                    new byte[0],
                    ContentType.BINARY,
                    Instant.EPOCH);
            log.append(List.of(huge));
            log.append(List.of(new RecordedEvent(
                    "s",
                    1,
                    3,
                    UUID.randomUUID(),
                    "T",
                    new byte[700_000],
                    new byte[0],
                    ContentType.BINARY,
                    Instant.EPOCH)));
            assertThat(Files.size(LogFixtures.lastSegment(dir))).isGreaterThan(700_000);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, FSYNC)) {
            assertThat(log.durablePosition()).isEqualTo(1);
            assertThat(log.readForward(0, 10)).containsExactlyElementsOf(events(0, 2));
        }
    }

    @Test
    void closedLogRefusesEverythingAndClosesIdempotently() throws IOException {
        SegmentedLog log = SegmentedLog.open(dir, FSYNC);
        appendFlushed(log, 1);
        log.close();
        log.close();
        assertThatThrownBy(() -> log.append(events(1, 1))).isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(log::flush).isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(() -> log.readForward(0, 1)).isInstanceOf(StoreClosedException.class);
    }

    @Test
    void withoutFsyncDataIsStillReadableAndSurvivesReopen() throws IOException {
        SegmentedLog.Options noFsync = new SegmentedLog.Options(4096, false);
        try (SegmentedLog log = SegmentedLog.open(dir, noFsync)) {
            for (int i = 0; i < 50; i++) {
                appendFlushed(log, 4);
            }
            assertThat(log.readForward(0, 1000)).containsExactlyElementsOf(events(0, 200));
        }
        try (SegmentedLog log = SegmentedLog.open(dir, noFsync)) {
            assertThat(log.readBackward(Long.MAX_VALUE, 1000)).containsExactlyElementsOf(reversed(events(0, 200)));
        }
    }

    @Test
    void rejectsBadArguments() throws IOException {
        assertThatThrownBy(() -> new SegmentedLog.Options(100, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segmentSizeBytes");
        try (SegmentedLog log = SegmentedLog.open(dir, FSYNC)) {
            assertThatThrownBy(() -> log.readForward(-1, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.readForward(0, -1)).isInstanceOf(IllegalArgumentException.class);
            RecordedEvent negative = new RecordedEvent(
                    "s", -1, 0, UUID.randomUUID(), "T", new byte[0], new byte[0], ContentType.JSON, Instant.EPOCH);
            assertThatThrownBy(() -> log.append(List.of(negative))).isInstanceOf(IllegalArgumentException.class);
            assertThat(log.nextPosition()).isZero();
        }
    }

    static List<RecordedEvent> reversed(List<RecordedEvent> list) {
        List<RecordedEvent> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
