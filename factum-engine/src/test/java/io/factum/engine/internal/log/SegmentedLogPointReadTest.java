package io.factum.engine.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import io.factum.engine.CorruptStoreException;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SegmentedLog#read(long)} inside one large multi-record frame: it returns the right record,
 * reads only the record headers before it and the record itself (bytes counted through {@link
 * TestIo}), checks only that record (its own CRC32C), and still finds damage to it; damage to
 * another record of the frame is left to verify and to range reads. The log is one small frame,
 * one big frame of {@value #RECORDS} records, one small frame (so the checkpoint names a frame
 * after the big one and reopening does not check it).
 */
class SegmentedLogPointReadTest {
    private static final SegmentedLog.Options OPTIONS = new SegmentedLog.Options(64 << 20, true);
    private static final int RECORDS = 40;
    private static final long FIRST = 3;

    @TempDir
    Path dir;

    @Test
    void readsTheMiddleRecordOfAFrameOfLargeRecordsReadingASmallPartOfIt() throws IOException {
        List<RecordedEvent> big = write(20_000);
        Path segment = LogFixtures.lastSegment(dir);
        long frameBytes = frameBytes(segment);
        TestIo io = new TestIo();
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS, io, io::nanoTime)) {
            long before = io.bytesReadFrom(segment);
            RecordedEvent middle = big.get(RECORDS / 2);
            assertThat(log.read(middle.position())).isEqualTo(middle);
            long read = io.bytesReadFrom(segment) - before;
            assertThat(frameBytes).isGreaterThan(RECORDS * 20_000L);
            assertThat(read).as("bytes read of a %d-byte frame", frameBytes).isLessThan(frameBytes / 10);
        }
    }

    @Test
    void readsAnEarlyRecordOfAFrameOfSmallRecordsWithoutReadingTheRestOfTheFrame() throws IOException {
        List<RecordedEvent> big = write(2_000);
        Path segment = LogFixtures.lastSegment(dir);
        long frameBytes = frameBytes(segment);
        TestIo io = new TestIo();
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS, io, io::nanoTime)) {
            for (RecordedEvent record : big.subList(0, 3)) {
                long before = io.bytesReadFrom(segment);
                assertThat(log.read(record.position())).isEqualTo(record);
                assertThat(io.bytesReadFrom(segment) - before).isLessThan(frameBytes / 4);
            }
            assertThat(log.read(FIRST - 1)).isEqualTo(LogFixtures.event(FIRST - 1));
            for (RecordedEvent record : big) {
                assertThat(log.read(record.position())).isEqualTo(record);
            }
            assertThat(log.read(FIRST + RECORDS)).isEqualTo(LogFixtures.event(FIRST + RECORDS));
        }
    }

    @Test
    void aFlippedByteInTheTargetRecordFailsThePointReadNamingFileAndRecordOffset() throws IOException {
        List<RecordedEvent> big = write(500);
        Path segment = LogFixtures.lastSegment(dir);
        int target = 17;
        long offset = recordOffset(segment, big, target);
        // Every part of the record: header, stream name, data, and the CRC itself.
        for (long at :
                new long[] {offset + 20, offset + 70, offset + 400, recordOffset(segment, big, target + 1) - 1}) {
            LogFixtures.flipByte(segment, at);
            try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
                assertThatThrownBy(() -> log.read(big.get(target).position()))
                        .isInstanceOfSatisfying(CorruptStoreException.class, e -> {
                            assertThat(e.file()).isEqualTo(segment);
                            assertThat(e.offset()).isEqualTo(offset);
                        })
                        .hasMessageContaining(segment.toString());
                assertThat(log.read(big.get(target + 1).position())).isEqualTo(big.get(target + 1));
            }
            LogFixtures.flipByte(segment, at);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThat(log.read(big.get(target).position())).isEqualTo(big.get(target));
        }
    }

    @Test
    void aFlippedByteInAnotherRecordOfTheFrameIsLeftToVerifyAndRangeReads() throws IOException {
        List<RecordedEvent> big = write(500);
        Path segment = LogFixtures.lastSegment(dir);
        long frame = LogFixtures.frameOffsets(segment).get(1);
        // Inside the data of record 5, which a point read of record 17 walks past by its header.
        LogFixtures.flipByte(segment, recordOffset(segment, big, 5) + 200);
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThat(log.read(big.get(17).position())).isEqualTo(big.get(17));
            assertThat(log.read(big.get(4).position())).isEqualTo(big.get(4));
            assertThatThrownBy(() -> log.readForward(FIRST + 10, 5))
                    .isInstanceOfSatisfying(CorruptStoreException.class, e -> {
                        assertThat(e.file()).isEqualTo(segment);
                        assertThat(e.offset()).isEqualTo(frame);
                    });
            assertThatThrownBy(() -> log.read(big.get(5).position())).isInstanceOf(CorruptStoreException.class);
        }
        List<VerifyReport.Problem> problems = SegmentedLog.verify(dir).problems();
        assertThat(problems).extracting(VerifyReport.Problem::file).contains(segment);
        assertThat(problems).extracting(VerifyReport.Problem::offset).contains(frame);
    }

    @Test
    void aLengthFieldPointingOutsideTheFrameIsCorruption() throws IOException {
        List<RecordedEvent> big = write(500);
        Path segment = LogFixtures.lastSegment(dir);
        long walked = recordOffset(segment, big, 3);
        // The high byte of record 3's data length: the point read of record 10 follows it.
        LogFixtures.flipByte(segment, walked + 53);
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThatThrownBy(() -> log.read(big.get(10).position()))
                    .isInstanceOfSatisfying(CorruptStoreException.class, e -> {
                        assertThat(e.file()).isEqualTo(segment);
                        assertThat(e.offset()).isEqualTo(walked);
                    })
                    .hasMessageContaining("outside the frame");
        }
    }

    @Test
    void aFormatVersion1SegmentIsRefusedSayingSo() throws IOException {
        write(100);
        Path segment = LogFixtures.lastSegment(dir);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(LogFormat.HEADER_BYTES);
            channel.read(header, 0);
            header.putInt(4, 1);
            header.putInt(
                    LogFormat.HEADER_CRC_OFFSET, LogFormat.crc32c(header.array(), 0, LogFormat.HEADER_CRC_OFFSET));
            channel.write(header.clear(), 0);
        }
        assertThatThrownBy(() -> SegmentedLog.open(dir, OPTIONS).close())
                .isInstanceOfSatisfying(CorruptStoreException.class, e -> {
                    assertThat(e.file()).isEqualTo(segment);
                    assertThat(e.offset()).isEqualTo(4);
                })
                .hasMessageContaining("segment format version 1");
    }

    /** Writes the three frames; returns the big frame's records, each with {@code dataBytes} of data. */
    private List<RecordedEvent> write(int dataBytes) throws IOException {
        List<RecordedEvent> big = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            long position = FIRST + i;
            byte[] data = new byte[dataBytes];
            Arrays.fill(data, (byte) ('a' + i % 26));
            big.add(new RecordedEvent(
                    "stream-" + i,
                    i,
                    position,
                    new UUID(position, i),
                    "Type" + i,
                    data,
                    ("m" + i).getBytes(StandardCharsets.UTF_8),
                    ContentType.JSON,
                    Instant.ofEpochSecond(1_700_000_000L, i)));
        }
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            LogFixtures.appendFlushed(log, (int) FIRST);
            log.append(big);
            log.flush();
            LogFixtures.appendFlushed(log, 2);
        }
        assertThat(LogFixtures.frameOffsets(LogFixtures.lastSegment(dir))).hasSize(3);
        return big;
    }

    private static long frameBytes(Path segment) throws IOException {
        List<Long> frames = LogFixtures.frameOffsets(segment);
        return frames.get(2) - frames.get(1);
    }

    /** Byte offset of record {@code index} of the big frame, from the encoded sizes of those before. */
    private static long recordOffset(Path segment, List<RecordedEvent> big, int index) throws IOException {
        long offset = LogFixtures.frameOffsets(segment).get(1) + LogFormat.FRAME_PREFIX_BYTES;
        for (RecordedEvent record : big.subList(0, index)) {
            offset += RecordCodec.encodedSize(
                    record.stream().getBytes(StandardCharsets.UTF_8),
                    record.type().getBytes(StandardCharsets.UTF_8),
                    record);
        }
        return offset;
    }
}
