package io.factum.cluster.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Which Raft entry each frame of the node's store came from, so that after a crash the node knows
 * where to resume applying. The store is written without per-write fsync (the Raft log is what is
 * durable), and the Raft log is purged only up to a {@linkplain #mark mark}, written after the
 * store was synced; so whatever a crash loses, the entries to rebuild it are still in the Raft log.
 *
 * <p>One 36-byte record per entry that wrote records, written just before its frame: Raft index
 * (8), term (8), the store's next position before (8) and after (8) the frame, CRC32C of those 32
 * bytes (4). A mark is a record with before = after: "entries up to this index are applied and the
 * store up to this position is on stable storage". A mark replaces the whole file (write, fsync,
 * rename), so the file stays short. A torn last record (a crash while writing it) is dropped.
 *
 * <p>Not thread-safe: used from the thread that applies entries.
 */
public final class ApplyJournal implements AutoCloseable {
    static final int RECORD_BYTES = 36;
    private static final String FILE = "applied";

    private final Path dir;
    private final List<Entry> entries;
    private FileChannel channel;

    /** A record: an entry's frame, or a mark when {@code before == after}. */
    public record Entry(long index, long term, long before, long after) {}

    /** Where to resume, given the store's next position. */
    public sealed interface Resume {
        /** Entries up to this one are applied; none when {@code index} is -1 (apply from the start). */
        record At(long index, long term) implements Resume {}

        /** The store and the journal disagree: the node must be wiped and catch up from the others. */
        record Inconsistent(String reason) implements Resume {}
    }

    private ApplyJournal(Path dir, List<Entry> entries, FileChannel channel) {
        this.dir = dir;
        this.entries = entries;
        this.channel = channel;
    }

    /** Opens the journal in {@code dir}, dropping a torn last record. */
    public static ApplyJournal open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        List<Entry> entries = new ArrayList<>();
        ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES);
        long offset = 0;
        while (true) {
            record.clear();
            int read = 0;
            while (record.hasRemaining() && read >= 0) {
                read = channel.read(record, offset + record.position());
            }
            if (record.hasRemaining()) {
                break;
            }
            Optional<Entry> entry = decode(record.flip());
            if (entry.isEmpty()) {
                break;
            }
            entries.add(entry.get());
            offset += RECORD_BYTES;
        }
        channel.truncate(offset);
        channel.position(offset);
        return new ApplyJournal(dir, entries, channel);
    }

    /** Records that entry {@code index} is about to write positions {@code before .. after - 1}. */
    public void frame(long index, long term, long before, long after) throws IOException {
        Entry entry = new Entry(index, term, before, after);
        ByteBuffer bytes = encode(entry);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        entries.add(entry);
    }

    /**
     * Replaces the journal by one mark: entries up to {@code index} are applied and the store is on
     * stable storage up to {@code next}. The caller synced the store first.
     */
    public void mark(long index, long term, long next) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        Entry entry = new Entry(index, term, next, next);
        try (FileChannel out = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = encode(entry);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        channel.close();
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
        channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.WRITE);
        channel.position(RECORD_BYTES);
        entries.clear();
        entries.add(entry);
    }

    /** The newest mark, if any: what the node can vouch for after any crash. */
    public Optional<Entry> lastMark() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.before() == e.after()) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Where to resume applying, given that the store's log holds positions {@code 0 .. next - 1}.
     * Frames are atomic: the store ends either before or after each entry's frame. A frame the
     * store lost (its bytes never reached the disk) is applied again; a store holding more than
     * the journal accounts for cannot be trusted to match the others.
     */
    public Resume resume(long next) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (next == e.after()) {
                return new Resume.At(e.index(), e.term());
            }
            if (next == e.before()) {
                return i == 0
                        ? new Resume.At(-1, 0)
                        : new Resume.At(
                                entries.get(i - 1).index(), entries.get(i - 1).term());
            }
            if (next > e.after()) {
                return new Resume.Inconsistent("the store holds positions up to " + (next - 1)
                        + " but its apply journal accounts only for those below " + e.after()
                        + " (entry " + e.index() + "): a power loss can do this to a node that writes without"
                        + " fsync");
            }
        }
        if (next == 0) {
            return new Resume.At(-1, 0);
        }
        return new Resume.Inconsistent("the store holds " + next + " records that its apply journal does not"
                + (entries.isEmpty() ? " mention (the journal is empty)" : " account for"));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static ByteBuffer encode(Entry e) {
        ByteBuffer bytes = ByteBuffer.allocate(RECORD_BYTES);
        bytes.putLong(e.index()).putLong(e.term()).putLong(e.before()).putLong(e.after());
        CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, 32);
        bytes.putInt((int) crc.getValue());
        return bytes.flip();
    }

    private static Optional<Entry> decode(ByteBuffer bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, 32);
        if (bytes.getInt(32) != (int) crc.getValue()) {
            return Optional.empty();
        }
        Entry e = new Entry(bytes.getLong(0), bytes.getLong(8), bytes.getLong(16), bytes.getLong(24));
        return e.before() <= e.after() ? Optional.of(e) : Optional.empty();
    }
}
