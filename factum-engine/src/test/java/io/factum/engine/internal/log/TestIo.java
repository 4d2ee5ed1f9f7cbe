package io.factum.engine.internal.log;

import io.factum.engine.FileIo;
import io.factum.engine.fault.ForwardingFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The real file system for log tests, plus a manual clock (for the once-a-second checkpoint;
 * pass {@code io::nanoTime} to {@code SegmentedLog.open}), bytes read per file (to prove open does
 * not read sealed segments), and injectable faults for opens, writes and forces. Once armed, a fault fires on every matching call until disarmed.
 */
final class TestIo extends ForwardingFileIo {
    final AtomicLong nanos = new AtomicLong();

    TestIo() {
        super(FileIo.system());
    }

    final Map<Path, LongAdder> bytesRead = new ConcurrentHashMap<>();
    final AtomicReference<IOException> failWrite = new AtomicReference<>();
    final AtomicReference<IOException> failForce = new AtomicReference<>();
    final AtomicReference<IOException> failOpen = new AtomicReference<>();

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        IOException open = failOpen.get();
        if (open != null) {
            throw open;
        }
        Path file = path.toAbsolutePath();
        return new DelegatingFileChannel(super.open(path, options)) {
            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                int n = super.read(dst, position);
                bytesRead.computeIfAbsent(file, f -> new LongAdder()).add(Math.max(n, 0));
                return n;
            }

            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                IOException e = failWrite.get();
                if (e != null) {
                    throw e;
                }
                return super.write(src, position);
            }

            @Override
            public void force(boolean metaData) throws IOException {
                IOException e = failForce.get();
                if (e != null) {
                    throw e;
                }
                super.force(metaData);
            }
        };
    }

    /** The log's monotonic clock: pass {@code io::nanoTime} to {@code SegmentedLog.open}. */
    long nanoTime() {
        return nanos.get();
    }

    /** Moves the clock past the checkpoint interval, so the next flush writes a checkpoint. */
    void elapseCheckpointInterval() {
        nanos.addAndGet(2_000_000_000L);
    }

    long bytesReadFrom(Path file) {
        LongAdder adder = bytesRead.get(file.toAbsolutePath());
        return adder == null ? 0 : adder.sum();
    }
}
