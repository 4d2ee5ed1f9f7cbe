package io.factum.bench.axon;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * Runs the account commands on Axon: open the accounts, then deposits into random accounts from
 * concurrent clients through the command gateway, measured for a while after a warm-up.
 */
public final class AxonDriver {
    private AxonDriver() {}

    /**
     * @param commandsPerSec deposits that succeeded per second, measured
     * @param failed deposits Axon refused (a concurrent write to the same account)
     */
    public record Result(double commandsPerSec, long failed) {}

    /** Where Axon keeps its events. */
    public sealed interface Storage permits Memory, Postgres {}

    public record Memory() implements Storage {}

    /** Axon's JDBC engine on PostgreSQL, in tables of their own, dropped afterwards. */
    public record Postgres(String url, String user, String tableSuffix) implements Storage {}

    public static Result run(Storage storage, int clients, int accounts, Duration warmup, Duration duration)
            throws Exception {
        HikariDataSource pool = storage instanceof Postgres pg ? pool(pg, clients) : null;
        Serializer serializer = JacksonSerializer.defaultSerializer();
        EventStorageEngine engine =
                pool == null ? new InMemoryEventStorageEngine() : jdbc(pool, serializer, (Postgres) storage);
        Configuration config = DefaultConfigurer.defaultConfiguration()
                .configureSerializer(c -> serializer)
                .configureEmbeddedEventStore(c -> engine)
                .configureAggregate(AxonAccount.class)
                .buildConfiguration();
        config.start();
        try {
            CommandGateway gateway = config.commandGateway();
            open(gateway, clients, accounts);
            return deposits(gateway, clients, accounts, warmup, duration);
        } finally {
            config.shutdown();
            if (pool != null) {
                drop(pool, (Postgres) storage);
                pool.close();
            }
        }
    }

    private static HikariDataSource pool(Postgres pg, int clients) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(pg.url());
        c.setUsername(pg.user());
        c.setMaximumPoolSize(clients);
        return new HikariDataSource(c);
    }

    private static EventSchema schema(Postgres pg) {
        return EventSchema.builder()
                .eventTable("axon_events_" + pg.tableSuffix())
                .snapshotTable("axon_snapshots_" + pg.tableSuffix())
                .build();
    }

    private static EventStorageEngine jdbc(DataSource pool, Serializer serializer, Postgres pg) {
        JdbcEventStorageEngine engine = JdbcEventStorageEngine.builder()
                .connectionProvider(
                        new UnitOfWorkAwareConnectionProviderWrapper(new DataSourceConnectionProvider(pool)))
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .schema(schema(pg))
                .build();
        engine.createSchema(PostgresEventTableFactory.INSTANCE);
        return engine;
    }

    private static void drop(DataSource pool, Postgres pg) throws Exception {
        try (Connection c = pool.getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS axon_events_" + pg.tableSuffix());
            s.execute("DROP TABLE IF EXISTS axon_snapshots_" + pg.tableSuffix());
        }
    }

    private static void open(CommandGateway gateway, int clients, int accounts) throws Exception {
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                work.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < accounts; i = next.getAndIncrement()) {
                        gateway.sendAndWait(new AxonAccount.OpenAccount("x" + i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        }
    }

    private static Result deposits(
            CommandGateway gateway, int clients, int accounts, Duration warmup, Duration duration) throws Exception {
        LongAdder done = new LongAdder();
        LongAdder failed = new LongAdder();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                SplittableRandom random = new SplittableRandom(c);
                work.add(pool.submit(() -> {
                    while (!stop.get()) {
                        try {
                            gateway.sendAndWait(new AxonAccount.Deposit("x" + random.nextInt(accounts), 1));
                            if (measuring.get()) {
                                done.increment();
                            }
                        } catch (RuntimeException e) {
                            failed.increment();
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(warmup.toMillis());
            measuring.set(true);
            long t0 = System.nanoTime();
            Thread.sleep(duration.toMillis());
            measuring.set(false);
            double seconds = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            for (Future<?> f : work) {
                f.get();
            }
            return new Result(done.sum() / seconds, failed.sum());
        }
    }
}
