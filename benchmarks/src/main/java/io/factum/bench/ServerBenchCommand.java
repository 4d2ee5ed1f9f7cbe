package io.factum.bench;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code server}: the server over gRPC, driven by the official Java client (db-client-java) the
 * way applications use it. Phases, in order: single-event appends from many writers; batched
 * appends; reads of {@code $all} and of whole streams; append-to-subscriber latency with catch-up
 * subscribers at half of the measured single-event rate. Without {@code --url} it starts a server
 * in a child JVM on a data directory of the run (the default), and then also reports the CPU share
 * of the server and of the load generator, which share the machine.
 */
@Command(
        name = "server",
        description = "The server over gRPC with the official Java client: appends, batched appends, reads,"
                + " subscriber latency (starts its own server unless --url).")
final class ServerBenchCommand extends ScenarioCommand {

    static final String APPEND_TARGET = ">= 50,000 events/s with 64 writers (2 shared cores)";
    static final String BATCH_TARGET = ">= 300,000 events/s";
    static final String SUBSCRIBE_TARGET = "<= 5 ms at half load";

    @Option(
            names = "--url",
            description = "A running server's connection string, e.g. esdb://localhost:2113?tls=false"
                    + " (default: start one, see --start-server).")
    Optional<String> url = Optional.empty();

    @Option(
            names = "--start-server",
            description =
                    "Start a server in a child JVM on a data directory of the run (the default" + " without --url).")
    boolean startServer;

    @Option(
            names = "--server-jvm-options",
            split = " ",
            paramLabel = "OPTION",
            description = "JVM options of the started server, space-separated (e.g. '-Xmx1g"
                    + " -XX:StartFlightRecording=filename=server.jfr').")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--writers", description = "Writers of the single-event phase (default: ${DEFAULT-VALUE}).")
    int writers = 64;

    @Option(names = "--batch-writers", description = "Writers of the batched phase (default: ${DEFAULT-VALUE}).")
    int batchWriters = 2;

    @Option(names = "--batch-size", description = "Events per batched append (default: ${DEFAULT-VALUE}).")
    int batchSize = 1000;

    @Option(
            names = "--read-events",
            converter = Units.CountConverter.class,
            description = "Most events one $all read pass returns (default: 1m).")
    long readEvents = 1_000_000;

    @Option(
            names = "--subscribers",
            split = ",",
            description = "Subscriber counts of the latency phases, comma-separated (default: 1,100).")
    List<Integer> subscribers = new ArrayList<>(List.of(1, 100));

    @Option(
            names = "--phases",
            split = ",",
            description = "Phases to run, comma-separated: append, batch, read, subscribe (default: all)."
                    + " subscribe needs append (its rate) unless --rate.")
    List<Phase> phases = new ArrayList<>(List.of(Phase.values()));

    @Option(
            names = "--rate",
            converter = Units.CountConverter.class,
            description = "Appends/s of the subscriber phases (default: half the append phase's events/s).")
    long rate = 0;

    @Mixin
    TimingOptions timing = new TimingOptions();

    /** The phases of the scenario. */
    enum Phase {
        APPEND,
        BATCH,
        READ,
        SUBSCRIBE
    }

    @Override
    String name() {
        return "server";
    }

    @Override
    void validate(CommandLine cmd) {
        timing.validate(cmd);
        if (url.isPresent() && startServer) {
            throw new ParameterException(
                    cmd, "--url and --start-server exclude each other: name a server or start one");
        }
        if (writers < 1 || batchWriters < 1) {
            throw new ParameterException(cmd, "--writers and --batch-writers must be >= 1");
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new ParameterException(cmd, "--batch-size " + batchSize + " must be between 1 and 10000");
        }
        if (subscribers.stream().anyMatch(n -> n < 1 || n > 200)) {
            throw new ParameterException(
                    cmd,
                    "--subscribers " + subscribers + ": each count must be between 1 and 200 (the server's"
                            + " subscriptions per connection)");
        }
        if (phases.contains(Phase.SUBSCRIBE) && !phases.contains(Phase.APPEND) && rate == 0) {
            throw new ParameterException(cmd, "--phases subscribe without append needs --rate");
        }
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        url.ifPresent(u -> p.put("--url", u));
        p.put("--writers", Integer.toString(writers));
        p.put("--batch-writers", Integer.toString(batchWriters));
        p.put("--batch-size", Integer.toString(batchSize));
        p.put("--read-events", Units.formatCount(readEvents));
        p.put("--subscribers", subscribers.stream().map(String::valueOf).collect(Collectors.joining(",")));
        p.put(
                "--phases",
                phases.stream()
                        .map(ph -> ph.name().toLowerCase(java.util.Locale.ROOT))
                        .collect(Collectors.joining(",")));
        if (rate > 0) {
            p.put("--rate", Units.formatCount(rate));
        }
        timing.addParameters(p);
        if (!serverJvmOptions.isEmpty()) {
            p.put("--server-jvm-options", String.join(" ", serverJvmOptions));
        }
        return p;
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Ceilings ceilings = ctx.ceilings();
        Optional<ServerChild> child = Optional.empty();
        if (url.isEmpty()) {
            Path dir = ctx.newStoreDir("server");
            ServerChild started =
                    ServerChild.start(dir, serverJvmOptions, ctx.runDir().resolve("server.log"));
            ctx.err().println("started a server (pid " + started.pid() + ") on " + dir + ": " + started.url());
            ctx.err().flush();
            child = Optional.of(started);
        }
        String connection = child.isPresent() ? child.get().url() : url.orElseThrow();
        EventStoreDBClient client = EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(connection));
        try {
            ServerPhases phasesRun = new ServerPhases(ctx, client, child, this);
            return phasesRun.runAll(ceilings);
        } finally {
            client.shutdown().get(30, TimeUnit.SECONDS);
            if (child.isPresent()) {
                child.get().close();
            }
        }
    }

    List<String> notes(Optional<ServerChild> child) {
        List<String> notes = new ArrayList<>();
        notes.add(
                child.isPresent()
                        ? "server: started by the benchmark in a child JVM on a data directory of the run (fsync on);"
                                + " it and this load generator share the machine's cores"
                        : "server: " + url.orElseThrow()
                                + "; the ceilings are this machine's, not necessarily the server's");
        notes.add("client: com.eventstore:db-client-java 5.4.5, one client (one HTTP/2 connection), writers on"
                + " virtual threads calling appendToStream(...).get(), expected revision any, one stream per writer");
        notes.add("latency: from just before appendToStream() to the future's completion, for calls started after"
                + " the warmup; subscriber latency: delivery nanoTime minus the writer's nanoTime before the call");
        notes.add("CPU: share of all cores over each phase (user + system), from the processes' CPU times");
        return notes;
    }

    ClientAppendDriver.Config appendConfig(
            RunContext ctx, int phaseWriters, int size, double callsPerSec, String prefix) {
        return new ClientAppendDriver.Config(
                phaseWriters, size, timing.warmup, timing.duration, ctx.eventSize(), callsPerSec, prefix);
    }

    static Duration deliveryTimeout() {
        return Duration.ofSeconds(60);
    }
}
