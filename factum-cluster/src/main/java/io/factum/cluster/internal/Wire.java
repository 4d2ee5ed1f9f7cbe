package io.factum.cluster.internal;

import io.factum.api.AppendCondition;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.RecordedEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The primitive encodings shared by the cluster's messages (Raft entries, state transfer): big-endian
 * integers, length-prefixed UTF-8 strings and byte arrays, and the API's value types. Readers check
 * every length against what is left, so a damaged message fails with {@link
 * MalformedMessageException} naming the field instead of allocating nonsense.
 */
final class Wire {
    private Wire() {}

    /** Writes into a growable buffer; {@link #toByteArray()} when done. */
    static final class Out {
        private final ByteArrayOutputStream bytes;
        private final DataOutputStream data;

        Out(int expectedBytes) {
            bytes = new ByteArrayOutputStream(expectedBytes);
            data = new DataOutputStream(bytes);
        }

        Out writeByte(int value) {
            return run(() -> data.writeByte(value));
        }

        Out writeInt(int value) {
            return run(() -> data.writeInt(value));
        }

        Out writeLong(long value) {
            return run(() -> data.writeLong(value));
        }

        Out writeBoolean(boolean value) {
            return run(() -> data.writeBoolean(value));
        }

        Out writeBytes(byte[] value) {
            return run(() -> {
                data.writeInt(value.length);
                data.write(value);
            });
        }

        Out writeString(String value) {
            return writeBytes(value.getBytes(StandardCharsets.UTF_8));
        }

        Out writeStrings(List<String> values) {
            writeInt(values.size());
            values.forEach(this::writeString);
            return this;
        }

        Out writeUuid(UUID id) {
            return writeLong(id.getMostSignificantBits()).writeLong(id.getLeastSignificantBits());
        }

        Out writeInstant(Instant time) {
            return writeLong(time.getEpochSecond()).writeInt(time.getNano());
        }

        Out writeExpected(ExpectedVersion expected) {
            return switch (expected) {
                case ExpectedVersion.Any a -> writeByte(0);
                case ExpectedVersion.NoStream n -> writeByte(1);
                case ExpectedVersion.StreamExists s -> writeByte(2);
                case ExpectedVersion.Exact e -> writeByte(3).writeLong(e.version());
            };
        }

        Out writeEvent(EventData event) {
            writeUuid(event.eventId()).writeString(event.type());
            writeBytes(event.data()).writeBytes(event.metadata());
            return writeByte(event.contentType().ordinal()).writeStrings(event.tags());
        }

        Out writeCondition(AppendCondition condition) {
            writeInt(condition.failIfEventsMatch().items().size());
            for (QueryItem item : condition.failIfEventsMatch().items()) {
                writeStrings(item.types()).writeStrings(item.tags());
            }
            return writeLong(condition.afterPosition());
        }

        Out writeRecord(RecordedEvent r) {
            writeString(r.stream()).writeLong(r.version()).writeLong(r.position());
            writeUuid(r.eventId()).writeString(r.type()).writeBytes(r.data()).writeBytes(r.metadata());
            return writeByte(r.contentType().ordinal())
                    .writeInstant(r.created())
                    .writeStrings(r.tags());
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }

        /** The bytes written, for a sink that takes a stream (Ratis' ByteString). */
        void writeTo(OutputStream out) throws IOException {
            bytes.writeTo(out);
        }

        private Out run(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a ByteArrayOutputStream never throws
            }
            return this;
        }
    }

    /** Reads what {@link Out} wrote; every read names the field it was reading when it fails. */
    static final class In {
        private final DataInputStream data;
        private final String what;

        In(InputStream input, String what) {
            this.data = new DataInputStream(input);
            this.what = what;
        }

        int readByte(String field) {
            return read(field, data::readUnsignedByte);
        }

        int readInt(String field) {
            return read(field, data::readInt);
        }

        long readLong(String field) {
            return read(field, data::readLong);
        }

        boolean readBoolean(String field) {
            return read(field, data::readBoolean);
        }

        int readCount(String field) {
            int count = readInt(field);
            if (count < 0 || count > remaining()) {
                throw malformed(field, "count " + count + " with " + remaining() + " bytes left");
            }
            return count;
        }

        byte[] readBytes(String field) {
            int length = readCount(field);
            return read(field, () -> data.readNBytes(length));
        }

        String readString(String field) {
            return new String(readBytes(field), StandardCharsets.UTF_8);
        }

        List<String> readStrings(String field) {
            int count = readCount(field);
            List<String> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                values.add(readString(field));
            }
            return values;
        }

        UUID readUuid(String field) {
            return new UUID(readLong(field), readLong(field));
        }

        Instant readInstant(String field) {
            long seconds = readLong(field);
            int nanos = readInt(field);
            try {
                return Instant.ofEpochSecond(seconds, nanos);
            } catch (java.time.DateTimeException e) {
                throw malformed(field, e.getMessage());
            }
        }

        ExpectedVersion readExpected(String field) {
            int kind = readByte(field);
            return switch (kind) {
                case 0 -> ExpectedVersion.any();
                case 1 -> ExpectedVersion.noStream();
                case 2 -> ExpectedVersion.streamExists();
                case 3 -> ExpectedVersion.exactly(readLong(field));
                default -> throw malformed(field, "unknown expected-version kind " + kind);
            };
        }

        ContentType readContentType(String field) {
            int ordinal = readByte(field);
            ContentType[] types = ContentType.values();
            if (ordinal >= types.length) {
                throw malformed(field, "unknown content type " + ordinal);
            }
            return types[ordinal];
        }

        EventData readEvent() {
            UUID id = readUuid("event id");
            String type = readString("event type");
            byte[] payload = readBytes("event data");
            byte[] metadata = readBytes("event metadata");
            ContentType contentType = readContentType("event content type");
            return new EventData(id, type, payload, metadata, contentType, readStrings("event tags"));
        }

        AppendCondition readCondition() {
            int count = readCount("condition items");
            List<QueryItem> items = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                items.add(new QueryItem(readStrings("condition types"), readStrings("condition tags")));
            }
            return new AppendCondition(new Query(items), readLong("condition position"));
        }

        RecordedEvent readRecord() {
            String stream = readString("record stream");
            long version = readLong("record version");
            long position = readLong("record position");
            UUID id = readUuid("record id");
            String type = readString("record type");
            byte[] payload = readBytes("record data");
            byte[] metadata = readBytes("record metadata");
            ContentType contentType = readContentType("record content type");
            Instant created = readInstant("record time");
            List<String> tags = readStrings("record tags");
            return new RecordedEvent(
                    stream, version, position, id, type, payload, metadata, contentType, created, tags);
        }

        int remaining() {
            return read("remaining", data::available);
        }

        /** Fails unless every byte was read: trailing bytes mean a format this code does not know. */
        void expectEnd() {
            int left = remaining();
            if (left != 0) {
                throw malformed("end", left + " unexpected trailing bytes");
            }
        }

        MalformedMessageException malformed(String field, String problem) {
            return new MalformedMessageException(what + ": " + field + ": " + problem);
        }

        private <T> T read(String field, IoRead<T> read) {
            try {
                return read.read();
            } catch (EOFException e) {
                throw malformed(field, "ends early");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw malformed(field, e.getMessage());
            }
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    @FunctionalInterface
    private interface IoRead<T> {
        T read() throws IOException;
    }
}
