package io.factum.cluster.internal;

import io.factum.api.RecordedEvent;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The read-only requests nodes send each other through Raft's query path: a barrier (a
 * linearizable read point on the leader), and state transfer (a node too far behind asks another
 * for the point its store has reached and then for the records up to it).
 *
 * <p>Format 1: kind (1 byte) then the kind's fields ({@link Wire}).
 */
public final class Queries {
    private static final int BARRIER = 1;
    private static final int STATE = 2;
    private static final int RECORDS = 3;

    private Queries() {}

    /** A decoded request. */
    public sealed interface Request {
        /** Nothing to read: the answer only says that the node has applied up to the read index. */
        record Barrier() implements Request {}

        /** The last applied entry and the store's next position, taken together. */
        record State() implements Request {}

        /** Records from a position on, at most about {@code maxBytes} of them (at least one). */
        record Records(long from, long upTo, int maxBytes) implements Request {}
    }

    /** Where a node's store stands: entries up to {@code index} applied, positions below {@code next}. */
    public record StatePoint(long index, long term, long next) {}

    public static byte[] encode(Request request) {
        Wire.Out out = new Wire.Out(32);
        switch (request) {
            case Request.Barrier b -> out.writeByte(BARRIER);
            case Request.State s -> out.writeByte(STATE);
            case Request.Records r ->
                out.writeByte(RECORDS).writeLong(r.from()).writeLong(r.upTo()).writeInt(r.maxBytes());
        }
        return out.toByteArray();
    }

    public static Request decodeRequest(byte[] bytes) {
        Wire.In in = new Wire.In(new ByteArrayInputStream(bytes), "cluster query");
        int kind = in.readByte("kind");
        Request request =
                switch (kind) {
                    case BARRIER -> new Request.Barrier();
                    case STATE -> new Request.State();
                    case RECORDS ->
                        new Request.Records(in.readLong("from"), in.readLong("up to"), in.readInt("max bytes"));
                    default -> throw in.malformed("kind", "unknown query kind " + kind);
                };
        in.expectEnd();
        return request;
    }

    public static byte[] encode(StatePoint point) {
        return new Wire.Out(24)
                .writeLong(point.index())
                .writeLong(point.term())
                .writeLong(point.next())
                .toByteArray();
    }

    public static StatePoint decodeStatePoint(byte[] bytes) {
        Wire.In in = new Wire.In(new ByteArrayInputStream(bytes), "state point");
        StatePoint point = new StatePoint(in.readLong("index"), in.readLong("term"), in.readLong("next"));
        in.expectEnd();
        return point;
    }

    public static byte[] encodeRecords(List<RecordedEvent> records) {
        long bytes = 4;
        for (RecordedEvent r : records) {
            bytes += 128
                    + r.data().length
                    + r.metadata().length
                    + r.stream().length()
                    + r.type().length();
        }
        Wire.Out out = new Wire.Out((int) Math.min(bytes, Integer.MAX_VALUE - 64));
        out.writeInt(records.size());
        records.forEach(out::writeRecord);
        return out.toByteArray();
    }

    public static List<RecordedEvent> decodeRecords(byte[] bytes) {
        Wire.In in = new Wire.In(new ByteArrayInputStream(bytes), "records");
        int count = in.readCount("record count");
        List<RecordedEvent> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(in.readRecord());
        }
        in.expectEnd();
        return records;
    }
}
