package io.factum.engine.crash;

import java.io.IOException;
import java.io.InputStream;
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
 * class path. The child writes its protocol to a file, which is read once the child is dead (see
 * {@link CrashWorkload} for why not through a pipe); a thread reads its stdout only to learn when
 * it has opened the store; stderr goes to a file.
 *
 * <p>Thread-safety: {@link #awaitRunning} may be called from any thread; the rest from the test
 * thread.
 */
final class WorkloadProcess implements AutoCloseable {
    /** Linux reports a process killed by signal 9 as exit status 128 + 9. */
    static final int SIGKILL_EXIT_STATUS = 137;

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path protocolFile;
    private final Path stderrFile;
    private final CompletableFuture<Boolean> running = new CompletableFuture<>();

    private WorkloadProcess(Process process, Path protocolFile, Path stderrFile) {
        this.process = process;
        this.protocolFile = protocolFile;
        this.stderrFile = stderrFile;
        Thread.ofPlatform().daemon().name("workload-stdout-" + process.pid()).start(this::awaitRunningLine);
    }

    /** The outcome of one child: its complete protocol lines and how it ended. */
    record Result(List<String> lines, int exitStatus, int tornBytes) {}

    /**
     * Starts a child on {@code dataDir}. Its protocol goes to {@code protocolFile} and its stderr to
     * {@code stderrFile}.
     */
    static WorkloadProcess start(Path dataDir, String tag, long seed, int writers, Path protocolFile, Path stderrFile)
            throws IOException {
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
                "out=" + protocolFile,
                "tag=" + tag,
                "seed=" + seed,
                "writers=" + writers);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
                .start();
        process.getOutputStream().close();
        return new WorkloadProcess(process, protocolFile, stderrFile);
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
     * it, and reads its protocol file. A last line without its newline was torn by the kill and is
     * left out ({@link LineSplitter}).
     */
    Result killAndCollect() throws InterruptedException, TimeoutException, IOException {
        process.destroyForcibly();
        if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("child " + process.pid() + " did not die within " + EXIT_TIMEOUT);
        }
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(lines::add);
        if (Files.exists(protocolFile)) {
            byte[] bytes = Files.readAllBytes(protocolFile);
            splitter.accept(bytes, bytes.length);
        }
        return new Result(lines, process.exitValue(), splitter.pending());
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

    /** Completes {@link #running}: true on the child's {@code R} line, false when stdout ends first. */
    private void awaitRunningLine() {
        LineSplitter splitter = new LineSplitter(line -> {
            if (line.startsWith("R\t")) {
                running.complete(true);
            }
        });
        byte[] buffer = new byte[4096];
        try (InputStream in = process.getInputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                splitter.accept(buffer, n);
            }
        } catch (IOException e) {
            // Expected after a kill: the JDK closes the pipe under this reader. Nothing is lost that
            // matters; the protocol is in the file.
        } finally {
            running.complete(false);
        }
    }
}
