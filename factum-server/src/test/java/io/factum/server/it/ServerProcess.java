package io.factum.server.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code factum server} in a child JVM, as users run it: started on a free port over a data
 * directory, stopped with SIGINT (Ctrl-C) or SIGTERM, or killed with SIGKILL. Its output is kept
 * for failure messages.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("factum: listening on (\\S+):(\\d+)");

    private static final long STARTUP_TIMEOUT_MS = 60_000;

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private volatile int port = -1;

    private ServerProcess(Process process, Path dataDir, Path log) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
    }

    /** Starts a server on a free loopback port over {@code dataDir}; returns once it listens. */
    public static ServerProcess start(Path dataDir, String... extraArgs) throws IOException, InterruptedException {
        return start(dataDir, 0, extraArgs);
    }

    public static ServerProcess start(Path dataDir, int port, String... extraArgs)
            throws IOException, InterruptedException {
        return start(dataDir, port, Map.of(), extraArgs);
    }

    /** As {@link #start(Path, int, String...)}, with extra environment variables for the child. */
    public static ServerProcess start(Path dataDir, int port, Map<String, String> env, String... extraArgs)
            throws IOException, InterruptedException {
        return start(dataDir, port, env, UnaryOperator.identity(), extraArgs);
    }

    /**
     * As {@link #start(Path, int, Map, String...)}, with the command line passed through {@code
     * wrap} first (to run the server inside {@code unshare}, say).
     */
    public static ServerProcess start(
            Path dataDir, int port, Map<String, String> env, UnaryOperator<List<String>> wrap, String... extraArgs)
            throws IOException, InterruptedException {
        // The output goes to a file, not a pipe: when a child dies, the JDK's process reaper closes
        // the pipe under a concurrent reader, which then loses the last lines ("Stream closed"),
        // exactly the lines a failure message needs. A file keeps everything the child wrote.
        Path log = Files.createTempFile("factum-server-", ".log");
        log.toFile().deleteOnExit();
        ProcessBuilder builder = builder(dataDir, port, env, extraArgs);
        Process process = builder.command(wrap.apply(List.copyOf(builder.command())))
                .redirectOutput(log.toFile())
                .start();
        ServerProcess server = new ServerProcess(process, dataDir, log);
        int bound = server.awaitListening(STARTUP_TIMEOUT_MS);
        if (bound < 0) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("the server did not start; its output:\n" + server.output());
        }
        server.port = bound;
        return server;
    }

    /** The exit code and output of a server that is expected to refuse to start. */
    public record Exit(int code, String output) {}

    /** Runs the server command and waits (at most 60 s) for it to exit by itself. */
    public static Exit runToExit(Path dataDir, int port, Map<String, String> env, String... extraArgs)
            throws IOException, InterruptedException {
        Process process = builder(dataDir, port, env, extraArgs).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the server was expected to exit, but it runs");
        }
        return new Exit(
                process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static ProcessBuilder builder(Path dataDir, int port, Map<String, String> env, String... extraArgs)
            throws IOException {
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                // FACTUM_RATIS_LOG=INFO (or FINE) shows what Raft did, for a failed cluster test.
                "-Dfactum.ratis.log=" + System.getenv().getOrDefault("FACTUM_RATIS_LOG", "WARNING"),
                "-cp",
                System.getProperty("java.class.path"),
                "io.factum.server.ServerCommand",
                "--data",
                dataDir.toString(),
                "--port",
                Integer.toString(port)));
        command.addAll(List.of(extraArgs));
        var builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The child must not inherit an admin password from the developer's shell.
        builder.environment().remove("FACTUM_ADMIN_PASSWORD");
        builder.environment().putAll(env);
        return builder;
    }

    /** Polls the output for the "listening" line; -1 if the process ends or time runs out first. */
    private int awaitListening(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(output());
            if (m.find()) {
                return Integer.parseInt(m.group(2));
            }
            if (!process.isAlive()) {
                return -1;
            }
            Thread.sleep(10);
        }
        return -1;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String connectionString(String scheme) {
        return scheme + "://localhost:" + port + "?tls=false";
    }

    /** Everything the server printed so far (stdout and stderr). */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    /** The child's process id, for signals the test sends itself (SIGSTOP, SIGCONT). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGKILL: no shutdown hook, no flush; what was acknowledged must survive. Returns the exit
     * status (137 = 128 + 9 on Linux), or -1 when the process did not end within 30 s.
     */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /** SIGTERM, as a service manager stops it: a clean stop. Returns the exit code (143). */
    public int stop() throws InterruptedException {
        process.destroy();
        return awaitExit();
    }

    /** SIGINT, as Ctrl-C in a terminal: a clean stop. Returns the exit code (130). */
    public int interrupt() throws InterruptedException, IOException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
                .inheritIO()
                .start()
                .waitFor();
        return awaitExit();
    }

    private int awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the server did not stop within 30 s; its output:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
