package io.factum.engine.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** {@link RecordCodec}: round trip with the record's own CRC32C, and every flipped byte is caught. */
class RecordCodecTest {
    private final CRC32C crc = new CRC32C();

    @Test
    void roundTripsEveryFieldAndTheRecordCrcMatches() {
        RecordedEvent event = new RecordedEvent(
                "Grüße-日本",
                42,
                7,
                new UUID(123, -456),
                "Tÿpe",
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
                new byte[] {0, -1, 127},
                ContentType.BINARY,
                Instant.parse("2024-02-29T12:34:56.123456789Z"));
        ByteBuffer buf = encode(event, 5);
        int size = buf.limit() - 5;

        assertThat(RecordCodec.sizeAt(buf, 5)).isEqualTo(size);
        assertThat(RecordCodec.sizeFromHeader(buf, 5)).isEqualTo(size);
        assertThat(RecordCodec.check(buf, 5, buf.limit(), 7)).isEmpty();
        assertThat(RecordCodec.checkCrc(buf, 5, size, crc)).isEmpty();
        assertThat(RecordCodec.decode(buf, 5)).isEqualTo(event);
        // The CRC is the record's last four bytes, over all the bytes before them.
        int expected = LogFormat.crc32c(buf.array(), 5, size - RecordCodec.CRC_BYTES);
        assertThat(buf.getInt(buf.limit() - RecordCodec.CRC_BYTES)).isEqualTo(expected);
    }

    @Test
    void roundTripsTagsInTheirOrderWithTheirUtf8Lengths() {
        RecordedEvent event = new RecordedEvent(
                "account-42",
                3,
                9,
                new UUID(1, 2),
                "Deposited",
                new byte[] {1},
                new byte[0],
                ContentType.JSON,
                Instant.parse("2026-12-06T10:00:00Z"),
                List.of("account:42", "ßank:日本", "x"));
        ByteBuffer buf = encode(event, 0);
        int size = buf.limit();

        assertThat(RecordCodec.sizeFromHeader(buf, 0)).isEqualTo(size);
        assertThat(RecordCodec.check(buf, 0, size, 9)).isEmpty();
        assertThat(RecordCodec.decode(buf, 0)).isEqualTo(event);
        assertThat(RecordCodec.decode(buf, 0).tags()).containsExactly("account:42", "ßank:日本", "x");
        assertThat(RecordCodec.tagsSize(event.tags())).isEqualTo(2 + 10 + 2 + 12 + 2 + 1);
    }

    @Test
    void aTagsPartThatDoesNotParseIsRefusedByTheStructureCheck() {
        RecordedEvent event = LogFixtures.event(11);
        RecordedEvent tagged = new RecordedEvent(
                event.stream(),
                event.version(),
                event.position(),
                event.eventId(),
                event.type(),
                event.data(),
                event.metadata(),
                event.contentType(),
                event.created(),
                List.of("ab"));
        ByteBuffer buf = encode(tagged, 0);
        int size = buf.limit();
        int tagLengthAt = size - RecordCodec.CRC_BYTES - 4;
        buf.putShort(tagLengthAt, (short) 3); // the tag now claims a byte the part does not have
        assertThat(RecordCodec.check(buf, 0, size, 11))
                .hasValueSatisfying(p -> assertThat(p).contains("tags part"));
        buf.putShort(tagLengthAt, (short) 0);
        assertThat(RecordCodec.check(buf, 0, size, 11)).isPresent();
    }

    @Test
    void aFlippedByteAnywhereInTheRecordIsDetected() {
        ByteBuffer buf = encode(LogFixtures.event(11), 0);
        int size = buf.limit();
        for (int i = 0; i < size; i++) {
            buf.put(i, (byte) (buf.get(i) ^ 0x5A));
            assertThat(problem(buf, size)).as("byte %d flipped", i).isPresent();
            buf.put(i, (byte) (buf.get(i) ^ 0x5A));
        }
        assertThat(problem(buf, size)).isEmpty();
    }

    /** What a point read checks: structure against the record's own extent, then the CRC. */
    private Optional<String> problem(ByteBuffer buf, int size) {
        Optional<String> malformed = RecordCodec.check(buf, 0, size, 11);
        if (malformed.isPresent()) {
            return malformed;
        }
        long claimed = RecordCodec.sizeFromHeader(buf, 0);
        return claimed != size ? Optional.of("size " + claimed) : RecordCodec.checkCrc(buf, 0, size, crc);
    }

    private ByteBuffer encode(RecordedEvent event, int at) {
        byte[] stream = event.stream().getBytes(StandardCharsets.UTF_8);
        byte[] type = event.type().getBytes(StandardCharsets.UTF_8);
        int size = (int) RecordCodec.encodedSize(stream, type, event);
        ByteBuffer buf = ByteBuffer.allocate(at + size + 16).position(at);
        RecordCodec.encode(buf, event, stream, type, crc);
        assertThat(buf.position()).isEqualTo(at + size);
        return buf.flip();
    }
}
