package io.factum.server.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code factum server} in a child JVM, as users run it: started on a free port over a data
 * directory, stopped with SIGTERM (Ctrl-C) or killed with SIGKILL. Its output is kept for failure
 * messages.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("factum: listening on (\\S+):(\\d+)");

    private final Process process;
    private final int port;
    private final Path dataDir;
    private final List<String> output;
    private final Thread pump;

    private ServerProcess(Process process, int port, Path dataDir, List<String> output, Thread pump) {
        this.process = process;
        this.pump = pump;
        this.port = port;
        this.dataDir = dataDir;
        this.output = output;
    }

    /** Starts a server on a free loopback port over {@code dataDir}; returns once it listens. */
    public static ServerProcess start(Path dataDir, String... extraArgs) throws IOException, InterruptedException {
        return start(dataDir, 0, extraArgs);
    }

    public static ServerProcess start(Path dataDir, int port, String... extraArgs)
            throws IOException, InterruptedException {
        return start(dataDir, port, java.util.Map.of(), extraArgs);
    }

    /** As {@link #start(Path, int, String...)}, with extra environment variables for the child. */
    public static ServerProcess start(Path dataDir, int port, java.util.Map<String, String> env, String... extraArgs)
            throws IOException, InterruptedException {
        Process process = builder(dataDir, port, env, extraArgs).start();
        List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        BlockingQueue<Integer> ports = new LinkedBlockingQueue<>();
        Thread pump = Thread.ofVirtual().start(() -> pump(process, output, ports));
        Integer bound = ports.poll(60, TimeUnit.SECONDS);
        if (bound == null || bound < 0) {
            process.destroyForcibly();
            throw new IllegalStateException("the server did not start; its output:\n" + String.join("\n", output));
        }
        return new ServerProcess(process, bound, dataDir, output, pump);
    }

    /** The exit code and output of a server that is expected to refuse to start. */
    public record Exit(int code, String output) {}

    /** Runs the server command and waits (at most 60 s) for it to exit by itself. */
    public static Exit runToExit(Path dataDir, int port, java.util.Map<String, String> env, String... extraArgs)
            throws IOException, InterruptedException {
        Process process = builder(dataDir, port, env, extraArgs).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the server was expected to exit, but it runs");
        }
        return new Exit(
                process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static ProcessBuilder builder(
            Path dataDir, int port, java.util.Map<String, String> env, String... extraArgs) throws IOException {
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
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

    private static void pump(Process process, List<String> output, BlockingQueue<Integer> ports) {
        try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    ports.add(Integer.parseInt(m.group(2)));
                }
            }
        } catch (IOException e) {
            output.add("(output unreadable: " + e + ")");
        } finally {
            ports.add(-1);
        }
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

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no flush; what was acknowledged must survive. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits until the output pump has read everything the (ended) process printed. */
    private void drainOutput() throws InterruptedException {
        pump.join(TimeUnit.SECONDS.toMillis(10));
    }

    /**
     * SIGINT, as Ctrl-C: a clean stop. Returns the exit code (130 after a signal, as for any JVM).
     * Sent with kill(1) rather than {@link Process#destroy()}, which would close the output pipe and
     * lose what the server prints while it stops.
     */
    public int stop() throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (IOException e) {
            process.destroy();
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the server did not stop within 30 s; its output:\n" + output());
        }
        drainOutput();
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
