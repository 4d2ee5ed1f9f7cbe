package io.factum.engine.fault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A channel of a {@link SimulatedDisk}: on a file, or (inode null) on a directory, which can only
 * be forced (a directory fsync). Every call takes the disk's lock and fails once its power cycle
 * ended. Memory maps are not simulated (the engine does not use them).
 */
final class SimulatedChannel extends FileChannel {
    private final SimulatedDisk disk;
    private final long cycle;
    private final Path path;
    private final SimulatedDisk.@Nullable Inode inode;
    private final boolean readable;
    private final boolean writable;
    private final boolean append;
    private long position; // guarded by disk

    SimulatedChannel(
            SimulatedDisk disk,
            long cycle,
            Path path,
            SimulatedDisk.@Nullable Inode inode,
            boolean readable,
            boolean writable,
            boolean append) {
        this.disk = disk;
        this.cycle = cycle;
        this.path = path;
        this.inode = inode;
        this.readable = readable;
        this.writable = writable;
        this.append = append;
    }

    private SimulatedDisk.Inode file(String what) throws IOException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
        disk.checkCycle(cycle, what + " " + path);
        if (inode == null) {
            throw new IOException(path + " is a directory: cannot " + what + " it");
        }
        return inode;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        synchronized (disk) {
            int n = read(dst, position);
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }

    @Override
    public int read(ByteBuffer dst, long at) throws IOException {
        synchronized (disk) {
            SimulatedDisk.Inode file = file("read");
            if (!readable) {
                throw new NonReadableChannelException();
            }
            byte[] bytes = new byte[dst.remaining()];
            int n = file.read(bytes, at);
            if (n > 0) {
                dst.put(bytes, 0, n);
            }
            return bytes.length == 0 ? 0 : n;
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            int n = read(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        synchronized (disk) {
            if (append) {
                position = file("write").size();
            }
            int n = write(src, position);
            position += n;
            return n;
        }
    }

    @Override
    public int write(ByteBuffer src, long at) throws IOException {
        synchronized (disk) {
            SimulatedDisk.Inode file = file("write");
            if (!writable) {
                throw new NonWritableChannelException();
            }
            byte[] bytes = new byte[src.remaining()];
            src.duplicate().get(bytes);
            disk.write(cycle, file, path, bytes, at);
            src.position(src.limit());
            return bytes.length;
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public long position() throws IOException {
        synchronized (disk) {
            file("get the position of");
            return position;
        }
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        if (newPosition < 0) {
            throw new IllegalArgumentException("position " + newPosition);
        }
        synchronized (disk) {
            file("set the position of");
            position = newPosition;
            return this;
        }
    }

    @Override
    public long size() throws IOException {
        synchronized (disk) {
            return file("get the size of").size();
        }
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        synchronized (disk) {
            SimulatedDisk.Inode file = file("truncate");
            if (!writable) {
                throw new NonWritableChannelException();
            }
            if (size < file.size()) {
                disk.truncate(cycle, file, path, size);
            }
            position = Math.min(position, size);
            return this;
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
        if (inode == null) {
            synchronized (disk) {
                disk.fsyncDirectory(cycle, path);
            }
            return;
        }
        Optional<SimulatedDisk.ForceGate> gate;
        synchronized (disk) {
            disk.checkCycle(cycle, "force " + path);
            gate = disk.gate();
        }
        if (gate.isPresent()) {
            gate.get().pass(); // outside the lock: everything else goes on while the force waits
        }
        synchronized (disk) {
            disk.force(cycle, inode, path);
        }
    }

    @Override
    public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 1 << 16));
        long done = 0;
        while (done < count) {
            buf.clear().limit((int) Math.min(buf.capacity(), count - done));
            int n = read(buf, at + done);
            if (n <= 0) {
                break;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                target.write(buf);
            }
            done += n;
        }
        return done;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long at, long count) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count, 1 << 16));
        long done = 0;
        while (done < count) {
            buf.clear().limit((int) Math.min(buf.capacity(), count - done));
            int n = src.read(buf);
            if (n <= 0) {
                break;
            }
            buf.flip();
            done += write(buf, at + done);
        }
        return done;
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) {
        throw new UnsupportedOperationException("the simulated disk does not map files (" + path + ")");
    }

    @Override
    public FileLock lock(long at, long size, boolean shared) throws IOException {
        return tryLock(at, size, shared);
    }

    /**
     * Always granted: within one JVM the engine's directory lock is already exclusive through its
     * own registry, and a simulated disk is never shared between processes.
     */
    @Override
    public FileLock tryLock(long at, long size, boolean shared) throws IOException {
        synchronized (disk) {
            file("lock");
        }
        return new FileLock(this, at, size, shared) {
            private boolean valid = true;

            @Override
            public synchronized boolean isValid() {
                return valid && channel().isOpen();
            }

            @Override
            public synchronized void release() {
                valid = false;
            }
        };
    }

    @Override
    protected void implCloseChannel() {
        // nothing to release: the data lives in the disk
    }
}
