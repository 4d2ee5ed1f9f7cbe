package io.factum.engine.crash;

import io.factum.api.RecordedEvent;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.engine.VerifyReport;
import io.factum.engine.fault.SimulatedDisk;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Power-loss rounds on a {@link SimulatedDisk}: open the store, check it, run a {@link
 * PowerLossWorkload} with the power cut at a random mutating file operation, close the dead store
 * (every IO it tries fails), and again, on the durable state the cut left. A fresh disk every
 * {@code roundsPerDisk} rounds bounds the data; the history of a disk spans its rounds, so a cut
 * during the recovery from the previous cut is checked too (one round in four cuts the power early,
 * during open or just after).
 *
 * <p>After each reopen the store must hold a legal outcome of the history ({@link HistoryChecker}:
 * every acknowledged append exactly once at its acknowledged position, batches all or nothing,
 * {@code readStream} and every query read agreeing with {@code $all}), the side streams' metadata
 * must be a legal prefix ({@link SideStreams}), and every acknowledged conditional append must have
 * had no matching event between its condition's position and itself. Every third round the store is
 * also closed cleanly and {@link EmbeddedEventStore#verify} must find nothing.
 *
 * <p>Everything random comes from the seed, which every failure message carries; the threads'
 * interleaving is not reproducible, so a seed replays the same cut points and workloads, not
 * necessarily the same outcome.
 */
final class PowerLossCampaign {
    private static final Path DATA_DIR = Path.of("/simulated/store");
    private static final int APPENDS_PER_WRITER = 24;
    /** Cut points are drawn from this many mutating operations: a round makes about as many. */
    private static final int OPS_PER_ROUND = 400;

    private final long seed;
    private final int rounds;
    private final int roundsPerDisk;
    private final Random random;

    private SimulatedDisk disk = new SimulatedDisk(DATA_DIR.getParent());
    private History history = new History();
    private SideStreams side = new SideStreams();
    private final List<PowerLossWorkload.ConditionalAck> conditionalAcks = new ArrayList<>();
    private long events;
    private long acked;

    PowerLossCampaign(long seed, int rounds, int roundsPerDisk) {
        this.seed = seed;
        this.rounds = rounds;
        this.roundsPerDisk = roundsPerDisk;
        this.random = new Random(seed);
    }

    /**
     * The options of every open: 64 KiB segments (rolls every few hundred events) and 64-entry index
     * memtables (index flushes and merges every round), so cuts land in those paths too.
     */
    static EngineOptions options(SimulatedDisk disk) {
        return EngineOptions.defaults(DATA_DIR)
                .withSegmentSizeBytes(64 << 10)
                .withIndexMemtableEntries(64)
                .withFileIo(disk.io());
    }

    void run() throws Exception {
        System.out.println("power-loss campaign: seed " + seed + ", " + rounds + " rounds");
        for (int round = 0; round < rounds; round++) {
            if (round % roundsPerDisk == 0) {
                disk = new SimulatedDisk(DATA_DIR.getParent());
                history = new History();
                side = new SideStreams();
                conditionalAcks.clear();
            }
            round(round);
            if (round % roundsPerDisk == roundsPerDisk - 1 || round == rounds - 1) {
                try (EmbeddedEventStore store = EmbeddedEventStore.open(options(disk))) {
                    check(round, store); // the disk's last cut
                }
            }
        }
        System.out.println("power-loss campaign: seed " + seed + " passed; " + events + " events and " + acked
                + " acknowledged batches checked over " + rounds + " rounds");
    }

    /**
     * One round. Usually the power is cut during the workload; one round in four it is cut early,
     * at one of the first 40 mutating operations, which mostly land in the open (recovery, index
     * replay, a new segment) or in the index work just after it, and the round ends there: the
     * next round's open recovers from that cut and checks the store.
     */
    private void round(int round) throws Exception {
        boolean early = random.nextInt(4) == 0;
        if (early) {
            disk.cutAt(1 + random.nextInt(40));
        }
        EmbeddedEventStore store;
        try {
            store = EmbeddedEventStore.open(options(disk));
        } catch (IOException | RuntimeException e) {
            if (!early || disk.cutPending()) {
                throw failure(round, "open failed with the power on", e);
            }
            return;
        }
        try {
            try {
                check(round, store);
                if (round % 3 == 2 && (!early || disk.cutPending())) {
                    store = verifyAndReopen(round, store);
                }
            } catch (IOException | RuntimeException e) {
                if (!early || disk.cutPending()) {
                    throw e;
                }
                return; // the early cut came while the store was being checked
            }
            if (!early) {
                disk.cutAt(1 + random.nextInt(OPS_PER_ROUND));
            }
            PowerLossWorkload workload = new PowerLossWorkload(store, history, side, disk::cutPending, "r" + round);
            StoreSnapshot before;
            try {
                before = StoreSnapshot.read(store, history.streams());
            } catch (RuntimeException e) {
                if (disk.cutPending()) {
                    throw e;
                }
                // The index's background flush or merge reached the cut point while the workload
                // was still learning the versions: the power went before any append was made.
                return;
            }
            workload.learnVersions(before);
            workload.run(random.nextLong(), APPENDS_PER_WRITER);
            conditionalAcks.addAll(workload.conditionalAcks());
            if (!workload.unexpected().isEmpty()) {
                throw failure(round, "appends failed with the power on: " + workload.unexpected(), null);
            }
        } finally {
            disk.cut(); // cuts now if the workload ended before the scheduled cut
            closeDead(store);
        }
    }

    /** Checks the reopened store against everything the disk's history says. */
    private void check(int round, EmbeddedEventStore store) {
        StoreSnapshot snapshot = StoreSnapshot.read(store, history.streams());
        HistoryChecker.Report report = HistoryChecker.check(history, snapshot);
        List<String> problems = new ArrayList<>(report.violations());
        problems.addAll(side.check(store, snapshot.all()));
        problems.addAll(conditionsHonoured(snapshot.all()));
        if (!problems.isEmpty()) {
            throw failure(round, report.summary() + "\n  " + String.join("\n  ", problems), null);
        }
        events += report.events();
        acked += report.ackedBatches();
    }

    /** No acknowledged conditional append may follow an event its condition forbade. */
    private List<String> conditionsHonoured(List<RecordedEvent> all) {
        List<String> problems = new ArrayList<>();
        for (PowerLossWorkload.ConditionalAck c : conditionalAcks) {
            for (long p = c.after() + 1; p < c.firstPosition() && p < all.size(); p++) {
                if (c.query().matches(all.get((int) p))) {
                    problems.add("conditional batch " + c.batchId() + " was acknowledged at " + c.firstPosition()
                            + " although " + all.get((int) p) + " matches its condition " + c.query()
                            + " after position " + c.after());
                    break;
                }
            }
        }
        return problems;
    }

    private EmbeddedEventStore verifyAndReopen(int round, EmbeddedEventStore store) throws IOException {
        store.close();
        VerifyReport report = EmbeddedEventStore.verify(DATA_DIR, disk.io());
        if (!report.ok()) {
            throw failure(round, "verify after a clean close found " + report.problems(), null);
        }
        return EmbeddedEventStore.open(options(disk));
    }

    /** Closes a store whose power was cut: every file operation it tries fails, which is the point. */
    private static void closeDead(EmbeddedEventStore store) {
        try {
            store.close();
        } catch (RuntimeException e) {
            // expected: the store cannot flush or persist anything any more
        }
    }

    private AssertionError failure(int round, String what, Throwable cause) {
        return new AssertionError(
                "power-loss round " + round + " (seed " + seed + ", -Dfactum.powerloss.seed=" + seed + "): " + what,
                cause);
    }

    static long seedFromProperty() {
        String value = System.getProperty("factum.powerloss.seed");
        return value == null ? System.nanoTime() : Long.parseLong(value);
    }
}
