package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.client.RemoteEventStore;
import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.server.FactumServer;
import io.factum.server.ServerOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A leased projection shared by three instances, each a JVM of its own, over a real server: one
 * instance is killed with SIGKILL while events keep coming, the other two must take its
 * partitions over within the lease timeout plus a heartbeat (and a margin), and every event must
 * still be applied to PostgreSQL exactly once.
 */
class ProjectionTakeoverTest {
    static final long LEASE_MILLIS = 2000;
    static final long HEARTBEAT_MILLIS = LEASE_MILLIS / 4;
    static final long MARGIN_MILLIS = 3000;
    static final int PARTITIONS = 8;
    static final int INSTANCES = 3;
    static final int STREAMS = 40;
    static final int EVENTS_PER_SECOND = 300;

    /** Every child still alive, for the shutdown hook: no child outlives this JVM. */
    static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(() -> CHILDREN.forEach(Process::destroyForcibly), "kill-projection-children"));
    }

    @TempDir
    Path dir;

    final String projection = "takeover_" + UUID.randomUUID().toString().substring(0, 8);
    final String table = projection;
    final Account.Codec codec = new Account.Codec();
    final List<Child> children = new ArrayList<>();
    final BlockingQueue<Update> updates = new LinkedBlockingQueue<>();
    /** When the update last applied by {@link #await} arrived. */
    long lastUpdate;
    /** How often a live instance went from running partitions to running none. */
    int dropped;

    PGSimpleDataSource pg;
    EmbeddedEventStore engine;
    FactumServer server;
    RemoteEventStore writerStore;
    Writer writer;

    /** One instance's process, its stderr file, and the thread reading its stdout. */
    record Child(int index, String id, Process process, Path stderr) {}

    /** A {@code running} line of a child as it arrived (running == null: its output ended). */
    record Update(int child, Set<Integer> running, long nanos) {}

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aKilledInstancesPartitionsAreTakenOverInTimeAndEveryEventIsAppliedOnce() throws Exception {
        pg = Postgres.dataSource();
        Postgres.execute(
                pg,
                "CREATE TABLE " + table + " (position bigint NOT NULL, stream text NOT NULL, instance text NOT NULL)");

        engine = EmbeddedEventStore.open(
                EngineOptions.defaults(dir.resolve("store")).withDurability(Durability.NO_FSYNC));
        server = FactumServer.start(engine, ServerOptions.localDevelopment(0));
        String url = "kurrentdb://127.0.0.1:" + server.port() + "?tls=false";
        writerStore = RemoteEventStore.connect(url);
        writer = new Writer(writerStore);
        writer.start();

        for (int i = 0; i < INSTANCES; i++) {
            children.add(launch(i, url));
        }

        // 1. The three instances share the partitions: each one exactly once, evenly spread.
        Map<Integer, Set<Integer>> running = new HashMap<>();
        Set<Integer> everyone = Set.of(0, 1, 2);
        long balancedAt = await(
                running,
                everyone,
                -1,
                s -> exactCover(s, everyone) && balanced(s, everyone),
                System.nanoTime() + Duration.ofSeconds(45).toNanos(),
                "the three instances to share the " + PARTITIONS + " partitions");
        log("shared: " + describe(running, everyone));

        // 2. Let them work a second or more; then, the partitions being shared as above, kill (SIGKILL)
        // the instance with the most partitions, once it has applied events.
        long workDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Child victim;
        while (true) {
            drain(running, -1);
            victim = children.stream()
                    .max((x, y) -> Integer.compare(
                            running.get(x.index()).size(),
                            running.get(y.index()).size()))
                    .orElseThrow();
            if (System.nanoTime() - balancedAt >= Duration.ofSeconds(1).toNanos()
                    && exactCover(running, everyone)
                    && balanced(running, everyone)
                    && count("SELECT count(*) FROM " + table + " WHERE instance = '" + victim.id() + "'") > 0) {
                break;
            }
            if (System.nanoTime() > workDeadline) {
                fail("no instance applied events while the partitions were shared within 20 s: "
                        + describe(running, everyone) + stderrTails());
            }
            Thread.sleep(50);
        }
        long victimRows = count("SELECT count(*) FROM " + table + " WHERE instance = '" + victim.id() + "'");
        log("killing " + victim.id() + " (pid " + victim.process().pid() + ", partitions "
                + running.get(victim.index()) + ", " + victimRows + " rows applied so far, "
                + writer.appended.size() + " events appended so far)");

        long killedAt = System.nanoTime();
        victim.process().destroyForcibly();
        assertThat(victim.process().waitFor(10, TimeUnit.SECONDS))
                .as("the killed instance ended")
                .isTrue();
        assertThat(victim.process().isAlive()).isFalse();
        assertThat(victim.process().exitValue())
                .as("the instance died of SIGKILL (128 + 9)")
                .isEqualTo(137);
        CHILDREN.remove(victim.process());

        // 3. The two survivors run all the partitions again, each exactly once.
        Set<Integer> survivors = new TreeSet<>(everyone);
        survivors.remove(victim.index());
        Set<Integer> orphaned = running.remove(victim.index());
        long[] orphansRunAt = {0};
        long takenOverAt = await(
                running,
                survivors,
                victim.index(),
                s -> {
                    if (orphansRunAt[0] == 0
                            && survivors.stream()
                                    .flatMap(c -> s.getOrDefault(c, Set.of()).stream())
                                    .collect(java.util.stream.Collectors.toSet())
                                    .containsAll(orphaned)) {
                        orphansRunAt[0] = lastUpdate;
                    }
                    return exactCover(s, survivors);
                },
                killedAt + Duration.ofSeconds(30).toNanos(),
                "the survivors to take over the partitions of " + victim.id());
        assertThat(takenOverAt)
                .as("the survivors ran every partition only after the kill")
                .isGreaterThan(killedAt);
        Duration takeover = Duration.ofNanos(takenOverAt - killedAt);
        long bound = LEASE_MILLIS + HEARTBEAT_MILLIS + MARGIN_MILLIS;
        log("taken over " + takeover.toMillis() + " ms after the kill (bound " + bound + " ms): "
                + describe(running, survivors) + "; the killed instance's own partitions " + orphaned
                + " ran again after "
                + Duration.ofNanos(orphansRunAt[0] - killedAt).toMillis() + " ms");

        // 4. Go on writing a while, then stop, and let the survivors apply everything.
        long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < until) {
            drain(running, victim.index());
            Thread.sleep(50);
        }
        writer.finish();
        Map<Long, String> streams = Map.copyOf(writer.appended);
        TreeSet<Long> appended = new TreeSet<>(streams.keySet());
        log("appended " + appended.size() + " events in " + writer.elapsedMillis() + " ms ("
                + appended.size() * 1000 / Math.max(1, writer.elapsedMillis()) + " a second); last position "
                + appended.last());

        long drainDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (count("SELECT count(DISTINCT position) FROM " + table) < appended.size()
                && System.nanoTime() < drainDeadline) {
            drain(running, victim.index());
            Thread.sleep(100);
        }
        Thread.sleep(500); // a late duplicate would land by now
        drain(running, victim.index());
        log("final assignment: " + describe(running, survivors));

        long rows = count("SELECT count(*) FROM " + table);
        long distinct = count("SELECT count(DISTINCT position) FROM " + table);
        List<Long> applied = positions("SELECT DISTINCT position FROM " + table + " ORDER BY position");
        TreeSet<Long> missing = new TreeSet<>(appended);
        applied.forEach(missing::remove);
        TreeSet<Long> extra = new TreeSet<>(applied);
        appended.forEach(extra::remove);
        String duplicates = duplicates();
        log("rows " + rows + ", distinct positions " + distinct + ", per instance " + perInstance() + ", missing "
                + first(missing) + ", unexpected " + first(extra) + ", duplicates " + duplicates
                + "; a live instance dropped all its partitions " + dropped + " times");
        String missingByPartition = byPartition(missing, streams);
        if (!missing.isEmpty()) {
            log("missing events by partition: " + missingByPartition);
            log("gaps: " + gaps(appended, streams));
            log("stored checkpoints: " + checkpoints());
        }

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(takeover.toMillis())
                .as(
                        "takeover after SIGKILL took %d ms; the bound is lease timeout %d ms + heartbeat %d ms"
                                + " + margin %d ms = %d ms",
                        takeover.toMillis(), LEASE_MILLIS, HEARTBEAT_MILLIS, MARGIN_MILLIS, bound)
                .isLessThanOrEqualTo(bound);
        soft.assertThat(rows)
                .as("rows == events appended (%d)", appended.size())
                .isEqualTo(appended.size());
        soft.assertThat(distinct)
                .as("distinct positions == rows: no event applied twice; duplicates: %s", duplicates)
                .isEqualTo(rows);
        soft.assertThat(missing.size())
                .as(
                        "appended events never applied: %s; by partition: %s; stored checkpoints: %s",
                        first(missing), missingByPartition, checkpoints())
                .isZero();
        soft.assertThat(extra.size())
                .as("applied positions that were not appended: %s", first(extra))
                .isZero();
        soft.assertThat(count(
                        "SELECT count(*) FROM factum_projection_dead_letters WHERE projection = '" + projection + "'"))
                .as("dead letters")
                .isZero();
        soft.assertAll();
    }

    // ---- the children

    private Child launch(int index, String url) throws IOException {
        String id = "instance-" + index;
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-Dfactum.postgres.required=" + Boolean.getBoolean("factum.postgres.required"),
                "-cp",
                System.getProperty("java.class.path"),
                ProjectionInstanceMain.class.getName(),
                url,
                id,
                projection,
                table,
                Long.toString(LEASE_MILLIS));
        Path stderr = dir.resolve(id + ".err");
        Process process =
                new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        CHILDREN.add(process);
        Child child = new Child(index, id, process, stderr);
        Thread.ofPlatform().daemon().name("stdout-" + id).start(() -> readOutput(child));
        return child;
    }

    private void readOutput(Child child) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                if (line.startsWith("running")) {
                    Set<Integer> partitions = new TreeSet<>();
                    for (String p : line.substring("running".length()).trim().split("\\s+")) {
                        if (!p.isEmpty()) {
                            partitions.add(Integer.parseInt(p));
                        }
                    }
                    updates.add(new Update(child.index(), partitions, now));
                    log(child.id() + ": " + line);
                } else {
                    log(child.id() + " says: " + line);
                }
            }
        } catch (IOException e) {
            log(child.id() + ": stdout failed: " + e);
        }
        updates.add(new Update(child.index(), null, System.nanoTime()));
    }

    /**
     * Applies the children's updates in order until {@code done} holds for the state of {@code
     * considered}; returns when the update that made it hold arrived.
     */
    private long await(
            Map<Integer, Set<Integer>> running,
            Set<Integer> considered,
            int ignored,
            Predicate<Map<Integer, Set<Integer>>> done,
            long deadline,
            String what)
            throws InterruptedException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("timed out waiting for " + what + "; last seen: " + describe(running, considered) + stderrTails());
            }
            Update u = updates.poll(left, TimeUnit.NANOSECONDS);
            if (u == null || u.child() == ignored) {
                continue;
            }
            apply(running, u);
            lastUpdate = u.nanos();
            if (done.test(running)) {
                return u.nanos();
            }
        }
    }

    /** Applies the updates that arrived, without waiting. */
    private void drain(Map<Integer, Set<Integer>> running, int ignored) throws InterruptedException {
        Update u;
        while ((u = updates.poll()) != null) {
            if (u.child() != ignored) {
                apply(running, u);
            }
        }
    }

    private void apply(Map<Integer, Set<Integer>> running, Update u) throws InterruptedException {
        if (u.running() == null) {
            Process process = children.get(u.child()).process();
            fail("instance-" + u.child() + " closed its output by itself ("
                    + (process.waitFor(5, TimeUnit.SECONDS) ? "exit " + process.exitValue() : "still running") + ")"
                    + stderrTails());
        }
        Set<Integer> before = running.put(u.child(), u.running());
        if (before != null && !before.isEmpty() && u.running().isEmpty()) {
            dropped++;
            log("note: instance-" + u.child() + " runs no partition any more, though alive");
        }
    }

    /** Every partition runs on exactly one of the considered instances. */
    private static boolean exactCover(Map<Integer, Set<Integer>> running, Set<Integer> considered) {
        int[] owners = new int[PARTITIONS];
        for (int c : considered) {
            Set<Integer> set = running.get(c);
            if (set == null) {
                return false;
            }
            set.forEach(p -> owners[p]++);
        }
        for (int n : owners) {
            if (n != 1) {
                return false;
            }
        }
        return true;
    }

    /** Each considered instance runs its share (the sizes differ by one at most). */
    private static boolean balanced(Map<Integer, Set<Integer>> running, Set<Integer> considered) {
        int low = PARTITIONS / considered.size();
        int high = (PARTITIONS + considered.size() - 1) / considered.size();
        return considered.stream().allMatch(c -> {
            int n = running.get(c).size();
            return n >= low && n <= high;
        });
    }

    private String describe(Map<Integer, Set<Integer>> running, Set<Integer> considered) {
        StringBuilder b = new StringBuilder();
        for (int c : considered) {
            b.append("instance-").append(c).append('=').append(running.get(c)).append(' ');
        }
        return b.toString().trim();
    }

    private String stderrTails() {
        StringBuilder b = new StringBuilder();
        for (Child c : children) {
            b.append("\n--- stderr of ").append(c.id()).append(" (last lines) ---\n");
            b.append(tail(c.stderr(), 30));
        }
        return b.toString();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    // ---- the writer

    /**
     * Appends deposits to {@value #STREAMS} streams at about {@value #EVENTS_PER_SECOND} a second
     * in all, from a few threads (one append is a round trip), and notes each one's position.
     */
    final class Writer {
        static final int THREADS = 4;
        final RemoteEventStore store;
        /** Position of each event appended, and its stream. */
        final Map<Long, String> appended = new ConcurrentHashMap<>();

        private final List<Thread> threads = new ArrayList<>();
        private final long started = System.nanoTime();
        private volatile long stopped;
        private volatile boolean stop;
        private volatile Throwable failure;

        Writer(RemoteEventStore store) {
            this.store = store;
            for (int t = 0; t < THREADS; t++) {
                int first = t;
                threads.add(
                        Thread.ofPlatform().daemon().name("deposit-writer-" + t).unstarted(() -> run(first)));
            }
        }

        void start() {
            threads.forEach(Thread::start);
        }

        long elapsedMillis() {
            return Duration.ofNanos((stopped == 0 ? System.nanoTime() : stopped) - started)
                    .toMillis();
        }

        /** Writes streams first, first + THREADS, ... in turn. */
        private void run(int first) {
            long start = System.nanoTime();
            long gap = TimeUnit.SECONDS.toNanos(1) * THREADS / EVENTS_PER_SECOND;
            int perThread = STREAMS / THREADS;
            try {
                for (long n = 0; !stop; n++) {
                    String stream = "account-" + (first + THREADS * (n % perThread));
                    Account.Deposited d = new Account.Deposited(1 + n % 7);
                    long position = store.append(
                                    stream,
                                    ExpectedVersion.any(),
                                    List.of(new EventData(
                                            UUID.randomUUID(),
                                            codec.typeOf(d),
                                            codec.encode(d),
                                            new byte[0],
                                            ContentType.JSON)))
                            .position();
                    if (appended.put(position, stream) != null) {
                        throw new IllegalStateException("two appends reported position " + position);
                    }
                    long wait = start + (n + 1) * gap - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        /** Stops appending; fails when an append failed (its outcome would be unknown). */
        void finish() throws InterruptedException {
            stop = true;
            stopped = System.nanoTime();
            for (Thread t : threads) {
                t.join(15_000);
                assertThat(t.isAlive()).as("the writer stopped").isFalse();
            }
            if (failure != null) {
                throw new AssertionError("an append failed", failure);
            }
        }
    }

    // ---- PostgreSQL

    private long count(String sql) throws SQLException {
        try (Connection c = pg.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<Long> positions(String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = pg.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private String perInstance() throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Connection c = pg.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT instance, count(*) FROM " + table + " GROUP BY instance ORDER BY instance")) {
            while (rs.next()) {
                b.append(rs.getString(1)).append('=').append(rs.getLong(2)).append(' ');
            }
        }
        return b.toString().trim();
    }

    /** Up to 20 positions applied more than once, with the instances that applied them. */
    private String duplicates() {
        StringBuilder b = new StringBuilder();
        try (Connection c = pg.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT position, min(stream), string_agg(instance, ',')" + " FROM "
                        + table + " GROUP BY position HAVING count(*) > 1 ORDER BY position LIMIT 20")) {
            while (rs.next()) {
                b.append(rs.getLong(1))
                        .append(" (")
                        .append(rs.getString(2))
                        .append(" by ")
                        .append(rs.getString(3))
                        .append(") ");
            }
        } catch (SQLException e) {
            return "(query failed: " + e + ")";
        }
        return b.isEmpty() ? "none" : b.toString().trim();
    }

    /** The partition of a stream, as ProjectionRunner#partitionOf computes it. */
    static int partitionOf(String stream) {
        return Math.floorMod(stream.hashCode(), PARTITIONS);
    }

    /** For each partition: how many of the positions, the first and the last. */
    private static String byPartition(TreeSet<Long> positions, Map<Long, String> streams) {
        Map<Integer, List<Long>> by = new java.util.TreeMap<>();
        positions.forEach(p -> by.computeIfAbsent(partitionOf(streams.get(p)), k -> new ArrayList<>())
                .add(p));
        StringBuilder b = new StringBuilder();
        by.forEach((partition, list) -> b.append("partition ")
                .append(partition)
                .append(": ")
                .append(list.size())
                .append(" in ")
                .append(list.getFirst())
                .append("..")
                .append(list.getLast())
                .append("; "));
        return b.isEmpty() ? "none" : b.toString().trim();
    }

    /**
     * Each run of a partition's events that were never applied, with the instance that applied the
     * partition's event before it and the one after it.
     */
    private String gaps(TreeSet<Long> appended, Map<Long, String> streams) throws SQLException {
        Map<Long, String> by = new HashMap<>();
        try (Connection c = pg.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT position, instance FROM " + table)) {
            while (rs.next()) {
                by.put(rs.getLong(1), rs.getString(2));
            }
        }
        StringBuilder b = new StringBuilder();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            Long before = null;
            List<Long> run = new ArrayList<>();
            for (long position : appended) {
                if (partitionOf(streams.get(position)) != partition) {
                    continue;
                }
                if (!by.containsKey(position)) {
                    run.add(position);
                    continue;
                }
                if (!run.isEmpty()) {
                    b.append(gap(partition, run, before, by, position));
                    run.clear();
                }
                before = position;
            }
            if (!run.isEmpty()) {
                b.append(gap(partition, run, before, by, null));
            }
        }
        return b.isEmpty() ? "none" : b.toString().trim();
    }

    private static String gap(int partition, List<Long> run, Long before, Map<Long, String> by, Long after) {
        return "partition " + partition + ": " + run.size() + " events " + run.getFirst() + ".." + run.getLast()
                + " never applied (the one before, " + before + ", by " + (before == null ? "-" : by.get(before))
                + "; the one after, " + after + ", by " + (after == null ? "-" : by.get(after)) + "); ";
    }

    private String checkpoints() {
        StringBuilder b = new StringBuilder();
        try (Connection c = pg.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT partition, position FROM factum_projection_checkpoints"
                        + " WHERE projection = '" + projection + "' ORDER BY partition")) {
            while (rs.next()) {
                b.append(rs.getInt(1)).append('@').append(rs.getLong(2)).append(' ');
            }
        } catch (SQLException e) {
            return "(query failed: " + e + ")";
        }
        return b.toString().trim();
    }

    private static String first(TreeSet<Long> positions) {
        return positions.isEmpty()
                ? "none"
                : positions.size() + " " + positions.stream().limit(20).toList();
    }

    private static void log(String line) {
        System.out.println("[takeover " + java.time.LocalTime.now() + "] " + line);
    }

    // ---- cleaning up, also after a failure

    @AfterEach
    void cleanUp() {
        log("cleaning up");
        if (writer != null) {
            writer.stop = true;
        }
        for (Child c : children) {
            c.process().destroyForcibly();
        }
        for (Child c : children) {
            try {
                c.process().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            CHILDREN.remove(c.process());
            System.out.println("--- stderr of " + c.id() + " (last lines) ---\n" + tail(c.stderr(), 40));
        }
        quietly(() -> {
            if (writer != null) {
                for (Thread t : writer.threads) {
                    t.join(10_000);
                }
            }
        });
        quietly(() -> {
            if (writerStore != null) {
                writerStore.close();
            }
        });
        quietly(() -> {
            if (server != null) {
                server.close();
            }
        });
        quietly(() -> {
            if (engine != null) {
                engine.close();
            }
        });
        if (pg != null) {
            for (String sql : List.of(
                    "DROP TABLE IF EXISTS " + table,
                    "DELETE FROM factum_projection_checkpoints WHERE projection = '" + projection + "'",
                    "DELETE FROM factum_projection_dead_letters WHERE projection = '" + projection + "'")) {
                quietly(() -> Postgres.execute(pg, sql));
            }
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            System.out.println("cleaning up: " + e);
        }
    }
}
