package io.factum.cluster.internal;

import io.factum.api.StreamAppend;
import io.factum.engine.WriteCommand;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Raft log entry: the write commands one node proposed together, in the order every node
 * applies them, and the time their records are stamped with (chosen once, by the proposer, so
 * that every node stamps the same). {@code proposer} and {@code batch} let the proposing node find
 * its waiting callers when it applies the entry; no other node uses them.
 *
 * <p>Format 1, big-endian: format (1 byte), proposer (string), batch (8), time (seconds 8, nanos
 * 4), command count (4), then each command: kind (1: append, 2: soft delete, 3: tombstone) and
 * its fields ({@link Wire}).
 */
public record Entry(String proposer, long batch, Instant time, List<WriteCommand> commands) {
    static final int FORMAT = 1;

    public Entry {
        commands = List.copyOf(commands);
    }

    public byte[] encode() {
        long bytes = 64;
        for (WriteCommand c : commands) {
            bytes += c.sizeBytes() + 128;
        }
        Wire.Out out = new Wire.Out((int) Math.min(bytes, Integer.MAX_VALUE - 64));
        out.writeByte(FORMAT).writeString(proposer).writeLong(batch).writeInstant(time);
        out.writeInt(commands.size());
        for (WriteCommand command : commands) {
            writeCommand(out, command);
        }
        return out.toByteArray();
    }

    private static void writeCommand(Wire.Out out, WriteCommand command) {
        switch (command) {
            case WriteCommand.Append a -> {
                out.writeByte(1).writeInt(a.parts().size());
                for (StreamAppend part : a.parts()) {
                    out.writeString(part.stream()).writeExpected(part.expected());
                    out.writeInt(part.events().size());
                    part.events().forEach(out::writeEvent);
                }
                out.writeBoolean(a.condition().isPresent());
                a.condition().ifPresent(out::writeCondition);
                out.writeLong(a.sizeBytes());
            }
            case WriteCommand.SoftDelete d ->
                out.writeByte(2).writeString(d.stream()).writeExpected(d.expected());
            case WriteCommand.Tombstone t ->
                out.writeByte(3).writeString(t.stream()).writeExpected(t.expected());
        }
    }

    /** @throws MalformedMessageException when the bytes are not an entry of a known format */
    public static Entry decode(byte[] bytes) {
        Wire.In in = new Wire.In(new ByteArrayInputStream(bytes), "Raft entry");
        int format = in.readByte("format");
        if (format != FORMAT) {
            throw in.malformed(
                    "format",
                    "format " + format + " is not known to this version (it reads " + FORMAT
                            + "); every node of a cluster must run the same Factum version");
        }
        String proposer = in.readString("proposer");
        long batch = in.readLong("batch");
        Instant time = in.readInstant("time");
        int count = in.readCount("command count");
        List<WriteCommand> commands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            commands.add(readCommand(in));
        }
        in.expectEnd();
        return new Entry(proposer, batch, time, commands);
    }

    private static WriteCommand readCommand(Wire.In in) {
        int kind = in.readByte("command kind");
        return switch (kind) {
            case 1 -> readAppend(in);
            case 2 -> new WriteCommand.SoftDelete(in.readString("stream"), in.readExpected("expected version"));
            case 3 -> new WriteCommand.Tombstone(in.readString("stream"), in.readExpected("expected version"));
            default -> throw in.malformed("command kind", "unknown kind " + kind);
        };
    }

    private static WriteCommand.Append readAppend(Wire.In in) {
        int partCount = in.readCount("part count");
        List<StreamAppend> parts = new ArrayList<>(partCount);
        for (int p = 0; p < partCount; p++) {
            String stream = in.readString("stream");
            var expected = in.readExpected("expected version");
            int eventCount = in.readCount("event count");
            List<io.factum.api.EventData> events = new ArrayList<>(eventCount);
            for (int e = 0; e < eventCount; e++) {
                events.add(in.readEvent());
            }
            parts.add(new StreamAppend(stream, expected, events));
        }
        Optional<io.factum.api.AppendCondition> condition =
                in.readBoolean("has condition") ? Optional.of(in.readCondition()) : Optional.empty();
        return new WriteCommand.Append(parts, condition, in.readLong("size"));
    }
}
