package io.factum.server;

import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.server.security.ServerSecurity;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code factum server}: opens the embedded store and serves it until Ctrl-C (SIGINT or SIGTERM),
 * then stops serving, lets running calls finish and closes the store cleanly.
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run the Factum server (KurrentDB gRPC protocol) on the embedded store.")
public final class ServerCommand implements Callable<Integer> {

    @Option(
            names = {"-d", "--data"},
            defaultValue = "factum-data",
            description = "Data directory, created when missing (default: ${DEFAULT-VALUE}).")
    Path dataDir = Path.of("factum-data");

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}). Any non-loopback address needs TLS and"
                    + " authentication, or --insecure.")
    String host = "127.0.0.1";

    @Option(
            names = {"-p", "--port"},
            defaultValue = "2113",
            description = "Port for gRPC and HTTP (default: ${DEFAULT-VALUE}; 0 picks a free port).")
    int port = ServerOptions.DEFAULT_PORT;

    @Option(
            names = "--insecure",
            description = "Allow a non-loopback address without TLS and authentication (never in production).")
    boolean insecure;

    /** How long the shutdown hook waits for the store to close before the JVM halts anyway. */
    private static final long CLOSE_TIMEOUT_SECONDS = 30;

    private final PrintStream out;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);

    public ServerCommand() {
        this(System.out);
    }

    ServerCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        checkExposure();
        try {
            try (var store = EmbeddedEventStore.open(EngineOptions.defaults(dataDir))) {
                var options = new ServerOptions(
                        host, port, ServerLimits.defaults(), ServerSecurity.disabled(), Clock.systemUTC());
                FactumServer server = FactumServer.start(store, options);
                Thread hook = new Thread(() -> stop(server), "factum-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                announce(server.port());
                server.awaitTermination();
                stopped.await();
            }
            out.println("factum: stopped: the store is closed");
            out.flush();
        } finally {
            closed.countDown();
        }
        return 0;
    }

    private void stop(FactumServer server) {
        out.println("factum: stopping: finishing running calls, then closing the store");
        out.flush();
        server.close();
        stopped.countDown();
        // The JVM halts as soon as the hooks return: without this wait the store's close (a final
        // checkpoint, so that the next start need not scan the log) raced the halt and mostly lost.
        try {
            closed.await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void announce(int actualPort) {
        String shown = isLoopback(host) ? "localhost" : host;
        out.println("factum: serving " + dataDir.toAbsolutePath().normalize());
        out.println("factum: listening on " + host + ":" + actualPort);
        out.println("  web:        http://" + shown + ":" + actualPort);
        out.println("  clients:    kurrentdb://" + shown + ":" + actualPort + "?tls=false");
        out.println("              esdb://" + shown + ":" + actualPort + "?tls=false");
        out.println("  stop with Ctrl-C (acknowledged events are on disk; the next start is fast)");
        out.flush();
    }

    private void checkExposure() throws UnknownHostException {
        if (!isLoopback(host) && !insecure) {
            throw new IllegalArgumentException("refusing to listen on " + host
                    + " without TLS and authentication; bind to 127.0.0.1, or pass --insecure to accept the risk");
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Entry point of the server process (also {@code factum server}). */
    public static void main(String[] args) throws IOException {
        int code = new picocli.CommandLine(new ServerCommand()).execute(args);
        System.exit(code);
    }
}
