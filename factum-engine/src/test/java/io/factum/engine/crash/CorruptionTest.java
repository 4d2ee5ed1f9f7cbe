package io.factum.engine.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ExpectedVersion;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.engine.crash.CorruptionCase.Outcome;
import io.factum.engine.crash.WorkloadLine.Part;
import io.factum.engine.crash.WorkloadLine.Submitted;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end corruption test of the embedded store: every file the engine wrote (found by listing
 * the data directory, not by name) is damaged in several ways, one case at a time on a fresh copy,
 * and the store must either refuse to open naming the file, or open with every acknowledged event
 * intact; never open with an event missing or wrong. See {@link CorruptionCase} for the verdicts.
 *
 * <p>The store is small but has every kind of file: segments of 64 KiB (the minimum) so that there
 * are several, an index memtable of 128 entries so that index files are flushed, and two sessions
 * so that whatever a clean close or a reopen writes is there too. The log and index helpers test
 * the same contract on their own formats; this is the end-to-end one.
 */
class CorruptionTest {
    private static final int STREAMS = 5;

    /** About 1,300 events of up to ~400 bytes: five to six segments of 64 KiB, and index files. */
    private static final int BATCHES_PER_SESSION = 80;

    @TempDir
    Path tmp;

    /** A row of the report table. */
    record Result(String file, long size, String damage, Outcome outcome, String detail) {}

    static EngineOptions options(Path dir) {
        return EngineOptions.defaults(dir).withSegmentSizeBytes(64 << 10).withIndexMemtableEntries(128);
    }

    @Test
    void everyDamagedFileIsRefusedByNameOrRecoveredNeverSilentlyWrong() throws Exception {
        long seed = seed();
        Random random = new Random(seed);
        Path pristine = tmp.resolve("pristine");
        History history = buildStore(pristine, random);
        List<Path> files = listFiles(pristine);
        System.out.printf("corruption test: seed=%d (replay with -Dfactum.corruption.seed=%d), files:%n", seed, seed);
        for (Path f : files) {
            System.out.printf("  %-50s %,10d bytes%n", pristine.relativize(f), Files.size(f));
        }
        assertThat(files).as("files the engine wrote").isNotEmpty();

        Result baseline = runCase(pristine, "", 0, List.of(), history, 0);
        assertThat(baseline.outcome())
                .as("the undamaged store: " + baseline.detail())
                .isEqualTo(Outcome.OPENED);

        List<Result> results = new ArrayList<>();
        int caseNo = 1;
        for (Path file : files) {
            for (Damage damage : Damage.forFile(Files.size(file), random)) {
                results.add(runCase(
                        pristine,
                        pristine.relativize(file).toString(),
                        Files.size(file),
                        List.of(damage),
                        history,
                        caseNo++));
            }
        }
        String table = table(results);
        System.out.println(table);
        assertThat(results.stream().filter(r -> !r.outcome().allowed).toList())
                .as("cases with a forbidden outcome (seed %d):%n%s", seed, table)
                .isEmpty();
    }

    /** Copies the store, applies the damages to the file at {@code relative}, judges, cleans up. */
    private Result runCase(Path pristine, String relative, long size, List<Damage> damages, History history, int n)
            throws IOException {
        Path copy = tmp.resolve("case-" + n);
        CrashCampaign.copyTree(pristine, copy);
        try {
            Path target = copy.resolve(relative);
            for (Damage d : damages) {
                d.apply(target);
            }
            CorruptionCase.Verdict verdict = CorruptionCase.judge(copy, target, CorruptionTest::options, history);
            String what = damages.stream().map(Damage::describe).findFirst().orElse("none");
            return new Result(relative, size, what, verdict.outcome(), verdict.detail());
        } finally {
            deleteTree(copy);
        }
    }

    /**
     * Two sessions of appends: single events, batches and multi-stream appends over a few streams,
     * all acknowledged, with exact and {@code any} expectations. Returns the history of acks.
     */
    private static History buildStore(Path dir, Random random) throws IOException {
        History history = new History();
        int batch = 0;
        for (int session = 0; session < 2; session++) {
            long[] versions = new long[STREAMS];
            try (EmbeddedEventStore store = EmbeddedEventStore.open(options(dir))) {
                for (int s = 0; s < STREAMS; s++) {
                    versions[s] = lastVersion(history, "c-" + s);
                }
                for (int i = 0; i < BATCHES_PER_SESSION; i++, batch++) {
                    Submitted submitted = randomBatch("k" + batch, random, versions);
                    history.accept(submitted);
                    WorkloadLine.Acked acked = EventPayload.append(store, submitted);
                    history.accept(acked);
                    acked.results()
                            .forEach(r -> versions[Integer.parseInt(r.stream().substring(2))] = r.lastVersion());
                }
            }
        }
        return history;
    }

    private static Submitted randomBatch(String batchId, Random random, long[] versions) {
        int parts = random.nextInt(4) == 0 ? 2 : 1;
        int first = random.nextInt(STREAMS);
        List<Part> list = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            int s = (first + p) % STREAMS;
            List<UUID> ids = new ArrayList<>();
            for (int i = 1 + random.nextInt(12); i > 0; i--) {
                ids.add(new UUID(random.nextLong(), random.nextLong()));
            }
            ExpectedVersion expected = random.nextBoolean()
                    ? ExpectedVersion.any()
                    : versions[s] < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(versions[s]);
            list.add(new Part("c-" + s, expected, ids));
        }
        return new Submitted(batchId, list);
    }

    private static long lastVersion(History history, String stream) {
        return history.batches().stream()
                .flatMap(b -> b.ack().stream())
                .flatMap(a -> a.results().stream())
                .filter(r -> r.stream().equals(stream))
                .mapToLong(WorkloadLine.PartResult::lastVersion)
                .max()
                .orElse(ExpectedVersion.NO_STREAM_VERSION);
    }

    private static List<Path> listFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder(
                String.format("%-40s %10s %-18s %-28s %s%n", "file", "size", "damage", "outcome", "detail"));
        for (Result r : results) {
            String detail = r.detail().length() > 160 ? r.detail().substring(0, 157) + "..." : r.detail();
            sb.append(String.format(
                    "%-40s %10d %-18s %-28s %s%n",
                    r.file(), r.size(), r.damage(), (r.outcome().allowed ? "" : "FAIL ") + r.outcome(), detail));
        }
        List<Result> failed = results.stream().filter(r -> !r.outcome().allowed).toList();
        sb.append(results.size()).append(" cases, ").append(failed.size()).append(" forbidden outcomes");
        for (Result r : failed) {
            sb.append(String.format("%n  %s %s -> %s: %s", r.file(), r.damage(), r.outcome(), r.detail()));
        }
        return sb.toString();
    }

    private static long seed() {
        String s = System.getProperty("factum.corruption.seed");
        return s == null || s.isBlank() ? System.nanoTime() : Long.parseLong(s);
    }
}
