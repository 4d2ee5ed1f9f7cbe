package io.factum.server.crash;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import io.factum.server.it.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Rounds of "write through the official client from many writers, kill the server with SIGKILL at a
 * random moment, restart it on the same data directory, and check what it serves against every
 * append the client made". The restarted server is the next round's, so every round also recovers
 * from all the earlier kills; a campaign longer than {@code roundsPerStore} starts a fresh data
 * directory then, which bounds the data the checker reads.
 *
 * <p>Kills land 0 to 1,000 ms after the first acknowledgement of the round, while every writer has
 * an append in flight (the delays come from one seeded {@link Random}, whose seed
 * is printed; thread scheduling is not deterministic, so a seed replays the plan, not the history).
 * On failure the data directory is copied to {@code target/crash-failures/server-seed-S-round-R/}
 * and the message carries the diagnosis and both servers' output.
 *
 * <p>Not thread-safe: one campaign per test method.
 */
final class ServerCrashCampaign {

    static final int SIGKILL_EXIT_STATUS = 137;
    static final Duration WRITER_STOP_TIMEOUT = Duration.ofSeconds(60);
    static final Duration FIRST_ACK_TIMEOUT = Duration.ofSeconds(30);

    private final Path workDir;
    private final long seed;
    private final int rounds;
    private final int roundsPerStore;
    private final int writers;
    private final Random random;
    private final List<Attempt> history = new ArrayList<>();
    private Path dataDir;
    private long ackedTotal;
    private long restartMillisTotal;

    ServerCrashCampaign(Path workDir, long seed, int rounds, int roundsPerStore, int writers) {
        this.workDir = workDir;
        this.seed = seed;
        this.rounds = rounds;
        this.roundsPerStore = roundsPerStore;
        this.writers = writers;
        this.random = new Random(seed);
        this.dataDir = workDir.resolve("store-0");
    }

    /** The seed: {@code -Dfactum.crash.seed=...} to replay a plan, else a fresh one. */
    static long seedFromProperty() {
        String s = System.getProperty("factum.crash.seed");
        return s == null || s.isBlank()
                ? System.nanoTime() ^ ProcessHandle.current().pid()
                : Long.parseLong(s);
    }

    /** The number of rounds: {@code -Dfactum.crash.rounds=...} overrides the test's default. */
    static int roundsFromProperty(int defaultRounds) {
        String s = System.getProperty("factum.crash.rounds");
        return s == null || s.isBlank() ? defaultRounds : Integer.parseInt(s);
    }

    static EventStoreDBClient connect(ServerProcess server) {
        return EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(server.connectionString("esdb")));
    }

    static void shutdown(EventStoreDBClient client) {
        try {
            client.shutdown().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // A client whose server died may take its time; it holds nothing we need.
        }
    }

    void run() throws Exception {
        System.out.printf(
                "server crash campaign: seed=%d rounds=%d (fresh store every %d) writers=%d dir=%s"
                        + " (replay the plan with -Dfactum.crash.seed=%d)%n",
                seed, rounds, roundsPerStore, writers, workDir, seed);
        ServerProcess server = ServerProcess.start(dataDir);
        try {
            for (int round = 0; round < rounds; round++) {
                if (round > 0 && round % roundsPerStore == 0) {
                    server.stop();
                    dataDir = workDir.resolve("store-" + round / roundsPerStore);
                    history.clear();
                    server = ServerProcess.start(dataDir);
                }
                server = round(round, server);
            }
        } finally {
            server.close();
        }
        if (ackedTotal == 0) {
            throw new AssertionError("no append was acknowledged in " + rounds + " rounds: the workload did not run");
        }
        System.out.printf(
                "server crash campaign passed: seed=%d, %d rounds, %d appends acknowledged,"
                        + " restart after a kill took %d ms on average%n",
                seed, rounds, ackedTotal, restartMillisTotal / rounds);
    }

    /** One round on {@code server}; returns the restarted server, which the next round uses. */
    private ServerProcess round(int round, ServerProcess server) throws Exception {
        long delayMs = random.nextInt(1001);
        EventStoreDBClient client = connect(server);
        ClientWorkload workload = new ClientWorkload(client, "r" + round, writers, random.nextLong());
        workload.start();
        if (!workload.awaitFirstAck(FIRST_ACK_TIMEOUT)) {
            workload.stop(WRITER_STOP_TIMEOUT);
            shutdown(client);
            throw failure(
                    round,
                    "no append was acknowledged within " + FIRST_ACK_TIMEOUT + "; attempts: " + workload.attempts(),
                    server,
                    null);
        }
        // The random delay is the point of the test (where the kill lands), not a synchronisation.
        Thread.sleep(delayMs);
        if (!server.isAlive()) {
            throw failure(round, "the server exited by itself before the kill", server, null);
        }
        long killedAt = System.nanoTime();
        int status = server.kill();
        List<String> blocked = workload.stop(WRITER_STOP_TIMEOUT);
        shutdown(client);
        if (status != SIGKILL_EXIT_STATUS) {
            throw failure(round, "exit status " + status + " after SIGKILL, expected 137 (128 + 9)", server, null);
        }
        if (!blocked.isEmpty()) {
            throw failure(
                    round,
                    "writers still blocked in an append " + WRITER_STOP_TIMEOUT + " after the kill: " + blocked,
                    server,
                    null);
        }
        List<Attempt> attempts = workload.attempts();
        history.addAll(attempts);
        List<String> unexpected = unexpected(workload, attempts, killedAt);
        if (!unexpected.isEmpty()) {
            throw failure(
                    round,
                    "the client saw errors while the server was alive:\n  " + String.join("\n  ", unexpected),
                    server,
                    null);
        }
        long t0 = System.nanoTime();
        ServerProcess restarted = ServerProcess.start(dataDir);
        long restartMs = (System.nanoTime() - t0) / 1_000_000;
        restartMillisTotal += restartMs;
        DurabilityChecker.Report report;
        try {
            report = check(restarted);
        } catch (Exception | Error e) {
            restarted.close();
            throw e;
        }
        long ackedNow = attempts.stream().filter(Attempt::acked).count();
        ackedTotal += ackedNow;
        System.out.printf(
                "round %d/%d: kill %d ms after the first ack, %d appends (%d acked, %d in flight);"
                        + " restart to listening %d ms; served: %s%n",
                round + 1,
                rounds,
                delayMs,
                attempts.size(),
                ackedNow,
                attempts.stream()
                        .filter(a -> a.outcome() instanceof Attempt.InFlight)
                        .count(),
                restartMs,
                report.summary());
        if (report.violationCount() > 0) {
            throw failure(
                    round,
                    "the restarted server does not serve what was acknowledged:\n" + report.diagnosis(),
                    server,
                    restarted);
        }
        return restarted;
    }

    private DurabilityChecker.Report check(ServerProcess restarted) throws Exception {
        EventStoreDBClient reader = connect(restarted);
        try {
            return DurabilityChecker.check(history, ServedStore.read(reader, streams(history)));
        } finally {
            shutdown(reader);
        }
    }

    /** Errors the workload reports, and failures the client saw before the kill was sent. */
    static List<String> unexpected(ClientWorkload workload, List<Attempt> attempts, long killedAt) {
        List<String> found = new ArrayList<>(workload.unexpected());
        for (Attempt a : attempts) {
            if (a.outcome() instanceof Attempt.InFlight f && f.observedNanos() < killedAt) {
                found.add(a.describe() + " failed " + (killedAt - f.observedNanos()) / 1_000_000
                        + " ms before the server was stopped: " + f.error());
            }
        }
        return found;
    }

    static Set<String> streams(List<Attempt> attempts) {
        Set<String> names = new LinkedHashSet<>();
        attempts.forEach(a -> names.add(a.stream()));
        return names;
    }

    private AssertionError failure(int round, String what, ServerProcess server, ServerProcess restarted) {
        Path kept = preserve(round);
        StringBuilder sb = new StringBuilder()
                .append("server crash round ")
                .append(round)
                .append(" of seed ")
                .append(seed)
                .append(" failed (data kept in ")
                .append(kept)
                .append("): ")
                .append(what)
                .append("\n--- output of the server that was killed ---\n")
                .append(server.output());
        if (restarted != null) {
            sb.append("\n--- output of the restarted server ---\n").append(restarted.output());
            try {
                restarted.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new AssertionError(sb.toString());
    }

    private Path preserve(int round) {
        Path target = Path.of(System.getProperty("basedir", "."))
                .resolve("target")
                .resolve("crash-failures")
                .resolve("server-seed-" + seed + "-round-" + round);
        try {
            copyTree(dataDir, target);
        } catch (IOException e) {
            return Path.of("(not kept: " + e + ")");
        }
        return target;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else if (!p.getFileName().toString().equals("LOCK")) {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
