package io.factum.engine.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Rounds of "start the workload child on the data directory, kill it with SIGKILL at a random
 * moment, reopen the store here and check it against everything the children reported so far".
 * The store accumulates across the rounds of one store, so every round also recovers from the
 * earlier crashes; a campaign longer than {@code roundsPerStore} starts a fresh store then, which
 * bounds the data (and the checker's memory) of the long variant.
 *
 * <p>One round in ten kills the child before it reports the store open (0 to 400 ms after the JVM
 * starts): the kill then lands in JVM start-up or in the store's own recovery. The others kill it
 * 50 to 1,500 ms after it reports the store open, while its writers append.
 *
 * <p>After the check, every {@link #VERIFY_EVERY}th round and the last round of each store also
 * assert that {@code verify} finds nothing wrong in the recovered, cleanly closed store (verify
 * reads every byte, so doing it every round would double the run time).
 *
 * <p>All choices (kill delays, the child's seeds) come from one seeded {@link Random}; the seed is
 * printed. Thread scheduling in the child is not deterministic, so a seed reproduces the kill plan,
 * not the exact history. On failure the data directory, the children's protocol files and stderr
 * and the violations are copied to {@code target/crash-failures/seed-S-round-R/}.
 *
 * <p>Not thread-safe: one campaign per test method.
 */
final class CrashCampaign {
    static final int VERIFY_EVERY = 5;
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(60);
    private static final int WRITERS = 8;

    private final Path workDir;
    private final long seed;
    private final int rounds;
    private final int roundsPerStore;
    private final Random random;
    private Path dataDir;
    private History history = new History();

    CrashCampaign(Path workDir, long seed, int rounds, int roundsPerStore) {
        this.workDir = workDir;
        this.seed = seed;
        this.rounds = rounds;
        this.roundsPerStore = roundsPerStore;
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

    void run() throws Exception {
        System.out.printf(
                "crash campaign: seed=%d rounds=%d (fresh store every %d) writers=%d dir=%s"
                        + " (replay the plan with -Dfactum.crash.seed=%d)%n",
                seed, rounds, roundsPerStore, WRITERS, workDir, seed);
        long acked = 0;
        for (int round = 0; round < rounds; round++) {
            if (round > 0 && round % roundsPerStore == 0) {
                acked += countAcks();
                dataDir = workDir.resolve("store-" + round / roundsPerStore);
                history = new History();
            }
            try {
                round(round);
            } catch (Throwable t) {
                Path kept = preserve(round, t);
                throw new AssertionError(
                        "crash round " + round + " of seed " + seed + " failed; data kept in " + kept + ": " + t, t);
            }
        }
        acked += countAcks();
        // Guards against a campaign that passes because nothing was written (a stuck workload).
        assertThat(acked).as("acknowledged batches over all rounds").isPositive();
        System.out.printf("crash campaign passed: seed=%d, %d rounds, %d batches acknowledged%n", seed, rounds, acked);
    }

    private void round(int round) throws Exception {
        String tag = "r" + round;
        long childSeed = random.nextLong();
        boolean early = random.nextInt(10) == 0;
        long delayMs = early ? random.nextInt(400) : 50 + random.nextInt(1451);
        WorkloadProcess.Result result = runAndKill(tag, childSeed, early, delayMs);
        long acksBefore = countAcks();
        for (String line : result.lines()) {
            WorkloadLine.parse(line).ifPresent(history::accept);
        }
        assertThat(history.unexpected())
                .as("appends that failed unexpectedly in the child")
                .isEmpty();
        long started = System.nanoTime();
        HistoryChecker.Report report = reopenAndCheck();
        System.out.printf(
                "round %d/%d: %s kill after %d ms, +%d acked batches, torn protocol bytes %d; store: %s (%d ms)%n",
                round + 1,
                rounds,
                early ? "early" : "mid-write",
                delayMs,
                countAcks() - acksBefore,
                result.tornBytes(),
                report.summary(),
                (System.nanoTime() - started) / 1_000_000);
        assertThat(report.violations()).as(report.summary()).isEmpty();
        boolean lastOfStore = (round + 1) % roundsPerStore == 0 || round + 1 == rounds;
        if ((round + 1) % VERIFY_EVERY == 0 || lastOfStore) {
            VerifyReport verify = EmbeddedEventStore.verify(dataDir);
            assertThat(verify.problems())
                    .as("verify after recovery and a clean close")
                    .isEmpty();
        }
    }

    /** Starts the child, waits as planned, kills it with SIGKILL and collects its protocol. */
    private WorkloadProcess.Result runAndKill(String tag, long childSeed, boolean early, long delayMs)
            throws Exception {
        Path protocol = workDir.resolve("child-" + tag + ".protocol");
        Path stderr = workDir.resolve("child-" + tag + ".stderr");
        WorkloadProcess.Result result;
        try (WorkloadProcess child = WorkloadProcess.start(dataDir, tag, childSeed, WRITERS, protocol, stderr)) {
            if (!early && !child.awaitRunning(OPEN_TIMEOUT)) {
                throw new AssertionError("child exited before opening the store; its stderr:\n" + child.stderr());
            }
            // The random delay is the point of the test (where the kill lands), not a synchronisation.
            Thread.sleep(delayMs);
            if (!child.isAlive()) {
                throw new AssertionError("child exited by itself before the kill; its stderr:\n" + child.stderr());
            }
            result = child.killAndCollect();
        }
        assertThat(result.exitStatus())
                .as("exit status of a child killed with SIGKILL (128 + 9)")
                .isEqualTo(WorkloadProcess.SIGKILL_EXIT_STATUS);
        return result;
    }

    /** Reopens the store (recovery), reads everything, closes it, and checks what was read. */
    private HistoryChecker.Report reopenAndCheck() throws IOException {
        StoreSnapshot snapshot;
        try (EmbeddedEventStore store = EmbeddedEventStore.open(CrashWorkload.options(dataDir))) {
            snapshot = StoreSnapshot.read(store, history.streams());
        }
        return HistoryChecker.check(history, snapshot);
    }

    private long countAcks() {
        return history.batches().stream().filter(History.Batch::acked).count();
    }

    /** Copies what is needed to investigate a failure under target/crash-failures/. */
    private Path preserve(int round, Throwable failure) {
        Path target = Path.of(System.getProperty("basedir", "."))
                .resolve("target")
                .resolve("crash-failures")
                .resolve("seed-" + seed + "-round-" + round);
        try {
            copyTree(workDir, target);
            Files.writeString(
                    target.resolve("failure.txt"),
                    "seed " + seed + ", round " + round + ", store " + dataDir.getFileName() + "\n"
                            + stackTrace(failure));
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        System.out.println("crash campaign FAILED at round " + round + " of seed " + seed + "; kept " + target);
        return target;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String stackTrace(Throwable t) {
        var out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
