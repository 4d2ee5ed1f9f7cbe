package io.factum.engine.internal.log;

import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Encodes and decodes one record inside a frame payload. Layout (big-endian, segment format version
 * 3): a 65-byte header, the five variable parts, then the record's own CRC32C:
 *
 * <pre>
 *  0  position        int64   global position (= frame first position + index in frame)
 *  8  version         int64   stream version, >= 0 (Long.MAX_VALUE for a tombstone)
 * 16  eventId         2 x int64 (most, then least significant bits)
 * 32  createdSeconds  int64   Instant.getEpochSecond()
 * 40  createdNanos    int32   Instant.getNano(), 0..999,999,999
 * 44  contentType     int8    0 = JSON, 1 = BINARY
 * 45  streamLength    int32   then typeLength, dataLength, metadataLength, tagsLength (int32 each)
 * 65  stream (UTF-8), type (UTF-8), data, metadata, tags
 * end-4 recordCrc     int32   CRC32C of every preceding byte of the record
 * </pre>
 *
 * <p>The tags part is empty for an event without tags; otherwise it is, for each tag in the order
 * the writer gave, its UTF-8 length as an unsigned 16-bit number, then its bytes (store limits keep
 * a tag far below 64 KiB). Version 3 added the tags part (and its length field) to version 2.
 *
 * <p>{@code created} is stored as seconds plus nanoseconds, so every {@link Instant} round-trips
 * exactly (no truncation to micros). The record CRC lets a point read check the one record it
 * returns without reading and checksumming the whole frame (one frame can hold thousands of
 * records); the frame's CRC still covers all records for scans, recovery and verify. Stateless and
 * thread-safe (callers pass their own {@link CRC32C}).
 */
final class RecordCodec {
    /** Position through tags length: what a walk by length fields reads per record. */
    static final int HEADER_BYTES = 65;

    static final int CRC_BYTES = 4;

    /** Bytes of a record besides its four variable parts: the header and the trailing CRC. */
    static final int FIXED_BYTES = HEADER_BYTES + CRC_BYTES;

    private static final int VERSION = 8;
    private static final int EVENT_ID = 16;
    private static final int CREATED_SECONDS = 32;
    private static final int CREATED_NANOS = 40;
    private static final int CONTENT_TYPE = 44;
    private static final int STREAM_LENGTH = 45;
    private static final int TYPE_LENGTH = 49;
    private static final int DATA_LENGTH = 53;
    private static final int METADATA_LENGTH = 57;
    private static final int TAGS_LENGTH = 61;

    /** The last length field: the walks below read every length field up to and including it. */
    private static final int LAST_LENGTH = TAGS_LENGTH;

    private RecordCodec() {}

    /** Encoded size of a record whose stream and type are already UTF-8 encoded. */
    static long encodedSize(byte[] stream, byte[] type, RecordedEvent event) {
        return (long) FIXED_BYTES
                + stream.length
                + type.length
                + event.data().length
                + event.metadata().length
                + tagsSize(event.tags());
    }

    /** Bytes of the tags part: a 16-bit length and the UTF-8 bytes per tag. */
    static int tagsSize(List<String> tags) {
        int size = 0;
        for (String tag : tags) {
            size += 2 + utf8Length(tag);
        }
        return size;
    }

    /** Writes the record at {@code out}'s position, its CRC32C last; {@code crc} is scratch. */
    static void encode(ByteBuffer out, RecordedEvent event, byte[] stream, byte[] type, CRC32C crc) {
        int start = out.position();
        Instant created = event.created();
        out.putLong(event.position())
                .putLong(event.version())
                .putLong(event.eventId().getMostSignificantBits())
                .putLong(event.eventId().getLeastSignificantBits())
                .putLong(created.getEpochSecond())
                .putInt(created.getNano())
                .put(contentTypeCode(event.contentType()))
                .putInt(stream.length)
                .putInt(type.length)
                .putInt(event.data().length)
                .putInt(event.metadata().length)
                .putInt(tagsSize(event.tags()))
                .put(stream)
                .put(type)
                .put(event.data())
                .put(event.metadata());
        for (String tag : event.tags()) {
            byte[] bytes = tag.getBytes(StandardCharsets.UTF_8);
            out.putShort((short) bytes.length).put(bytes);
        }
        int end = out.position();
        int limit = out.limit();
        crc.reset();
        crc.update(out.position(start).limit(end));
        out.limit(limit).position(end);
        out.putInt((int) crc.getValue());
    }

    /** Decodes the record at {@code at} (absolute index into {@code buf}); the frame was checked. */
    static RecordedEvent decode(ByteBuffer buf, int at) {
        return decode(buf, at, null, -1);
    }

    /**
     * Decodes the record at {@code at}, sharing the stream and type strings of {@code previous}
     * (decoded from {@code previousAt} in the same buffer) when they are the same bytes: records
     * read in a run often name the same type or stream, and a shared string is neither copied nor
     * hashed again by whoever looks it up.
     */
    static RecordedEvent decode(ByteBuffer buf, int at, @Nullable RecordedEvent previous, int previousAt) {
        int streamLength = buf.getInt(at + STREAM_LENGTH);
        int typeLength = buf.getInt(at + TYPE_LENGTH);
        int dataLength = buf.getInt(at + DATA_LENGTH);
        int metadataLength = buf.getInt(at + METADATA_LENGTH);
        int cursor = at + HEADER_BYTES;
        String stream;
        String type;
        if (previous != null && buf.hasArray()) {
            int previousStream = previousAt + HEADER_BYTES;
            int previousType = previousStream + buf.getInt(previousAt + STREAM_LENGTH);
            stream = sameBytes(buf, cursor, streamLength, previousStream, previousType - previousStream)
                    ? previous.stream()
                    : utf8(buf, cursor, streamLength);
            type = sameBytes(buf, cursor + streamLength, typeLength, previousType, buf.getInt(previousAt + TYPE_LENGTH))
                    ? previous.type()
                    : utf8(buf, cursor + streamLength, typeLength);
        } else {
            stream = utf8(buf, cursor, streamLength);
            type = utf8(buf, cursor + streamLength, typeLength);
        }
        cursor += streamLength + typeLength;
        byte[] data = new byte[dataLength];
        buf.get(cursor, data);
        cursor += dataLength;
        byte[] metadata = new byte[metadataLength];
        buf.get(cursor, metadata);
        cursor += metadataLength;
        List<String> tags = decodeTags(buf, cursor, buf.getInt(at + TAGS_LENGTH));
        return new RecordedEvent(
                stream,
                buf.getLong(at + VERSION),
                buf.getLong(at),
                new UUID(buf.getLong(at + EVENT_ID), buf.getLong(at + EVENT_ID + 8)),
                type,
                data,
                metadata,
                contentType(buf.get(at + CONTENT_TYPE)),
                Instant.ofEpochSecond(buf.getLong(at + CREATED_SECONDS), buf.getInt(at + CREATED_NANOS)),
                tags);
    }

    /** Immutable, so that the record's {@code List.copyOf} keeps it instead of copying it again. */
    private static List<String> decodeTags(ByteBuffer buf, int at, int length) {
        if (length == 0) {
            return List.of();
        }
        int end = at + length;
        int first = Short.toUnsignedInt(buf.getShort(at));
        String tag = utf8(buf, at + 2, first);
        at += 2 + first;
        if (at >= end) {
            return List.of(tag);
        }
        List<String> tags = new ArrayList<>(4);
        tags.add(tag);
        while (at < end) {
            int tagLength = Short.toUnsignedInt(buf.getShort(at));
            tags.add(utf8(buf, at + 2, tagLength));
            at += 2 + tagLength;
        }
        return List.copyOf(tags);
    }

    /** Total encoded size of the record at {@code at}; only valid for a checked frame. */
    static int sizeAt(ByteBuffer buf, int at) {
        return FIXED_BYTES
                + buf.getInt(at + STREAM_LENGTH)
                + buf.getInt(at + TYPE_LENGTH)
                + buf.getInt(at + DATA_LENGTH)
                + buf.getInt(at + METADATA_LENGTH)
                + buf.getInt(at + TAGS_LENGTH);
    }

    /**
     * Total encoded size of the record whose header is at {@code at}, from its length fields alone,
     * or {@code -1} when a length is negative. Only the {@link #HEADER_BYTES} header is read, so a
     * point read can walk past records without loading them.
     */
    static long sizeFromHeader(ByteBuffer buf, int at) {
        long size = FIXED_BYTES;
        for (int field = STREAM_LENGTH; field <= LAST_LENGTH; field += 4) {
            int length = buf.getInt(at + field);
            if (length < 0) {
                return -1;
            }
            size += length;
        }
        return size;
    }

    static long versionAt(ByteBuffer buf, int at) {
        return buf.getLong(at + VERSION);
    }

    static int streamLengthAt(ByteBuffer buf, int at) {
        return buf.getInt(at + STREAM_LENGTH);
    }

    static int streamOffsetAt(int at) {
        return at + HEADER_BYTES;
    }

    /**
     * Checks the structure of the record at {@code at}, whose payload ends at {@code end}: position,
     * non-negative version, a valid timestamp and content type, and lengths inside the payload.
     *
     * @return why the record is malformed, or empty when it is sound
     */
    static Optional<String> check(ByteBuffer buf, int at, int end, long expectedPosition) {
        if (end - at < FIXED_BYTES) {
            return Optional.of("record header runs past the end of the payload");
        }
        if (buf.getLong(at) != expectedPosition) {
            return Optional.of("record holds position " + buf.getLong(at) + ", expected " + expectedPosition);
        }
        if (buf.getLong(at + VERSION) < 0) {
            return Optional.of("record has negative stream version " + buf.getLong(at + VERSION));
        }
        long seconds = buf.getLong(at + CREATED_SECONDS);
        int nanos = buf.getInt(at + CREATED_NANOS);
        if (seconds < Instant.MIN.getEpochSecond()
                || seconds > Instant.MAX.getEpochSecond()
                || nanos < 0
                || nanos > 999_999_999) {
            return Optional.of("record has an invalid timestamp " + seconds + "s " + nanos + "ns");
        }
        byte contentType = buf.get(at + CONTENT_TYPE);
        if (contentType != 0 && contentType != 1) {
            return Optional.of("record has unknown content type code " + contentType);
        }
        long size = FIXED_BYTES;
        for (int field = STREAM_LENGTH; field <= LAST_LENGTH; field += 4) {
            int length = buf.getInt(at + field);
            if (length < 0) {
                return Optional.of("record has a negative field length " + length);
            }
            size += length;
        }
        if (size > end - at) {
            return Optional.of("record of " + size + " bytes runs past the end of the payload");
        }
        return checkTags(buf, at);
    }

    /** The tags part must be a whole number of (length, bytes) entries, none of them empty. */
    private static Optional<String> checkTags(ByteBuffer buf, int at) {
        int length = buf.getInt(at + TAGS_LENGTH);
        int cursor = at + HEADER_BYTES;
        for (int field = STREAM_LENGTH; field < TAGS_LENGTH; field += 4) {
            cursor += buf.getInt(at + field);
        }
        int end = cursor + length;
        while (cursor < end) {
            if (end - cursor < 2) {
                return Optional.of("record's tags part ends inside a tag length");
            }
            int tagLength = Short.toUnsignedInt(buf.getShort(cursor));
            if (tagLength == 0 || tagLength > end - cursor - 2) {
                return Optional.of("record's tags part holds a tag of " + tagLength + " bytes, which does not fit");
            }
            cursor += 2 + tagLength;
        }
        return Optional.empty();
    }

    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * Checks the CRC32C of the record at {@code at} of {@code size} bytes (heap buffer; structure
     * already checked, so the record lies inside {@code buf}).
     *
     * @return the mismatch, or empty when the checksum matches
     */
    static Optional<String> checkCrc(ByteBuffer buf, int at, int size, CRC32C crc) {
        crc.reset();
        crc.update(buf.array(), buf.arrayOffset() + at, size - CRC_BYTES);
        int stored = buf.getInt(at + size - CRC_BYTES);
        return (int) crc.getValue() == stored
                ? Optional.empty()
                : Optional.of("record checksum (CRC32C) mismatch: stored " + LogFormat.hex(stored) + ", computed "
                        + LogFormat.hex((int) crc.getValue()));
    }

    private static boolean sameBytes(ByteBuffer buf, int at, int length, int otherAt, int otherLength) {
        int base = buf.arrayOffset();
        return length == otherLength
                && Arrays.equals(
                        buf.array(),
                        base + at,
                        base + at + length,
                        buf.array(),
                        base + otherAt,
                        base + otherAt + length);
    }

    private static String utf8(ByteBuffer buf, int at, int length) {
        if (buf.hasArray()) {
            return new String(buf.array(), buf.arrayOffset() + at, length, StandardCharsets.UTF_8);
        }
        byte[] bytes = new byte[length];
        buf.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte contentTypeCode(ContentType contentType) {
        return switch (contentType) {
            case JSON -> 0;
            case BINARY -> 1;
        };
    }

    private static ContentType contentType(byte code) {
        return code == 0 ? ContentType.JSON : ContentType.BINARY;
    }
}
