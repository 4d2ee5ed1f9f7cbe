package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.framework.projection.DeadLetter;
import io.factum.framework.projection.JdbcEventHandler;
import io.factum.framework.projection.JdbcProjectionSink;
import io.factum.framework.projection.ProjectionRunner;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** Exactly-once projection into the local PostgreSQL, on the embedded engine. */
class JdbcProjectionTest {
    @TempDir
    Path dir;

    EventStore store;
    PGSimpleDataSource pg;
    final Account.Codec codec = new Account.Codec();
    final String projection = "balances_" + UUID.randomUUID().toString().substring(0, 8);
    final String table = projection;

    @BeforeEach
    void open() throws Exception {
        pg = Postgres.dataSource();
        store = OnEachStore.embedded(dir);
        Postgres.execute(
                pg,
                "CREATE TABLE " + table + " (account text PRIMARY KEY, balance bigint NOT NULL)",
                "CREATE TABLE " + table + "_applied (position bigint NOT NULL)");
    }

    @AfterEach
    void drop() throws Exception {
        store.close();
        Postgres.execute(
                pg,
                "DROP TABLE IF EXISTS " + table,
                "DROP TABLE IF EXISTS " + table + "_applied",
                "DELETE FROM factum_projection_checkpoints WHERE projection = '" + projection + "'",
                "DELETE FROM factum_projection_dead_letters WHERE projection = '" + projection + "'");
    }

    /** Adds to the balance, and logs the position (no key: an event applied twice is logged twice). */
    JdbcEventHandler<Account.Event> handler(AtomicInteger failures, double failureRate) {
        return (c, e) -> {
            long delta = e.event() instanceof Account.Deposited d ? d.amount() : 0;
            try (PreparedStatement up = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)"
                            + " ON CONFLICT (account) DO UPDATE SET balance = " + table
                            + ".balance + excluded.balance");
                    PreparedStatement applied = c.prepareStatement("INSERT INTO " + table + "_applied VALUES (?)")) {
                up.setString(1, e.stream());
                up.setLong(2, delta);
                up.executeUpdate();
                applied.setLong(1, e.position());
                applied.executeUpdate();
            }
            // A failure after the writes: the transaction must take them back.
            if (ThreadLocalRandom.current().nextDouble() < failureRate) {
                failures.incrementAndGet();
                throw new IllegalStateException("simulated failure");
            }
        };
    }

    JdbcProjectionSink<Account.Event> sink(JdbcEventHandler<Account.Event> handler) {
        return new JdbcProjectionSink<>(pg, handler, c -> {
            try (var s = c.createStatement()) {
                s.execute("TRUNCATE " + table + ", " + table + "_applied");
            }
        });
    }

    ProjectionRunner.Builder<Account.Event> runner(JdbcProjectionSink<Account.Event> sink) {
        return ProjectionRunner.builder(store, projection, codec, sink)
                .partitions(4)
                .batchSize(50)
                .retries(50, Duration.ofMillis(1))
                .idleCheckpointInterval(Duration.ofMillis(20));
    }

    long deposits(int count) {
        long last = -1;
        for (int i = 0; i < count; i++) {
            Account.Deposited d = new Account.Deposited(1 + i % 7);
            last = store.append(
                            "account-" + (i % 37),
                            ExpectedVersion.any(),
                            List.of(new EventData(
                                    UUID.randomUUID(), "Deposited", codec.encode(d), new byte[0], ContentType.JSON)))
                    .position();
        }
        return last;
    }

    /** A deposit of 13 into account-poison; its position. */
    long poison() {
        return store.append(
                        "account-poison",
                        ExpectedVersion.any(),
                        List.of(new EventData(
                                UUID.randomUUID(),
                                "Deposited",
                                codec.encode(new Account.Deposited(13)),
                                new byte[0],
                                ContentType.JSON)))
                .position();
    }

    long sum() throws SQLException {
        return query("SELECT coalesce(sum(balance), 0) FROM " + table);
    }

    long query(String sql) throws SQLException {
        try (Connection c = pg.getConnection();
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long expectedSum(int count) {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += 1 + i % 7;
        }
        return sum;
    }

    @Test
    void failuresInsideTransactionsAreRolledBackAndEveryEventCountsOnce() throws Exception {
        long last = deposits(2000);
        AtomicInteger failures = new AtomicInteger();
        try (var runner = runner(sink(handler(failures, 0.02))).build().start()) {
            assertThat(runner.awaitPosition(last, Duration.ofSeconds(60))).isTrue();
            assertThat(runner.deadLetters()).isEmpty();
        }
        assertThat(failures.get()).as("the failure path ran").isPositive();
        assertThat(sum()).isEqualTo(expectedSum(2000));
        assertThat(query("SELECT count(*) FROM " + table + "_applied")).isEqualTo(2000);
        assertThat(query("SELECT count(DISTINCT position) FROM " + table + "_applied"))
                .isEqualTo(2000);
    }

    @Test
    void aRestartResumesFromTheCommittedCheckpoint() throws Exception {
        long first = deposits(500);
        try (var runner = runner(sink(handler(new AtomicInteger(), 0))).build().start()) {
            assertThat(runner.awaitPosition(first, Duration.ofSeconds(30))).isTrue();
        }
        long second = deposits(500);
        try (var runner = runner(sink(handler(new AtomicInteger(), 0))).build().start()) {
            assertThat(runner.awaitPosition(second, Duration.ofSeconds(30))).isTrue();
        }
        assertThat(query("SELECT count(*) FROM " + table + "_applied")).isEqualTo(1000);
        assertThat(sum()).isEqualTo(expectedSum(500) * 2);
    }

    @Test
    void twoRunnersOnTheSameCheckpointsNeverApplyAnEventTwice() throws Exception {
        long last = deposits(1500);
        // No leases: both take every partition; the checkpoint's compare-and-set fences the loser.
        try (var a = runner(sink(handler(new AtomicInteger(), 0)))
                        .instance("a")
                        .build()
                        .start();
                var b = runner(sink(handler(new AtomicInteger(), 0)))
                        .instance("b")
                        .build()
                        .start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (query("SELECT count(DISTINCT position) FROM " + table + "_applied") < 1500
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(a.deadLetters()).isEmpty();
        }
        assertThat(query("SELECT count(*) FROM " + table + "_applied")).isEqualTo(1500);
        assertThat(query("SELECT count(DISTINCT position) FROM " + table + "_applied"))
                .isEqualTo(1500);
        assertThat(sum()).isEqualTo(expectedSum(1500));
        assertThat(query("SELECT min(position) FROM factum_projection_checkpoints WHERE projection = '" + projection
                        + "'"))
                .isGreaterThanOrEqualTo(last - 3); // every partition's checkpoint at or near the end
    }

    @Test
    void aPoisonEventIsParkedInTheSameTransactionAndRetriedLater() throws Exception {
        deposits(10);
        long poison = poison();
        long after = deposits(5);
        AtomicInteger refuse = new AtomicInteger(1);
        JdbcEventHandler<Account.Event> base = handler(new AtomicInteger(), 0);
        JdbcEventHandler<Account.Event> picky = (c, e) -> {
            if (e.position() == poison && refuse.get() == 1) {
                throw new IllegalStateException("refused");
            }
            base.handle(c, e);
        };
        try (var runner =
                runner(sink(picky)).retries(2, Duration.ofMillis(1)).build().start()) {
            assertThat(runner.awaitPosition(after, Duration.ofSeconds(30))).isTrue();
            assertThat(runner.deadLetters()).extracting(DeadLetter::position).containsExactly(poison);
            assertThat(query("SELECT count(*) FROM factum_projection_dead_letters WHERE projection = '" + projection
                            + "'"))
                    .isEqualTo(1);
            refuse.set(0);
            assertThat(runner.retry("account-poison", Duration.ofSeconds(10))).isEqualTo(1);
            assertThat(runner.deadLetters()).isEmpty();
        }
        assertThat(sum()).isEqualTo(expectedSum(10) + expectedSum(5) + 13);
    }

    @Test
    void aBatchHandlerGetsRunsOfEventsAndAFailingOneIsFoundAndParkedAlone() throws Exception {
        deposits(300);
        long poison = poison();
        long last = deposits(300);
        AtomicInteger largest = new AtomicInteger();
        io.factum.framework.projection.JdbcBatchHandler<Account.Event> batched = (c, events) -> {
            largest.accumulateAndGet(events.size(), Math::max);
            try (PreparedStatement up = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)"
                            + " ON CONFLICT (account) DO UPDATE SET balance = " + table
                            + ".balance + excluded.balance");
                    PreparedStatement applied = c.prepareStatement("INSERT INTO " + table + "_applied VALUES (?)")) {
                for (var e : events) {
                    if (e.position() == poison) {
                        throw new IllegalStateException("refused");
                    }
                    up.setString(1, e.stream());
                    up.setLong(2, e.event() instanceof Account.Deposited d ? d.amount() : 0);
                    up.addBatch();
                    applied.setLong(1, e.position());
                    applied.addBatch();
                }
                up.executeBatch();
                applied.executeBatch();
            }
        };
        var sink = new JdbcProjectionSink<>(pg, batched, c -> {});
        try (var runner = runner(sink).retries(2, Duration.ofMillis(1)).build().start()) {
            assertThat(runner.awaitPosition(last, Duration.ofSeconds(30))).isTrue();
            assertThat(runner.deadLetters()).extracting(DeadLetter::position).containsExactly(poison);
        }
        assertThat(largest.get()).as("events handed over together").isGreaterThan(1);
        assertThat(query("SELECT count(*) FROM " + table + "_applied")).isEqualTo(600);
        assertThat(query("SELECT count(DISTINCT position) FROM " + table + "_applied"))
                .isEqualTo(600);
        assertThat(sum()).isEqualTo(expectedSum(300) * 2);
    }
}
