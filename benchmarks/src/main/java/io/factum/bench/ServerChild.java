package io.factum.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code factum server} in a child JVM on a data directory of the run: for {@code bench server
 * --start-server} a single node on a free loopback port, for {@code bench cluster} one node of a
 * local cluster. Stopped with SIGTERM (a clean stop) or, to test a failover, SIGKILL; a shutdown
 * hook SIGKILLs it if the benchmark's JVM exits first. Its output goes to a file in the run
 * directory, shown when it fails to start.
 *
 * <p>Not thread-safe; owned by the scenario thread. {@link #cpuTime} may be called from any thread.
 */
final class ServerChild implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("factum: listening on (\\S+):(\\d+)");
    // Three cluster nodes starting at once on two busy cores took 25 s to listen.
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path log;
    private final int port;
    private final Thread killHook;

    private ServerChild(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
        // A benchmark interrupted (Ctrl-C) or failing past its finally blocks must not leave a
        // server running: the JVM does not end its child processes by itself.
        this.killHook = new Thread(process::destroyForcibly, "bench-kill-server-" + process.pid());
        Runtime.getRuntime().addShutdownHook(killHook);
    }

    /**
     * Starts the server on this JVM's class path (the benchmarks module depends on factum-server).
     *
     * @param jvmOptions extra options for the child JVM (heap, JFR, GC)
     * @throws BenchmarkFailedException when it does not listen within two minutes
     */
    static ServerChild start(Path dataDir, List<String> jvmOptions, Path log) throws IOException, InterruptedException {
        return start(dataDir, jvmOptions, log, List.of("--port", "0"));
    }

    /**
     * Starts the server with {@code serverArgs} after {@code --data DIR} (a cluster node's {@code
     * --node} and {@code --cluster}); returns once it listens.
     *
     * @param log a file of its own: a restarted node gets a new one, so an old "listening" line
     *     cannot be taken for the new start's
     * @throws BenchmarkFailedException when it does not listen within two minutes
     */
    static ServerChild start(Path dataDir, List<String> jvmOptions, Path log, List<String> serverArgs)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // Netty's Unsafe use, not ours
        }
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "io.factum.server.ServerCommand",
                "--data",
                dataDir.toString()));
        command.addAll(serverArgs);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return new ServerChild(process, log, Integer.parseInt(m.group(2)));
            }
            Thread.sleep(20);
        }
        process.destroyForcibly();
        throw new BenchmarkFailedException("the server did not start within " + Units.formatDuration(START_TIMEOUT)
                + "; its output:\n" + Files.readString(log, StandardCharsets.UTF_8));
    }

    /** The connection string of the official clients. */
    String url() {
        return "esdb://127.0.0.1:" + port + "?tls=false";
    }

    long pid() {
        return process.pid();
    }

    /** CPU time the server process has used so far (user + system), zero when the OS cannot tell. */
    Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** SIGKILL, as a crash: no shutdown hook runs. Returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        forgetHook();
    }

    /** SIGTERM without waiting, so that several nodes stop at once; see {@link #awaitExit}. */
    void terminate() {
        process.destroy();
    }

    /** Waits (bounded) for the process to end after {@link #terminate}, then SIGKILLs it. */
    void awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        forgetHook();
    }

    private void forgetHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(killHook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs and finds the process gone.
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, then a bounded wait (SIGKILL after 30 s). */
    @Override
    public void close() throws InterruptedException {
        terminate();
        awaitExit(Duration.ofSeconds(30));
    }

    Path log() {
        return log;
    }
}
