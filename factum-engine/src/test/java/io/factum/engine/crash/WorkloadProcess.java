package io.factum.engine.crash;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running {@link CrashWorkload} child JVM, started with the test JVM's own {@code java} binary and
 * class path. A reader thread drains its stdout into complete lines (the child blocks when the pipe
 * is full, so the pipe must be drained all the time); stderr goes to a file.
 *
 * <p>Thread-safety: the lines list is written by the reader thread only and read by the test thread
 * only after {@link #killAndCollect} has joined the reader.
 */
final class WorkloadProcess implements AutoCloseable {
    /** Linux reports a process killed by signal 9 as exit status 128 + 9. */
    static final int SIGKILL_EXIT_STATUS = 137;

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path stderrFile;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>();
    private final CompletableFuture<Boolean> running = new CompletableFuture<>();
    private volatile int tornBytes;

    private WorkloadProcess(Process process, Path stderrFile) {
        this.process = process;
        this.stderrFile = stderrFile;
        this.reader = Thread.ofPlatform()
                .daemon()
                .name("workload-stdout-" + process.pid())
                .start(this::drain);
    }

    /** The outcome of one child: its complete stdout lines and how it ended. */
    record Result(List<String> lines, int exitStatus, int tornBytes) {}

    static WorkloadProcess start(Path dataDir, String tag, long seed, int writers, Path stderrFile) throws IOException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(
                java,
                // C1 only and a small serial heap: the child needs no peak speed, and starts faster on two cores.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                CrashWorkload.class.getName(),
                "dir=" + dataDir,
                "tag=" + tag,
                "seed=" + seed,
                "writers=" + writers);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
                .start();
        process.getOutputStream().close();
        return new WorkloadProcess(process, stderrFile);
    }

    long pid() {
        return process.pid();
    }

    /**
     * Waits until the child has opened the store. False when it exited first (its stderr says why).
     *
     * @throws TimeoutException when it neither opened the store nor exited in time
     */
    boolean awaitRunning(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("stdout reader failed", e.getCause());
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Kills the child with SIGKILL ({@link Process#destroyForcibly()}; on Linux the JDK sends
     * signal 9, which the child cannot catch, so no shutdown hook or finally block runs), waits for
     * it and for the end of its stdout.
     */
    Result killAndCollect() throws InterruptedException, TimeoutException {
        process.destroyForcibly();
        if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("child " + process.pid() + " did not die within " + EXIT_TIMEOUT);
        }
        reader.join(EXIT_TIMEOUT.toMillis());
        if (reader.isAlive()) {
            throw new TimeoutException("stdout of child " + process.pid() + " did not reach end of file");
        }
        return new Result(List.copyOf(lines), process.exitValue(), tornBytes);
    }

    String stderr() {
        try {
            return Files.readString(stderrFile);
        } catch (IOException e) {
            return "(cannot read " + stderrFile + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private void drain() {
        LineSplitter splitter = new LineSplitter(line -> {
            lines.add(line);
            if (line.startsWith("R\t")) {
                running.complete(true);
            }
        });
        byte[] buffer = new byte[64 << 10];
        try (InputStream in = process.getInputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                splitter.accept(buffer, n);
            }
        } catch (IOException e) {
            running.completeExceptionally(new UncheckedIOException(e));
        } finally {
            tornBytes = splitter.pending();
            running.complete(false);
        }
    }
}
