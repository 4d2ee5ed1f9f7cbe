package io.factum.engine.fault;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory disk that loses, at a power cut, everything a real disk may lose: the {@link FileIo}
 * for power-loss and fault-injection tests of the whole engine.
 *
 * <h2>What is durable (the rules it models)</h2>
 *
 * The rules are POSIX's, which is what the engine may count on; a real ext4 with default options
 * (data=ordered, 5 s journal commits) often keeps more, never less:
 *
 * <ul>
 *   <li>A file's contents and size are durable as of the last completed {@code force} on any channel
 *       of that file; {@code force(false)} counts as {@code force(true)}, since {@code fdatasync}
 *       also persists a size change needed to read the data back. Writes and truncations after it
 *       are volatile.
 *   <li>A directory entry (a file or directory created, renamed or deleted) is durable only once
 *       {@link FileIo#fsyncDirectory} of its parent directory completed; until then the durable
 *       name keeps pointing at what it pointed at before (the old file of a rename over it, or
 *       nothing for a new file). A file reachable only through a non-durable entry, or whose parent
 *       directory's own entry is not durable, is lost at a cut, even if it was forced.
 *   <li>{@link #cut()} (a power loss) replaces the volatile state by the durable one: every file's
 *       contents go back to its last force, every directory to its last fsync. Nothing in between
 *       survives: no torn write, no reordered metadata. That is the strictest reading of "lost
 *       unless fsynced", and what the power-loss test promises the engine copes with.
 * </ul>
 *
 * <h2>Sessions</h2>
 *
 * {@link #io()} returns the {@link FileIo} of the current power cycle. A cut ends the cycle: every
 * call through an older {@code FileIo} or on a channel opened through one throws {@link PowerLost},
 * so a store that was running at the cut can neither read nor write any more (as if its machine
 * stopped) and can be closed without touching the new cycle's state. All operations and the cut
 * take one lock, so each operation happens entirely before or entirely after a cut.
 *
 * <h2>Faults</h2>
 *
 * {@link #cutAt(long)} cuts the power at the n-th mutating operation from now (that operation is
 * refused); {@link #failAt(Op, long, IOException)} makes the n-th operation of a kind throw;
 * {@link #limitBytes(long)} makes writes that would grow the disk beyond a size fail with "No space
 * left on device"; {@link #holdForces()} makes file forces wait until released.
 *
 * <p>Paths are plain {@link Path}s of the default file system that are never touched on it; only
 * absolute, normalized paths are used as names. Thread-safe.
 */
public final class SimulatedDisk {
    /** The kinds of mutating operations, for fault injection and counting. */
    public enum Op {
        WRITE,
        TRUNCATE,
        FORCE,
        CREATE,
        RENAME,
        DELETE,
        DIRECTORY_SYNC
    }

    /** Thrown by every operation of a power cycle that ended. */
    public static final class PowerLost extends IOException {
        PowerLost(String what) {
            super("simulated power loss: " + what + " after the power was cut");
        }
    }

    /** A directory: the value of a directory's entry. */
    static final Object DIRECTORY = new Object();

    // All guarded by this.
    private final Map<Path, Object> live = new HashMap<>();
    private final Map<Path, Object> durable = new HashMap<>();
    private long cycle;
    private long mutatingOps;
    private long cutAtOp = Long.MAX_VALUE;
    private long capacityBytes = Long.MAX_VALUE;
    private final Map<Op, Long> failAtCount = new EnumMap<>(Op.class);
    private final Map<Op, IOException> failWith = new EnumMap<>(Op.class);
    private final Map<Op, Long> counts = new EnumMap<>(Op.class);
    private Optional<ForceGate> gate = Optional.empty();

    /** A disk holding only {@code root} (and its ancestors), durably. */
    public SimulatedDisk(Path root) {
        for (Path p = normalize(root); p != null; p = p.getParent()) {
            live.put(p, DIRECTORY);
            durable.put(p, DIRECTORY);
        }
    }

    /** The file system of the current power cycle. */
    public synchronized FileIo io() {
        return new SimulatedFileIo(this, cycle);
    }

    /**
     * Cuts the power now: every file goes back to its last force, every directory to its last
     * fsync, and every {@code FileIo} and channel handed out so far fails from now on.
     */
    public synchronized void cut() {
        cycle++;
        cutAtOp = Long.MAX_VALUE;
        Map<Path, Object> kept = new HashMap<>();
        durable.forEach((path, node) -> {
            if (reachable(path)) {
                kept.put(path, node);
            }
        });
        durable.clear();
        durable.putAll(kept);
        live.clear();
        live.putAll(kept);
        for (Object node : kept.values()) {
            if (node instanceof Inode inode) {
                inode.revert();
            }
        }
        gate.ifPresent(ForceGate::release);
        gate = Optional.empty();
    }

    /** Cuts the power at the n-th mutating operation from now (n >= 1); that operation is refused. */
    public synchronized void cutAt(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("n is " + n + ", must be >= 1");
        }
        cutAtOp = mutatingOps + n;
    }

    /** Whether a cut scheduled with {@link #cutAt} has happened (or no cut is pending). */
    public synchronized boolean cutPending() {
        return cutAtOp != Long.MAX_VALUE;
    }

    /** The n-th operation of this kind from now (n >= 1) throws error, once. */
    public synchronized void failAt(Op op, long n, IOException error) {
        if (n < 1) {
            throw new IllegalArgumentException("n is " + n + ", must be >= 1");
        }
        failAtCount.put(op, counts.getOrDefault(op, 0L) + n);
        failWith.put(op, error);
    }

    /** Writes that would make the files' total size exceed bytes fail with "No space left on device". */
    public synchronized void limitBytes(long bytes) {
        capacityBytes = bytes;
    }

    /** Mutating operations so far, over all power cycles. */
    public synchronized long mutatingOps() {
        return mutatingOps;
    }

    /** Operations of a kind so far, over all power cycles. */
    public synchronized long count(Op op) {
        return counts.getOrDefault(op, 0L);
    }

    /** From now on, forces of files wait until the returned gate is released (or the power cut). */
    public synchronized ForceGate holdForces() {
        ForceGate held = new ForceGate();
        gate = Optional.of(held);
        return held;
    }

    /** The durable contents of a file (what a cut now would leave under that name), if any. */
    public synchronized Optional<byte[]> durableContents(Path file) {
        Path p = normalize(file);
        return durable.get(p) instanceof Inode inode && reachable(p)
                ? Optional.of(inode.durableBytes())
                : Optional.empty();
    }

    /** Forces wait at the gate while it is held; {@link #release()} lets them (and later ones) through. */
    public static final class ForceGate {
        private final CountDownLatch released = new CountDownLatch(1);
        private final CountDownLatch waiting = new CountDownLatch(1);

        /** Whether a force reached the gate within the timeout. */
        public boolean awaitWaiter(long timeout, TimeUnit unit) throws InterruptedException {
            return waiting.await(timeout, unit);
        }

        public void release() {
            released.countDown();
        }

        void pass() throws IOException {
            waiting.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while a force was held");
            }
        }
    }

    // ---- the operations, called by SimulatedFileIo and SimulatedChannel ----

    /** Refuses an operation of an ended power cycle. */
    void checkCycle(long of, String what) throws PowerLost {
        if (of != cycle) {
            throw new PowerLost(what);
        }
    }

    /** Counts a mutating operation; cuts the power or throws an injected fault when one is due. */
    void mutate(long of, Op op, String what) throws IOException {
        checkCycle(of, what);
        mutatingOps++;
        long n = counts.merge(op, 1L, Long::sum);
        if (mutatingOps >= cutAtOp) {
            cut();
            throw new PowerLost(what);
        }
        if (failAtCount.getOrDefault(op, Long.MAX_VALUE) == n) {
            failAtCount.remove(op);
            throw failWith.remove(op);
        }
    }

    Optional<ForceGate> gate() {
        return gate;
    }

    Object node(Path path) {
        return live.get(path);
    }

    void checkParent(Path path) throws IOException {
        Path parent = path.getParent();
        if (parent == null || live.get(parent) != DIRECTORY) {
            throw new NoSuchFileException(path.toString(), null, "no such directory: " + parent);
        }
    }

    Inode create(long of, Path path) throws IOException {
        mutate(of, Op.CREATE, "create " + path);
        checkParent(path);
        Inode inode = new Inode();
        live.put(path, inode);
        return inode;
    }

    void createDirectories(long of, Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && live.get(p) == null; p = p.getParent()) {
            missing.add(0, p);
        }
        if (live.get(dir) instanceof Inode) {
            throw new FileAlreadyExistsException(dir.toString(), null, "a file, not a directory");
        }
        for (Path p : missing) {
            mutate(of, Op.CREATE, "create directory " + p);
            checkParent(p);
            live.put(p, DIRECTORY);
        }
    }

    void move(long of, Path source, Path target) throws IOException {
        mutate(of, Op.RENAME, "rename " + source + " to " + target);
        Object node = live.get(source);
        if (node == null) {
            throw new NoSuchFileException(source.toString());
        }
        if (node == DIRECTORY || live.get(target) == DIRECTORY) {
            throw new IOException("the simulated disk renames files only: " + source + " to " + target);
        }
        checkParent(target);
        live.remove(source);
        live.put(target, node);
    }

    boolean delete(long of, Path path) throws IOException {
        Object node = live.get(path);
        if (node == null) {
            checkCycle(of, "delete " + path);
            return false;
        }
        if (node == DIRECTORY && !children(path).isEmpty()) {
            throw new DirectoryNotEmptyException(path.toString());
        }
        mutate(of, Op.DELETE, "delete " + path);
        live.remove(path);
        return true;
    }

    List<Path> list(Path dir) throws IOException {
        Object node = live.get(dir);
        if (node == null) {
            throw new NoSuchFileException(dir.toString());
        }
        if (node != DIRECTORY) {
            throw new NotDirectoryException(dir.toString());
        }
        List<Path> entries = children(dir);
        entries.sort(null);
        return entries;
    }

    void fsyncDirectory(long of, Path dir) throws IOException {
        mutate(of, Op.DIRECTORY_SYNC, "fsync directory " + dir);
        if (live.get(dir) != DIRECTORY) {
            throw new NoSuchFileException(dir.toString(), null, "not a directory");
        }
        durable.keySet().removeIf(p -> dir.equals(p.getParent()));
        for (Path child : children(dir)) {
            durable.put(child, live.get(child));
        }
    }

    void force(long of, Inode inode, Path path) throws IOException {
        mutate(of, Op.FORCE, "force " + path);
        inode.persist();
    }

    void write(long of, Inode inode, Path path, byte[] bytes, long at) throws IOException {
        mutate(of, Op.WRITE, "write " + path);
        long growth = Math.max(0, at + bytes.length - inode.size());
        if (growth > 0 && totalBytes() + growth > capacityBytes) {
            throw new IOException(
                    "No space left on device (simulated): writing " + bytes.length + " bytes to " + path + " at " + at);
        }
        inode.write(bytes, at);
    }

    void truncate(long of, Inode inode, Path path, long size) throws IOException {
        mutate(of, Op.TRUNCATE, "truncate " + path);
        inode.truncate(size);
    }

    private long totalBytes() {
        Map<Inode, Boolean> seen = new IdentityHashMap<>();
        long total = 0;
        for (Object node : live.values()) {
            if (node instanceof Inode inode && seen.put(inode, Boolean.TRUE) == null) {
                total += inode.size();
            }
        }
        return total;
    }

    private List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Path p : live.keySet()) {
            if (dir.equals(p.getParent())) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether every ancestor of a durable entry is itself a durable directory. */
    private boolean reachable(Path path) {
        for (Path p = path.getParent(); p != null; p = p.getParent()) {
            if (durable.get(p) != DIRECTORY) {
                return false;
            }
        }
        return true;
    }

    static Path normalize(Path path) {
        return path.toAbsolutePath().normalize();
    }

    /** A file's data: what reads see, and what survives a cut. Guarded by the disk's lock. */
    static final class Inode {
        private byte[] data = new byte[0];
        private int size;
        private byte[] durableData = new byte[0];

        long size() {
            return size;
        }

        void write(byte[] bytes, long at) throws IOException {
            long end = at + bytes.length;
            if (end > Integer.MAX_VALUE - 8) {
                throw new IOException("the simulated disk holds files up to 2 GiB; writing to " + end);
            }
            if (end > data.length) {
                data = Arrays.copyOf(data, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 8, 2L * data.length)));
            }
            System.arraycopy(bytes, 0, data, (int) at, bytes.length);
            size = (int) Math.max(size, end);
        }

        /** Copies up to length bytes from at; -1 at or past the end. */
        int read(byte[] into, long at) {
            if (at >= size) {
                return -1;
            }
            int n = (int) Math.min(into.length, size - at);
            System.arraycopy(data, (int) at, into, 0, n);
            return n;
        }

        void truncate(long newSize) {
            if (newSize < size) {
                Arrays.fill(data, (int) newSize, size, (byte) 0);
                size = (int) newSize;
            }
        }

        void persist() {
            durableData = Arrays.copyOf(data, size);
        }

        byte[] durableBytes() {
            return durableData.clone();
        }

        void revert() {
            data = durableData.clone();
            size = data.length;
        }
    }
}
