package io.factum.bench;

import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one {@code ./factum bench} invocation shares between its scenarios: the output, the run
 * directory (a fresh directory under {@code --data}, deleted at close unless {@code --keep}), the
 * ceilings (measured once, on first use), and the append rate a run of {@code append} measured.
 *
 * <p>Used by the scenario thread only; not thread-safe.
 */
final class RunContext implements AutoCloseable {

    static final Path DEFAULT_DATA_PARENT = Path.of("bench-data");

    private final CommonOptions common;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Path runDir;
    private final boolean createdParent;
    private final Thread cleanupHook;
    private Optional<Ceilings> ceilings = Optional.empty();
    private OptionalDouble appendRate = OptionalDouble.empty();
    private int storeDirs;

    private RunContext(CommonOptions common, PrintWriter out, PrintWriter err, Path runDir, boolean createdParent) {
        this.common = common;
        this.createdParent = createdParent;
        this.out = out;
        this.err = err;
        this.runDir = runDir;
        // An interrupted run (Ctrl-C) must not leave a gigabyte behind in ./bench-data.
        this.cleanupHook = new Thread(this::deleteRunDir, "bench-cleanup");
        if (!common.keep) {
            Runtime.getRuntime().addShutdownHook(cleanupHook);
        }
    }

    static RunContext open(CommonOptions common, PrintWriter out, PrintWriter err) throws IOException {
        Path parent = common.data.orElse(DEFAULT_DATA_PARENT);
        // Only the default parent is removed again (when empty); a directory named by --data stays.
        boolean createdParent = common.data.isEmpty() && !Files.exists(parent);
        Files.createDirectories(parent);
        Path runDir = Files.createTempDirectory(parent, "run-");
        err.println("run directory: " + runDir.toAbsolutePath() + (common.keep ? " (kept)" : " (deleted at the end)"));
        err.flush();
        return new RunContext(common, out, err, runDir, createdParent);
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    CommonOptions common() {
        return common;
    }

    Duration progressInterval() {
        return common.progressInterval;
    }

    int eventSize() {
        return common.eventSizeBytes();
    }

    Path runDir() {
        return runDir;
    }

    /** This machine's ceilings on the run directory's file system, measured on first call. */
    Ceilings ceilings() throws IOException {
        if (ceilings.isEmpty()) {
            AtomicLong syncs = new AtomicLong();
            Ceilings.FsyncRate fsync;
            try (Progress p = Progress.start(this, "ceiling: fsync rate", "fsyncs", syncs::get, -1)) {
                fsync = Ceilings.measureFsync(runDir, common.ceilingFsyncDuration, syncs);
            }
            AtomicLong bytes = new AtomicLong();
            double writeMBps;
            long size = common.ceilingWriteSize;
            try (Progress p = Progress.start(this, "ceiling: sequential write", "bytes", bytes::get, size)) {
                writeMBps = Ceilings.measureWriteMBps(runDir, size, bytes);
            }
            ceilings = Optional.of(Ceilings.of(fsync, writeMBps, size));
        }
        return ceilings.orElseThrow();
    }

    /** Detected afresh for every result: the load average is part of it. */
    Environment environment() {
        return Environment.detect(runDir);
    }

    /** The events/s of an {@code append} run earlier in this invocation, if there was one. */
    OptionalDouble appendRate() {
        return appendRate;
    }

    void appendRate(double eventsPerSec) {
        appendRate = OptionalDouble.of(eventsPerSec);
    }

    /** A new, empty directory for one store. */
    Path newStoreDir(String name) throws IOException {
        return Files.createDirectory(runDir.resolve(name + "-" + (++storeDirs)));
    }

    /** Deletes a store directory once a scenario is done with it, unless {@code --keep}. */
    void discard(Path dir) {
        if (!common.keep) {
            deleteTree(dir);
        }
    }

    static EmbeddedEventStore openStore(Path dir, Durability durability) throws IOException {
        return EmbeddedEventStore.open(EngineOptions.defaults(dir).withDurability(durability));
    }

    /** Prints a result and appends it to the {@code --json} file. */
    void report(BenchResult result) throws IOException {
        out.print(result.render());
        out.println();
        out.flush();
        if (common.json.isPresent()) {
            Path file = common.json.get();
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(
                    file,
                    result.toJson() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    @Override
    public void close() {
        if (common.keep) {
            err.println("kept run directory " + runDir.toAbsolutePath());
            err.flush();
            return;
        }
        deleteRunDir();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs (or ran) and finds nothing left to delete.
        }
    }

    private void deleteRunDir() {
        if (Files.exists(runDir)) {
            deleteTree(runDir);
        }
        Path parent = runDir.getParent();
        if (createdParent && parent != null) {
            try {
                Files.deleteIfExists(parent);
            } catch (IOException e) {
                // Not empty (another run is using it) or gone: either way, leave it.
            }
        }
    }

    static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}
