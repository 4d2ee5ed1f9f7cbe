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
 * A {@code factum server} in a child JVM on a data directory of the run, for {@code bench server
 * --start-server}: started on a free loopback port, stopped with SIGTERM (a clean stop). Its output
 * goes to a file in the run directory, shown when it fails to start.
 *
 * <p>Not thread-safe; owned by the scenario thread. {@link #cpuTime} may be called from any thread.
 */
final class ServerChild implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("factum: listening on (\\S+):(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;
    private final int port;

    private ServerChild(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the server on this JVM's class path (the benchmarks module depends on factum-server).
     *
     * @param jvmOptions extra options for the child JVM (heap, JFR, GC)
     * @throws BenchmarkFailedException when it does not listen within a minute
     */
    static ServerChild start(Path dataDir, List<String> jvmOptions, Path log) throws IOException, InterruptedException {
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
                dataDir.toString(),
                "--port",
                "0"));
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

    /** SIGTERM, then a bounded wait (SIGKILL after 30 s). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    Path log() {
        return log;
    }
}
