package io.factum.engine.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordCodec#decode(ByteBuffer, int, RecordedEvent, int)}: a record whose stream or type
 * has the same bytes as the previous record's reuses the previous record's String, and every other
 * record decodes exactly as the plain decode does.
 */
class RecordCodecSharingTest {
    private final CRC32C crc = new CRC32C();

    @Test
    void aRecordOfTheSameStreamAndTypeSharesBothStrings() {
        Encoded encoded = encode(0, event(0, "account-1", "Deposited"), event(1, "account-1", "Deposited"));

        RecordedEvent a = RecordCodec.decode(encoded.buf(), encoded.at(0));
        RecordedEvent b = RecordCodec.decode(encoded.buf(), encoded.at(1), a, encoded.at(0));

        assertThat(b).isEqualTo(encoded.event(1));
        assertThat(b.stream()).isSameAs(a.stream());
        assertThat(b.type()).isSameAs(a.type());
        // Without a previous record, decode makes new strings: the sharing above is the new path's.
        RecordedEvent plain = RecordCodec.decode(encoded.buf(), encoded.at(1));
        assertThat(plain.stream()).isNotSameAs(a.stream());
        assertThat(plain.type()).isNotSameAs(a.type());
    }

    @Test
    void aRecordOfAnotherStreamWithTheSameTypeSharesOnlyTheType() {
        Encoded encoded = encode(0, event(0, "account-1", "Deposited"), event(1, "account-2", "Deposited"));

        RecordedEvent a = RecordCodec.decode(encoded.buf(), encoded.at(0));
        RecordedEvent b = RecordCodec.decode(encoded.buf(), encoded.at(1), a, encoded.at(0));

        assertThat(b).isEqualTo(encoded.event(1));
        assertThat(b.stream()).isEqualTo("account-2").isNotSameAs(a.stream());
        assertThat(b.type()).isSameAs(a.type());
    }

    @Test
    void aDifferentTypeOfTheSameLengthSharesNothingAndDecodesAsWritten() {
        Encoded encoded = encode(0, event(0, "acct-1", "TypeA"), event(1, "acct-2", "TypeB"));

        RecordedEvent a = RecordCodec.decode(encoded.buf(), encoded.at(0));
        RecordedEvent b = RecordCodec.decode(encoded.buf(), encoded.at(1), a, encoded.at(0));

        assertThat(b).isEqualTo(encoded.event(1));
        assertThat(b.stream()).isEqualTo("acct-2").isNotSameAs(a.stream());
        assertThat(b.type()).isEqualTo("TypeB").isNotSameAs(a.type());
    }

    @Test
    void aStreamThatIsAPrefixOfThePreviousOneIsNotSharedAndTheTypeAfterItStillIs() {
        Encoded encoded = encode(
                0,
                event(0, "account", "Opened"),
                event(1, "acc", "Opened"),
                event(2, "account", "Opened"),
                event(3, "accountX", "Closed"));

        List<RecordedEvent> decoded = decodeChained(encoded);

        assertThat(decoded).isEqualTo(encoded.events());
        assertThat(decoded.get(1).stream()).isEqualTo("acc").isNotSameAs(decoded.get(0).stream());
        assertThat(decoded.get(2).stream()).isEqualTo("account").isNotSameAs(decoded.get(1).stream());
        assertThat(decoded.get(3).stream()).isEqualTo("accountX").isNotSameAs(decoded.get(2).stream());
        // The type follows a stream of another length, yet is compared at its own offset.
        assertThat(decoded.get(1).type()).isSameAs(decoded.get(0).type());
        assertThat(decoded.get(2).type()).isSameAs(decoded.get(1).type());
        assertThat(decoded.get(3).type()).isEqualTo("Closed");
    }

    @Test
    void bytesThatMatchOnlyAcrossTheStreamAndTypeBoundaryAreNotShared() {
        // "ab" + "cX" and "abc" + "X" are the same six bytes, split differently.
        Encoded encoded = encode(0, event(0, "ab", "cX"), event(1, "abc", "X"), event(2, "ab", "cX"));

        List<RecordedEvent> decoded = decodeChained(encoded);

        assertThat(decoded).isEqualTo(encoded.events());
        assertThat(decoded.get(1).stream()).isEqualTo("abc");
        assertThat(decoded.get(1).type()).isEqualTo("X");
        assertThat(decoded.get(2).stream()).isEqualTo("ab");
        assertThat(decoded.get(2).type()).isEqualTo("cX");
    }

    @Test
    void aRunWithRepeatsDecodesEveryRecordAsWrittenAndSharesEachRepeat() {
        String[] streams = {"order-1", "order-1", "order-2", "order-2", "Grüße-日本", "Grüße-日本", "order-1"};
        String[] types = {"Placed", "Paid", "Paid", "Paid", "Tÿpe", "Tÿpe", "Tÿpe"};
        List<RecordedEvent> events = new ArrayList<>();
        for (int i = 0; i < streams.length; i++) {
            events.add(event(i, streams[i], types[i]));
        }
        Encoded encoded = encode(0, events.toArray(RecordedEvent[]::new));

        List<RecordedEvent> decoded = decodeChained(encoded);

        assertThat(decoded).isEqualTo(events);
        for (int i = 1; i < decoded.size(); i++) {
            RecordedEvent previous = decoded.get(i - 1);
            RecordedEvent current = decoded.get(i);
            assertThat(current.stream() == previous.stream())
                    .as("record %d shares the stream", i)
                    .isEqualTo(streams[i].equals(streams[i - 1]));
            assertThat(current.type() == previous.type())
                    .as("record %d shares the type", i)
                    .isEqualTo(types[i].equals(types[i - 1]));
        }
    }

    @Test
    void aBufferThatIsASliceOfALargerArrayComparesAtTheRightOffsets() {
        Encoded whole = encode(
                37, event(0, "account-1", "Deposited"), event(1, "account-1", "Deposited"), event(2, "b", "TypeA"));
        ByteBuffer slice = whole.buf().position(37).slice();
        assertThat(slice.arrayOffset()).isEqualTo(37);
        List<Integer> offsets = whole.offsets().stream().map(at -> at - 37).toList();
        Encoded sliced = new Encoded(slice, offsets, whole.events());

        List<RecordedEvent> decoded = decodeChained(sliced);

        assertThat(decoded).isEqualTo(whole.events());
        assertThat(decoded.get(1).stream()).isSameAs(decoded.get(0).stream());
        assertThat(decoded.get(1).type()).isSameAs(decoded.get(0).type());
        assertThat(decoded.get(2).stream()).isNotSameAs(decoded.get(1).stream());
    }

    @Test
    void withoutAPreviousRecordTheResultIsThatOfThePlainDecode() {
        Encoded encoded = encode(
                5,
                event(0, "account-1", "Deposited"),
                event(1, "account-1", "Deposited"),
                event(2, "acc", "Withdrawn"),
                tagged(event(3, "account-1", "Deposited"), List.of("account:1", "x")));

        for (int i = 0; i < encoded.events().size(); i++) {
            RecordedEvent withNull = RecordCodec.decode(encoded.buf(), encoded.at(i), null, -1);
            assertThat(withNull).as("record %d", i).isEqualTo(RecordCodec.decode(encoded.buf(), encoded.at(i)));
            assertThat(withNull).as("record %d", i).isEqualTo(encoded.event(i));
        }
    }

    @Test
    void aDirectBufferDecodesCorrectlyWithAPreviousRecordGiven() {
        Encoded heap = encode(0, event(0, "account-1", "Deposited"), event(1, "account-2", "Deposited"));
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.buf().limit());
        direct.put(heap.buf().duplicate().position(0)).flip();
        Encoded encoded = new Encoded(direct, heap.offsets(), heap.events());

        assertThat(decodeChained(encoded)).isEqualTo(heap.events());
    }

    /** Decodes every record, each with the one before it as {@code previous}, as a segment read does. */
    private static List<RecordedEvent> decodeChained(Encoded encoded) {
        List<RecordedEvent> out = new ArrayList<>();
        RecordedEvent previous = null;
        int previousAt = -1;
        for (int at : encoded.offsets()) {
            previous = RecordCodec.decode(encoded.buf(), at, previous, previousAt);
            previousAt = at;
            out.add(previous);
        }
        return out;
    }

    /** Records written back to back into one buffer, each at its offset. */
    private record Encoded(ByteBuffer buf, List<Integer> offsets, List<RecordedEvent> events) {
        int at(int i) {
            return offsets.get(i);
        }

        RecordedEvent event(int i) {
            return events.get(i);
        }
    }

    private Encoded encode(int start, RecordedEvent... events) {
        int size = start;
        for (RecordedEvent event : events) {
            size += (int) RecordCodec.encodedSize(utf8(event.stream()), utf8(event.type()), event);
        }
        ByteBuffer buf = ByteBuffer.allocate(size + 16).position(start);
        List<Integer> offsets = new ArrayList<>();
        for (RecordedEvent event : events) {
            offsets.add(buf.position());
            RecordCodec.encode(buf, event, utf8(event.stream()), utf8(event.type()), crc);
        }
        assertThat(buf.position()).isEqualTo(size);
        buf.limit(size).position(0);
        return new Encoded(buf, List.copyOf(offsets), List.of(events));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static RecordedEvent event(long position, String stream, String type) {
        return new RecordedEvent(
                stream,
                position,
                position,
                new UUID(position, ~position),
                type,
                ("{\"n\":" + position + "}").getBytes(StandardCharsets.UTF_8),
                position % 2 == 0 ? new byte[0] : new byte[] {(byte) position},
                position % 2 == 0 ? ContentType.JSON : ContentType.BINARY,
                Instant.ofEpochSecond(1_700_000_000L + position, 123_456_789));
    }

    private static RecordedEvent tagged(RecordedEvent event, List<String> tags) {
        return new RecordedEvent(
                event.stream(),
                event.version(),
                event.position(),
                event.eventId(),
                event.type(),
                event.data(),
                event.metadata(),
                event.contentType(),
                event.created(),
                tags);
    }
}
