package io.factum.bench;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StreamAppend;
import io.factum.bench.axon.AxonDriver;
import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import io.factum.examples.bank.AccountCommand;
import io.factum.examples.bank.AccountEvent;
import io.factum.examples.bank.Accounts;
import io.factum.examples.bank.BankEvent;
import io.factum.framework.CommandEnvelope;
import io.factum.framework.CommandResult;
import io.factum.framework.JsonSnapshotCodec;
import io.factum.framework.SnapshotPolicy;
import io.factum.framework.StreamCommandHandler;
import io.factum.framework.projection.JdbcBatchHandler;
import io.factum.framework.projection.JdbcProjectionSink;
import io.factum.framework.projection.MemoryProjectionSink;
import io.factum.framework.projection.ProjectionRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code framework}: the framework on the embedded store, with the bank example's accounts.
 *
 * <ol>
 *   <li>command throughput: concurrent clients deposit into random accounts through a {@link
 *       StreamCommandHandler} (load, decide, append with the expected version), fsync on;
 *   <li>loading a long entity (100,000 events) without and with a snapshot;
 *   <li>loading an entity whose 10,000 events were written one command at a time between other
 *       entities' events, without a snapshot;
 *   <li>projection catch-up from the first event, into memory and into PostgreSQL (when it
 *       answers at 127.0.0.1:5432, database test).
 * </ol>
 */
@Command(
        name = "framework",
        description = "Command handling, entity loading with and without snapshots, and projection catch-up, "
                + "with the bank example's accounts.")
final class FrameworkCommand extends ScenarioCommand {
    static final String COMMANDS_TARGET = ">= 30,000 commands/s";
    static final String SNAPSHOT_TARGET = "<= 1 ms";
    static final String INTERLEAVED_TARGET = "<= 10 ms";
    static final String MEMORY_TARGET = ">= 1,000,000 events/s";
    static final String POSTGRES_TARGET = ">= 20,000 events/s";

    @Option(names = "--clients", description = "Concurrent command clients (default: ${DEFAULT-VALUE}).")
    int clients = 32;

    @Option(names = "--accounts", description = "Accounts the commands spread over (default: ${DEFAULT-VALUE}).")
    int accounts = 10_000;

    @Mixin
    TimingOptions timing = new TimingOptions(Duration.ofSeconds(10));

    @Option(names = "--long-entity", description = "Events of the long entity (default: ${DEFAULT-VALUE}).")
    int longEntity = 100_000;

    @Option(
            names = "--interleaved-entity",
            description = "Events of the interleaved entity (default: ${DEFAULT-VALUE}).")
    int interleaved = 10_000;

    @Option(
            names = "--projection-events",
            description = "Events the projections catch up on (default: ${DEFAULT-VALUE}).")
    int projectionEvents = 2_000_000;

    @Option(
            names = "--postgres-events",
            description = "Events the PostgreSQL projection catches up on (default: ${DEFAULT-VALUE}).")
    int postgresEvents = 200_000;

    /** The parts of the run, in the order they run. */
    enum Phase {
        commands,
        loads,
        axon,
        memory,
        postgres
    }

    @Option(
            names = "--phases",
            split = ",",
            description = "The phases to run, of ${COMPLETION-CANDIDATES} (default: all).")
    Set<Phase> phases = EnumSet.allOf(Phase.class);

    @Override
    String name() {
        return "framework";
    }

    @Override
    void validate(CommandLine cmd) {
        timing.validate(cmd);
        if (phases.isEmpty()) {
            throw new ParameterException(cmd, "--phases names no phase");
        }
        if (phases.contains(Phase.axon) && !phases.contains(Phase.commands)) {
            throw new ParameterException(cmd, "--phases axon needs commands too: the ratio compares the two");
        }
        if (clients < 1
                || accounts < 1
                || longEntity < 1
                || interleaved < 1
                || projectionEvents < 1
                || postgresEvents < 1) {
            throw new ParameterException(cmd, "--clients, --accounts and the event counts must be >= 1");
        }
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("--clients", Integer.toString(clients));
        p.put("--accounts", Integer.toString(accounts));
        timing.addParameters(p);
        p.put("--long-entity", Integer.toString(longEntity));
        p.put("--interleaved-entity", Integer.toString(interleaved));
        p.put("--projection-events", Integer.toString(projectionEvents));
        p.put("--postgres-events", Integer.toString(postgresEvents));
        p.put("--phases", phases.stream().map(Enum::name).collect(Collectors.joining(",")));
        return p;
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Ceilings ceilings = ctx.ceilings();
        List<Figure> figures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        double commands = phases.contains(Phase.commands) ? commands(ctx, figures) : Double.NaN;
        // The loads before Axon: PostgreSQL's work after Axon's run (its tables dropped) slowed them.
        if (phases.contains(Phase.loads)) {
            loads(ctx, figures);
        }
        PGSimpleDataSource pg = phases.contains(Phase.axon) || phases.contains(Phase.postgres) ? postgres() : null;
        if (phases.contains(Phase.axon)) {
            axon(ctx, figures, notes, commands, pg != null);
        }
        if (phases.contains(Phase.memory)) {
            memoryProjection(ctx, figures);
        }
        if (phases.contains(Phase.postgres) && pg != null) {
            figures.add(Figure.of(
                    "projection catch-up into PostgreSQL", postgresProjection(ctx, pg), "events/s", POSTGRES_TARGET));
        }
        if ((phases.contains(Phase.postgres) || phases.contains(Phase.axon)) && pg == null) {
            notes.add("PostgreSQL did not answer at 127.0.0.1:5432 (database test): no PostgreSQL figures.");
        }
        if (phases.contains(Phase.commands)) {
            notes.add(
                    "Commands are deposits into random accounts, each loaded (from the handler's entity cache, as large"
                            + " as the account count, plus the events stored after the cached version; a snapshot every 100"
                            + " events), decided and appended with its expected version, with fsync; the figure counts the"
                            + " commands that stored an event.");
        }
        if (phases.contains(Phase.axon)) {
            notes.add("Axon Framework " + AXON_VERSION
                    + " runs the same deposits with as many clients over as many accounts:"
                    + " an annotated aggregate loaded from its events on every command (no snapshots, as most Axon"
                    + " aggregates), through the command gateway, on its JDBC engine on the same PostgreSQL (a"
                    + " HikariCP pool as large as the client count, auto-commit) and on its in-memory engine.");
        }
        List<Figure> ratios = phases.contains(Phase.commands)
                ? List.of(Figure.of("commands/s ÷ fsync ceiling", commands / ceilings.fsyncOpsPerSec(), "x"))
                : List.of();
        return new Outcome(figures, ratios, notes);
    }

    static final String AXON_VERSION = "4.13.0";
    static final String AXON_TARGET = ">= 10x Axon's JDBC figure";

    private void axon(RunContext ctx, List<Figure> figures, List<String> notes, double commands, boolean postgres)
            throws Exception {
        if (postgres) {
            ctx.err().println("[framework: Axon on JDBC] started");
            var jdbc = AxonDriver.run(
                    new AxonDriver.Postgres(
                            "jdbc:postgresql://127.0.0.1:5432/test",
                            "postgres",
                            UUID.randomUUID().toString().substring(0, 8)),
                    clients,
                    accounts,
                    timing.warmup,
                    timing.duration);
            figures.add(Figure.of(
                    "Axon " + AXON_VERSION + " commands, JDBC on PostgreSQL", jdbc.commandsPerSec(), "commands/s"));
            figures.add(Figure.of("framework ÷ Axon JDBC", commands / jdbc.commandsPerSec(), "x", AXON_TARGET));
            if (jdbc.failed() > 0) {
                notes.add("Axon refused " + jdbc.failed() + " deposits on JDBC (concurrent writes to one account); they"
                        + " are not counted.");
            }
        }
        ctx.err().println("[framework: Axon in memory] started");
        var memory = AxonDriver.run(new AxonDriver.Memory(), clients, accounts, timing.warmup, timing.duration);
        figures.add(Figure.of("Axon " + AXON_VERSION + " commands, in memory", memory.commandsPerSec(), "commands/s"));
        if (memory.failed() > 0) {
            notes.add("Axon refused " + memory.failed() + " deposits in memory; they are not counted.");
        }
    }

    /** The accounts' handler, with a snapshot every 100 events and an entity cache of {@code cached} entries. */
    private static StreamCommandHandler<AccountCommand, Accounts.State, BankEvent> handler(
            EmbeddedEventStore store, int cached) {
        return StreamCommandHandler.builder(store, new Accounts(), BankEvent.codec(), Accounts::streamOf)
                .snapshots(JsonSnapshotCodec.of(Accounts.State.class, 1), SnapshotPolicy.everyEvents(100))
                .cache(cached)
                .build();
    }

    private double commands(RunContext ctx, List<Figure> figures) throws Exception {
        Path dir = ctx.newStoreDir("framework-commands");
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
            var handler = handler(store, accounts);
            openAccounts(store);
            ConcurrentHistogram nanos = new ConcurrentHistogram(Latency.SIGNIFICANT_DIGITS);
            LongAdder done = new LongAdder();
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> work = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                ctx.err().println("[framework: commands] one deposit into each of the " + accounts + " accounts first");
                depositOnceEach(pool, handler);
                for (int c = 0; c < clients; c++) {
                    SplittableRandom random = new SplittableRandom(c);
                    work.add(pool.submit(() -> {
                        while (!stop.get()) {
                            String account = "b" + random.nextInt(accounts);
                            long t0 = System.nanoTime();
                            CommandResult<BankEvent> r =
                                    handler.handle(CommandEnvelope.of(new AccountCommand.Deposit(account, 1)));
                            if (!(r instanceof CommandResult.Applied<BankEvent>)) {
                                throw new BenchmarkFailedException("a deposit was not applied: " + r);
                            }
                            if (measuring.get()) {
                                nanos.recordValue(System.nanoTime() - t0);
                                done.increment();
                            }
                        }
                        return null;
                    }));
                }
                Thread.sleep(timing.warmup.toMillis());
                measuring.set(true);
                long t0 = System.nanoTime();
                try (Progress p = Progress.start(ctx, "framework: commands", "commands", done::sum, -1)) {
                    Thread.sleep(timing.duration.toMillis());
                }
                measuring.set(false);
                double seconds = (System.nanoTime() - t0) / 1e9;
                stop.set(true);
                for (Future<?> f : work) {
                    f.get();
                }
                double rate = done.sum() / seconds;
                figures.add(Figure.of("commands (load, decide, append)", rate, "commands/s", COMMANDS_TARGET));
                figures.addAll(Latency.of(nanos).figures("command latency", ""));
                return rate;
            }
        } finally {
            ctx.discard(dir);
        }
    }

    /**
     * One deposit into every account, spread over the clients, so that the measured commands
     * find the entity cache as a running service keeps it (each account's first command loads it
     * from the store).
     */
    private void depositOnceEach(
            ExecutorService pool, StreamCommandHandler<AccountCommand, Accounts.State, BankEvent> handler)
            throws Exception {
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int first = c;
            work.add(pool.submit(() -> {
                for (int a = first; a < accounts; a += clients) {
                    CommandResult<BankEvent> r =
                            handler.handle(CommandEnvelope.of(new AccountCommand.Deposit("b" + a, 1)));
                    if (!(r instanceof CommandResult.Applied<BankEvent>)) {
                        throw new BenchmarkFailedException("a deposit was not applied: " + r);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
    }

    private void openAccounts(EmbeddedEventStore store) {
        List<StreamAppend> batch = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            batch.add(new StreamAppend(
                    "account-b" + i,
                    ExpectedVersion.noStream(),
                    List.of(event(new AccountEvent.AccountOpened("b" + i, "c" + i)))));
            if (batch.size() == 100 || i == accounts - 1) {
                store.appendMulti(batch);
                batch.clear();
            }
        }
    }

    private static EventData event(AccountEvent e) {
        return new EventData(
                UUID.randomUUID(),
                BankEvent.codec().typeOf(e),
                BankEvent.codec().encode(e),
                new byte[0],
                ContentType.JSON);
    }

    /**
     * The entity loads: first on the store that wrote them (their bytes still in its log cache,
     * as a service's recent entities are), then the interleaved one again on the store reopened
     * (read from the files, as after a restart).
     */
    private void loads(RunContext ctx, List<Figure> figures) throws Exception {
        Path dir = ctx.newStoreDir("framework-loads");
        try {
            try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.NO_FSYNC)) {
                ctx.err()
                        .println("[framework: loads] writing a " + longEntity + "-event entity and a " + interleaved
                                + "-event one between others");
                writeLongEntity(store);
                writeInterleavedEntity(store);
                timeLoads(store, figures);
            }
            try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.NO_FSYNC)) {
                var plain = plainHandler(store);
                figures.add(Figure.of(
                        "load a " + interleaved + "-event interleaved entity, store reopened",
                        medianMillis(50, () -> plain.load("account-mixed")),
                        "ms"));
            }
        } finally {
            ctx.discard(dir);
        }
    }

    private void writeLongEntity(EmbeddedEventStore store) {
        store.append(
                "account-long",
                ExpectedVersion.noStream(),
                List.of(event(new AccountEvent.AccountOpened("long", "c"))));
        for (int written = 1; written < longEntity; ) {
            List<EventData> batch = new ArrayList<>();
            for (int i = 0; i < 1000 && written < longEntity; i++, written++) {
                batch.add(event(new AccountEvent.MoneyDeposited("long", 1)));
            }
            store.append("account-long", ExpectedVersion.any(), batch);
        }
    }

    /** One event at a time, each between ten other entities' events, as commands write them. */
    private void writeInterleavedEntity(EmbeddedEventStore store) {
        store.append(
                "account-mixed",
                ExpectedVersion.noStream(),
                List.of(event(new AccountEvent.AccountOpened("mixed", "c"))));
        for (int i = 1; i < interleaved; i++) {
            store.append(
                    "account-mixed",
                    ExpectedVersion.any(),
                    List.of(event(new AccountEvent.MoneyDeposited("mixed", 1))));
            List<StreamAppend> others = new ArrayList<>();
            for (int o = 0; o < 10; o++) {
                others.add(new StreamAppend(
                        "account-other" + (i * 10 + o) % 5000,
                        ExpectedVersion.any(),
                        List.of(event(new AccountEvent.MoneyDeposited("other", 1)))));
            }
            store.appendMulti(others);
        }
    }

    /** The accounts' handler without snapshots or cache: a load reads every event. */
    private static StreamCommandHandler<AccountCommand, Accounts.State, BankEvent> plainHandler(
            EmbeddedEventStore store) {
        return StreamCommandHandler.builder(store, new Accounts(), BankEvent.codec(), Accounts::streamOf)
                .build();
    }

    private void timeLoads(EmbeddedEventStore store, List<Figure> figures) {
        var plain = plainHandler(store);
        figures.add(Figure.of(
                "load a " + longEntity + "-event entity, no snapshot",
                medianMillis(5, () -> plain.load("account-long")),
                "ms"));
        var snapshotting = handler(store, 0); // no cache: the figure is the snapshot's
        snapshotting.snapshot("account-long");
        figures.add(Figure.of(
                "load a " + longEntity + "-event entity from its snapshot",
                medianMillis(200, () -> snapshotting.load("account-long")),
                "ms",
                SNAPSHOT_TARGET));
        figures.add(Figure.of(
                "load a " + interleaved + "-event interleaved entity, no snapshot",
                medianMillis(50, () -> plain.load("account-mixed")),
                "ms",
                INTERLEAVED_TARGET));
    }

    /**
     * The median of {@code runs} timed runs on a settled JVM: the garbage of the phases before is
     * collected first, then as many untimed runs let the JIT compile this work and the collector
     * size its young generation for it again (timed right after a full collection, the same loads
     * took twice as long: the shrunken heap collected every few loads).
     */
    private static double medianMillis(int runs, Runnable work) {
        System.gc();
        for (int i = 0; i < runs; i++) {
            work.run();
        }
        Histogram nanos = new Histogram(Latency.SIGNIFICANT_DIGITS);
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            work.run();
            nanos.recordValue(System.nanoTime() - t0);
        }
        return nanos.getValueAtPercentile(50) / 1e6;
    }

    private void writeDeposits(EmbeddedEventStore store, int count) {
        for (int written = 0; written < count; ) {
            List<StreamAppend> batch = new ArrayList<>();
            for (int i = 0; i < 100 && written < count; i++, written++) {
                batch.add(new StreamAppend(
                        "account-p" + written % 10_000,
                        ExpectedVersion.any(),
                        List.of(event(new AccountEvent.MoneyDeposited("p" + written % 10_000, 1)))));
            }
            store.appendMulti(batch);
        }
    }

    /**
     * Two catch-ups over the same events, on the store reopened after the writes (so that the
     * index flush the writes left behind does not share the cores with the reading): the first on
     * a JVM that has not run this code yet (a service's first start), the second, timed against
     * the target, as a running service rebuilds a projection.
     */
    private void memoryProjection(RunContext ctx, List<Figure> figures) throws Exception {
        Path dir = ctx.newStoreDir("framework-memory");
        try {
            try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.NO_FSYNC)) {
                ctx.err().println("[framework: projection into memory] writing " + projectionEvents + " events");
                writeDeposits(store, projectionEvents);
            }
            catchUps(ctx, dir, figures);
        } finally {
            ctx.discard(dir);
        }
    }

    private void catchUps(RunContext ctx, Path dir, List<Figure> figures) throws Exception {
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.NO_FSYNC)) {
            figures.add(Figure.of(
                    "projection catch-up into memory, first run (cold JVM)",
                    memoryCatchUp(ctx, store, "bench-cold"),
                    "events/s"));
            // No full collection in between: G1 shrinks the heap after one, and the catch-up that
            // follows then collects over and over (it ran at half speed in one run of four).
            figures.add(Figure.of(
                    "projection catch-up into memory", memoryCatchUp(ctx, store, "bench"), "events/s", MEMORY_TARGET));
        }
    }

    private double memoryCatchUp(RunContext ctx, EmbeddedEventStore store, String name) throws Exception {
        LongAdder sum = new LongAdder();
        long head = store.headPosition();
        long t0 = System.nanoTime();
        long t1;
        try (var runner = ProjectionRunner.builder(
                        store,
                        name,
                        BankEvent.codec(),
                        new MemoryProjectionSink<BankEvent>(e -> sum.increment(), sum::reset))
                .partitions(4)
                .build()
                .start()) {
            awaitWithProgress(ctx, runner, head, "framework: projection " + name + " into memory");
            t1 = System.nanoTime(); // caught up: stopping the runner is not part of it
        }
        double rate = (head + 1) / ((t1 - t0) / 1e9);
        if (sum.sum() != projectionEvents) {
            throw new BenchmarkFailedException(
                    "the projection applied " + sum.sum() + " events of " + projectionEvents);
        }
        return rate;
    }

    private static void awaitWithProgress(RunContext ctx, ProjectionRunner<?> runner, long head, String label)
            throws Exception {
        AtomicLong through = new AtomicLong();
        try (Progress p = Progress.start(ctx, label, "events", () -> through.get() + 1, head + 1)) {
            while (!runner.awaitPosition(head, Duration.ofMillis(200))) {
                through.set(runner.progress().processedThrough());
            }
            through.set(head);
        }
    }

    private double postgresProjection(RunContext ctx, PGSimpleDataSource pg) throws Exception {
        Path dir = ctx.newStoreDir("framework-postgres");
        String table = "bench_balances_" + UUID.randomUUID().toString().substring(0, 8);
        String projection = "bench_" + table;
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.NO_FSYNC)) {
            execute(pg, "CREATE TABLE " + table + " (account_id text PRIMARY KEY, balance bigint NOT NULL)");
            ctx.err().println("[framework: projection into PostgreSQL] writing " + postgresEvents + " events");
            writeDeposits(store, postgresEvents);
            long head = store.headPosition();
            String upsert = "INSERT INTO " + table + " VALUES (?, ?) ON CONFLICT (account_id)"
                    + " DO UPDATE SET balance = " + table + ".balance + excluded.balance";
            // One round trip per run of events: the upserts go out as one JDBC batch.
            JdbcBatchHandler<BankEvent> upserts = (tx, events) -> {
                try (PreparedStatement s = tx.prepareStatement(upsert)) {
                    for (var e : events) {
                        if (e.event() instanceof AccountEvent.MoneyDeposited d) {
                            s.setString(1, d.accountId());
                            s.setLong(2, d.amount());
                            s.addBatch();
                        }
                    }
                    s.executeBatch();
                }
            };
            var sink = new JdbcProjectionSink<BankEvent>(pg, upserts, tx -> {});
            long t0 = System.nanoTime();
            try (var runner = ProjectionRunner.builder(store, projection, BankEvent.codec(), sink)
                    .partitions(8)
                    .build()
                    .start()) {
                awaitWithProgress(ctx, runner, head, "framework: projection into PostgreSQL");
            } finally {
                sink.close();
            }
            return (head + 1) / ((System.nanoTime() - t0) / 1e9);
        } finally {
            execute(
                    pg,
                    "DROP TABLE IF EXISTS " + table,
                    "DELETE FROM factum_projection_checkpoints WHERE projection = '" + projection + "'");
            ctx.discard(dir);
        }
    }

    private static PGSimpleDataSource postgres() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {5432});
        ds.setDatabaseName("test");
        ds.setUser("postgres");
        ds.setConnectTimeout(3);
        try (Connection c = ds.getConnection()) {
            return ds;
        } catch (SQLException e) {
            return null;
        }
    }

    private static void execute(PGSimpleDataSource pg, String... sql) throws SQLException {
        try (Connection c = pg.getConnection();
                var s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }
}
