package io.factum.server;

import io.factum.api.EventStore;
import io.factum.api.InvalidInputException;
import io.factum.api.NotLeaderException;
import io.factum.cluster.ClusterMember;
import io.factum.cluster.ClusterNode;
import io.factum.cluster.ClusterOptions;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.engine.FailureReport;
import io.factum.server.security.PasswordHasher;
import io.factum.server.security.ServerSecurity;
import io.factum.server.security.users.AdminBootstrap;
import io.factum.server.security.users.UserStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code factum server}: opens the embedded store and serves it until Ctrl-C (SIGINT or SIGTERM),
 * then stops serving, lets running calls finish and closes the store cleanly.
 *
 * <p>Exposure rules: bound to a loopback address the server may run without TLS and authentication
 * (development, announced loudly). Bound to any other address it requires TLS ({@code --tls-cert},
 * {@code --tls-key}) and turns authentication on, unless {@code --insecure} is given. Exit codes: 0
 * after a clean stop, 1 when the server could not start (data directory locked by another process
 * or damaged, port in use, unreadable certificate), 2 when the command line or the configuration is
 * refused (the message says what to change). Every such failure is one line on standard error,
 * {@code factum: ...}; {@code --debug} adds the stack trace (see {@link FailureReport}).
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run the Factum server (KurrentDB gRPC protocol) on the embedded store.")
public final class ServerCommand implements Callable<Integer> {

    static final int EXIT_FAILED = 1;
    static final int EXIT_REFUSED = 2;

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

    @Option(
            names = "--auth",
            description = "Require authentication (users stored in the data directory; KurrentDB ACLs). On by"
                    + " default on non-loopback addresses.")
    boolean auth;

    @Option(
            names = "--admin-password-file",
            paramLabel = "FILE",
            description = "File whose first line is the password of user 'admin', used only when no"
                    + " administrator exists yet. Alternatively set FACTUM_ADMIN_PASSWORD.")
    Optional<Path> adminPasswordFile = Optional.empty();

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Server certificate chain (PEM).")
    Optional<Path> tlsCert = Optional.empty();

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key of --tls-cert (PEM, PKCS#8 or PKCS#1).")
    Optional<Path> tlsKey = Optional.empty();

    @Option(
            names = "--tls-ca",
            paramLabel = "PEM",
            description = "CA certificate whose client certificates are accepted (optional; shown to clients as"
                    + " tlsCaFile when it also signed the server certificate).")
    Optional<Path> tlsCa = Optional.empty();

    @Option(
            names = "--log-cache",
            paramLabel = "BYTES",
            description = "Memory for the newest log bytes, which reads of recent events are served from: a"
                    + " number of bytes with an optional k, m or g, e.g. 512m; 0 turns it off (default: an"
                    + " eighth of the JVM's maximum heap, at most 256m).")
    Optional<String> logCache = Optional.empty();

    @Option(names = "--node", paramLabel = "ID", description = "Run as this member of the cluster given by --cluster.")
    Optional<String> node = Optional.empty();

    @Option(
            names = "--cluster",
            paramLabel = "MEMBERS",
            description = "Run as a node of a replicated cluster: every member as"
                    + " ID=HOST:CLIENT_PORT:RAFT_PORT, comma-separated (clients connect to CLIENT_PORT; the"
                    + " nodes replicate over RAFT_PORT). Options may also come from a file: factum server"
                    + " @node.conf, one option per line.")
    Optional<String> cluster = Optional.empty();

    @Option(
            names = "--join",
            description = "Start as a new member of a running cluster: the node waits until `factum cluster add`"
                    + " adds it, then copies the store from the leader.")
    boolean join;

    @Option(
            names = "--debug",
            description = "When the server cannot start, print the stack trace after the one-line message (a bug"
                    + " in Factum always prints it).")
    boolean debug;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public ServerCommand() {
        this(System.out, System.err, System.getenv());
    }

    ServerCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /** What the flags amount to, decided before anything is opened. */
    record Mode(boolean loopback, boolean auth, Optional<TlsConfig> tls) {}

    @Override
    public Integer call() throws Exception {
        Mode mode;
        EngineOptions engine;
        AdminPassword.Resolved password;
        try {
            mode = mode();
            engine = engineOptions();
            password = mode.auth()
                    ? AdminPassword.resolve(env, adminPasswordFile)
                    : new AdminPassword.Resolved(Optional.empty(), Optional.empty());
        } catch (RefusedException | AdminPassword.InvalidSourceException e) {
            return refuse(e.getMessage());
        }
        password.warning().ifPresent(w -> out.println("factum: WARNING: " + w));
        Optional<ClusterOptions> clustered;
        try {
            clustered = clusterOptions(engine);
        } catch (RefusedException | InvalidInputException e) {
            return refuse(e.getMessage());
        }
        EventStore opened;
        try {
            opened = clustered.isPresent()
                    ? ClusterNode.start(clustered.get()).store()
                    : EmbeddedEventStore.open(engine);
        } catch (IOException e) {
            return cannotStart(e);
        }
        try (var store = opened) {
            Clock clock = Clock.systemUTC();
            ServerSecurity security = ServerSecurity.disabled();
            if (mode.auth()) {
                var users = new UserStore(store, PasswordHasher.defaults());
                try {
                    announceAdmin(
                            ensureAdmin(users, password.password(), clustered.isPresent()),
                            password.password().isPresent());
                } catch (AdminBootstrap.NoAdministratorException e) {
                    return refuse(e.getMessage());
                }
                security = ServerSecurity.authenticated(store, users, clock);
            }
            int servedPort = clustered.map(c -> c.self().clientPort()).orElse(port);
            var options = new ServerOptions(host, servedPort, ServerLimits.defaults(), security, clock, mode.tls());
            FactumServer server;
            try {
                server = FactumServer.start(store, options);
            } catch (IOException e) {
                return cannotStart(e);
            }
            Thread hook = new Thread(() -> stop(server, store), "factum-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            announce(server.port(), mode);
            clustered.ifPresent(this::announceCluster);
            server.awaitTermination();
            stopped.await();
        }
        return 0;
    }

    Mode mode() {
        if (port < 0 || port > 65535) {
            throw new RefusedException(
                    "--port " + port + " is not a port: give a number between 0 and 65535" + " (0 picks a free one)");
        }
        boolean loopback = isLoopback(host);
        if (tlsCert.isPresent() != tlsKey.isPresent()) {
            throw new RefusedException("--tls-cert and --tls-key go together: give both, or neither");
        }
        if (tlsCa.isPresent() && tlsCert.isEmpty()) {
            throw new RefusedException("--tls-ca needs --tls-cert and --tls-key (client certificates need TLS)");
        }
        Optional<TlsConfig> tls = tlsCert.map(cert -> new TlsConfig(cert, tlsKey.orElseThrow(), tlsCa));
        if (!loopback && !insecure && tls.isEmpty()) {
            throw new RefusedException("listening on " + host + " needs TLS: give --tls-cert and --tls-key"
                    + " (`factum certs` makes development ones), bind to 127.0.0.1, or pass --insecure to accept"
                    + " the risk");
        }
        boolean authOn = auth || (!loopback && !insecure);
        return new Mode(loopback, authOn, tls);
    }

    /**
     * The node's options when --cluster is given: its member entry decides the client port (and
     * the address to bind, unless --host names one).
     */
    Optional<ClusterOptions> clusterOptions(EngineOptions engine) {
        if (cluster.isEmpty()) {
            if (node.isPresent() || join) {
                throw new RefusedException(
                        "--node and --join need --cluster (every member as ID=HOST:CLIENT_PORT:RAFT_PORT)");
            }
            return Optional.empty();
        }
        String id = node.orElseThrow(() -> new RefusedException("--cluster needs --node: which member this server is"));
        List<ClusterMember> members = ClusterMember.parseAll(cluster.get());
        ClusterOptions defaults = ClusterOptions.defaults(id, members, dataDir);
        ClusterMember self = defaults.self();
        if (port != ServerOptions.DEFAULT_PORT && port != self.clientPort()) {
            throw new RefusedException("--port " + port + " differs from node " + id + "'s client port "
                    + self.clientPort() + " in --cluster: drop --port, or change the member");
        }
        if (host.equals("127.0.0.1") && !isLoopback(self.host())) {
            host = self.host();
        }
        EngineOptions nodeEngine = defaults.engine().withLogCacheBytes(engine.logCacheBytes());
        return Optional.of(defaults.withEngine(nodeEngine).withJoin(join));
    }

    /**
     * Makes sure an administrator exists. In a cluster only the leader can write: a follower
     * waits until the leader has done it (or becomes the leader itself).
     */
    private AdminBootstrap.Outcome ensureAdmin(UserStore users, Optional<String> password, boolean clustered)
            throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return AdminBootstrap.ensure(users, password);
            } catch (NotLeaderException e) {
                if (!clustered || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** The store's options: the defaults, with what the flags change. */
    EngineOptions engineOptions() {
        EngineOptions defaults = EngineOptions.defaults(dataDir);
        return logCache.map(text -> defaults.withLogCacheBytes(bytes("--log-cache", text)))
                .orElse(defaults);
    }

    /** {@code 123}, {@code 64k}, {@code 512m}, {@code 2g} (binary multiples) as bytes. */
    static long bytes(String option, String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        int shift =
                switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
                    case 'k' -> 10;
                    case 'm' -> 20;
                    case 'g' -> 30;
                    default -> 0;
                };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long value = Long.parseLong(digits);
            if (value < 0 || value > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException("out of range");
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new RefusedException(option + " '" + text + "' is not a size: give a number of bytes, optionally"
                    + " followed by k, m or g (for example 512m)");
        }
    }

    /** One line saying why (its message names what to do), the stack trace only with --debug. */
    private int cannotStart(Throwable failure) {
        PrintWriter writer = new PrintWriter(err, true, StandardCharsets.UTF_8);
        FailureReport.print(
                failure, FailureReport.expectedMessage(failure).map(m -> "cannot start: " + m), debug, writer);
        return EXIT_FAILED;
    }

    private int refuse(String message) {
        err.println("factum: refusing to start: " + message);
        err.flush();
        return EXIT_REFUSED;
    }

    /**
     * Runs in the shutdown hook: the JVM exits when the hook returns, so the store is closed here,
     * not by the main thread, which might not get to run again.
     */
    private void stop(FactumServer server, EventStore store) {
        out.println("factum: stopping: finishing running calls, then closing the store");
        out.flush();
        try {
            server.close();
        } finally {
            store.close();
            out.println("factum: stopped: the store is closed");
            out.flush();
            stopped.countDown();
        }
    }

    private void announceAdmin(AdminBootstrap.Outcome outcome, boolean passwordGiven) {
        switch (outcome) {
            case CREATED ->
                out.println(
                        "factum: created user '" + AdminBootstrap.ADMIN + "' (group $admins) with the given password");
            case RESTORED ->
                out.println("factum: user '" + AdminBootstrap.ADMIN
                        + "' restored as an enabled administrator with the given password");
            case EXISTING -> {
                if (passwordGiven) {
                    out.println("factum: an administrator exists; the given admin password was not used");
                }
            }
        }
    }

    private void announceCluster(ClusterOptions options) {
        String seeds = options.members().stream()
                .map(m -> m.host() + ":" + m.clientPort())
                .collect(java.util.stream.Collectors.joining(","));
        out.println("  cluster:    node " + options.nodeId() + " of "
                + options.members().size() + ", replicating on "
                + options.self().raftAddress()
                + (options.join() ? " (joining: waiting for `factum cluster add`)" : ""));
        // Every member a gossip seed: a +discover string means one DNS name to the official clients.
        out.println("              kurrentdb://" + seeds + "?tls=false");
        out.flush();
    }

    private void announce(int actualPort, Mode mode) {
        String shown = isLoopback(host) || isWildcard(host) ? "localhost" : host;
        String address = shown + ":" + actualPort;
        boolean tls = mode.tls().isPresent();
        out.println("factum: serving " + dataDir.toAbsolutePath().normalize());
        out.println("factum: listening on " + host + ":" + actualPort);
        out.println("  security:   TLS " + (tls ? "on" : "off") + ", authentication " + (mode.auth() ? "on" : "off"));
        out.println("  web:        " + (tls ? "https" : "http") + "://" + address);
        String credentials = mode.auth() ? "USER:PASSWORD@" : "";
        String query = tls
                ? "?tls=true"
                        + mode.tls()
                                .get()
                                .clientCa()
                                .map(ca -> "&tlsCaFile=" + ca.toAbsolutePath())
                                .orElse("")
                : "?tls=false";
        out.println("  clients:    kurrentdb://" + credentials + address + query);
        out.println("              esdb://" + credentials + address + query);
        if (tls && mode.tls().get().clientCa().isEmpty()) {
            out.println("              (add &tlsCaFile=CA.crt when the certificate is not signed by a public CA)");
        }
        if (!tls && !mode.auth()) {
            out.println("factum: WARNING: development mode: no TLS and no authentication. Anyone who can connect to");
            out.println("factum: WARNING: " + host + ":" + actualPort + " may read, write and delete every stream.");
        } else if (!tls) {
            out.println("factum: WARNING: no TLS: passwords and events cross the network in clear.");
        }
        if (!mode.loopback() && insecure) {
            out.println("factum: WARNING: --insecure on a non-loopback address: never do this in production.");
        }
        out.println("  stop with Ctrl-C (acknowledged events are on disk; the next start is fast)");
        out.flush();
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean isWildcard(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The flags describe a configuration the server will not run. */
    static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /** Entry point of the server process (also {@code factum server}). */
    public static void main(String[] args) {
        System.exit(execute(new ServerCommand(), args));
    }

    /**
     * Runs {@code command} with {@code args} and returns the exit code; never throws. A bad flag is
     * one line naming it; any failure that escapes {@link #call()} is reported by {@link
     * FailureReport} (one line, or the trace of a bug).
     */
    static int execute(ServerCommand command, String... args) {
        CommandLine commandLine = new CommandLine(command);
        PrintWriter err = new PrintWriter(command.err, true, StandardCharsets.UTF_8);
        commandLine.setOut(new PrintWriter(command.out, true, StandardCharsets.UTF_8));
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, ignored) -> {
            err.println("factum: " + FailureReport.oneLine(e.getMessage()) + " (see 'factum server --help')");
            err.flush();
            return EXIT_REFUSED;
        });
        commandLine.setExecutionExceptionHandler((failure, ignored, parseResult) -> {
            FailureReport.print(failure, FailureReport.expectedMessage(failure), command.debug, err);
            return EXIT_FAILED;
        });
        return commandLine.execute(args);
    }
}
