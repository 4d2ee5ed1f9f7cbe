package io.factum.engine.crash;

import static io.factum.engine.crash.SyntheticStore.part;
import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.engine.crash.SyntheticStore.Spec;
import io.factum.engine.crash.WorkloadLine.Submitted;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The checker on synthetic histories: legal outcomes of a crash pass, and each kind of damage a
 * buggy recovery could do (lost ack, partial batch, duplicate, ...) fails with the right violation,
 * so the crash test can fail.
 */
class HistoryCheckerTest {

    @Test
    void acceptsEveryLegalOutcomeOfACrash() {
        SyntheticStore s = new SyntheticStore(1);
        s.storeAndAck(s.submit(part("a", 3)));
        s.store(s.submit(part("b", 2))); // stored, killed before the ack was printed
        s.submit(part("a", 4)); // submitted, killed before it was stored
        s.reject(s.submit(part("b", 1)));
        s.storeAndAck(s.submit(part("a", 2), part("c", 5)));

        HistoryChecker.Report report = s.check();

        assertThat(report.violations()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report)
                .extracting(
                        HistoryChecker.Report::events,
                        HistoryChecker.Report::ackedBatches,
                        HistoryChecker.Report::unackedPresent,
                        HistoryChecker.Report::unackedAbsent,
                        HistoryChecker.Report::rejectedBatches)
                .containsExactly(12L, 2L, 1L, 1L, 1L);
    }

    @Test
    void anEmptyStoreWithNothingAcknowledgedIsLegal() {
        SyntheticStore s = new SyntheticStore(2);
        s.submit(part("a", 1));
        assertThat(s.check().violations()).isEmpty();
    }

    @Test
    void aLostAckFails() {
        SyntheticStore s = new SyntheticStore(3);
        s.storeAndAck(s.submit(part("a", 2)));
        Submitted lost = s.submit(part("a", 3));
        s.storeAndAck(lost);
        // Recovery truncated the tail although it was acknowledged: the rest is dense and consistent.
        s.all.subList(2, 5).clear();

        assertThat(s.check().violations()).singleElement().asString().startsWith("lost ack: batch " + lost.batchId());
    }

    @Test
    void aPartialBatchFails() {
        SyntheticStore s = new SyntheticStore(4);
        s.storeAndAck(s.submit(part("a", 1)));
        Submitted torn = s.submit(part("a", 3));
        s.store(torn);
        s.all.removeLast(); // a torn frame half-kept

        assertThat(s.check().violations()).singleElement().asString().startsWith("partial batch " + torn.batchId());
    }

    @Test
    void aPartialMultiStreamBatchFails() {
        SyntheticStore s = new SyntheticStore(5);
        Submitted multi = s.submit(part("a", 2), part("b", 2));
        s.store(multi);
        s.all.subList(2, 4).clear(); // only the first stream's part survived

        assertThat(s.check().violations()).singleElement().asString().startsWith("partial batch " + multi.batchId());
    }

    @Test
    void aDuplicatedEventFails() {
        SyntheticStore s = new SyntheticStore(6);
        s.storeAndAck(s.submit(part("a", 2)));
        RecordedEvent first = s.all.getFirst();
        // Replayed on recovery: a second copy at the end, with a dense position and version.
        s.all.add(SyntheticStore.moved(first, "a", 2, 2));

        assertThat(s.check().violations())
                .singleElement()
                .asString()
                .startsWith("duplicate: event id " + first.eventId() + " stored at positions 0 and 2");
    }

    @Test
    void anEventNobodySubmittedFails() {
        SyntheticStore s = new SyntheticStore(7);
        s.storeAndAck(s.submit(part("a", 1)));
        s.all.add(SyntheticStore.recorded("ghost", 0, 0, UUID.randomUUID(), "a", 1, 1));

        assertThat(s.check().violations()).singleElement().asString().startsWith("never submitted");
    }

    @Test
    void aGapInAllFails() {
        SyntheticStore s = new SyntheticStore(8);
        s.storeAndAck(s.submit(part("a", 1)));
        s.store(s.submit(part("b", 1)));
        RecordedEvent last = s.all.removeLast();
        s.all.add(SyntheticStore.moved(last, "b", 0, 2));

        assertThat(s.check().violations()).anySatisfy(v -> assertThat(v).startsWith("$all: record 1 has position 2"));
    }

    @Test
    void aWrongHeadPositionFails() {
        SyntheticStore s = new SyntheticStore(9);
        s.storeAndAck(s.submit(part("a", 2)));
        StoreSnapshot snapshot = s.snapshot();
        StoreSnapshot stale = new StoreSnapshot(snapshot.all(), snapshot.streams(), 0);

        assertThat(HistoryChecker.check(s.history, stale).violations())
                .singleElement()
                .asString()
                .startsWith("headPosition() is 0");
    }

    @Test
    void anAckStoredElsewhereFails() {
        SyntheticStore s = new SyntheticStore(10);
        Submitted acked = s.submit(part("a", 2));
        s.storeAndAck(acked);
        Submitted other = s.submit(part("b", 1));
        s.store(other);
        // The other batch ended up before the acknowledged one.
        s.all.addFirst(s.all.removeLast());
        s.renumber();

        assertThat(s.check().violations()).singleElement().asString().startsWith("moved ack: batch " + acked.batchId());
    }

    @Test
    void readStreamDisagreeingWithAllFails() {
        SyntheticStore s = new SyntheticStore(11);
        s.storeAndAck(s.submit(part("a", 3)));
        StoreSnapshot good = s.snapshot();
        Map<String, List<RecordedEvent>> streams = new LinkedHashMap<>(good.streams());
        streams.put("a", good.streams().get("a").subList(0, 2)); // the index lost the last entry

        assertThat(HistoryChecker.check(s.history, new StoreSnapshot(good.all(), streams, good.headPosition()))
                        .violations())
                .singleElement()
                .asString()
                .startsWith("stream a: readStream returned 2 events, $all holds 3");
    }

    @Test
    void aQueryReadDisagreeingWithAllFails() {
        SyntheticStore s = new SyntheticStore(13);
        s.storeAndAck(s.submit(part("a", 40)));
        StoreSnapshot good = s.snapshot();
        Map<io.factum.api.Query, List<RecordedEvent>> queries = new LinkedHashMap<>(good.queries());
        io.factum.api.Query query = EventPayload.QUERIES.getFirst();
        List<RecordedEvent> matching = good.queries().get(query);
        assertThat(matching).as("40 events fill every bucket").hasSizeGreaterThan(1);
        queries.put(query, matching.subList(1, matching.size())); // the tag index lost an entry

        assertThat(HistoryChecker.check(
                                s.history, new StoreSnapshot(good.all(), good.streams(), good.headPosition(), queries))
                        .violations())
                .singleElement()
                .asString()
                .startsWith("query " + query + ": read " + (matching.size() - 1) + " events, $all holds "
                        + matching.size() + " matching; they differ at index 0");
    }

    @Test
    void aStreamThatReadStreamCannotFindFails() {
        SyntheticStore s = new SyntheticStore(12);
        s.storeAndAck(s.submit(part("a", 1)));
        StoreSnapshot good = s.snapshot();

        assertThat(HistoryChecker.check(s.history, new StoreSnapshot(good.all(), Map.of(), good.headPosition()))
                        .violations())
                .singleElement()
                .asString()
                .contains("not read with readStream");
    }

    @Test
    void aGapInStreamVersionsFails() {
        SyntheticStore s = new SyntheticStore(13);
        s.store(s.submit(part("a", 1)));
        s.store(s.submit(part("a", 1)));
        RecordedEvent last = s.all.removeLast();
        s.all.add(SyntheticStore.moved(last, "a", 2, 1));

        assertThat(s.check().violations())
                .anySatisfy(v -> assertThat(v).startsWith("stream a: event 1 in position order has version 2"));
    }

    @Test
    void aRejectedBatchThatIsStoredFails() {
        SyntheticStore s = new SyntheticStore(14);
        Submitted rejected = s.submit(part("a", 1));
        s.store(rejected);
        s.reject(rejected);

        assertThat(s.check().violations())
                .singleElement()
                .asString()
                .startsWith("rejected batch " + rejected.batchId());
    }

    @Test
    void damagedContentFails() {
        SyntheticStore s = new SyntheticStore(15);
        s.storeAndAck(s.submit(part("a", 2)));
        RecordedEvent e = s.all.get(1);
        byte[] data = e.data().clone();
        data[data.length / 2] ^= 0x20;
        s.all.set(
                1,
                new RecordedEvent(
                        e.stream(),
                        e.version(),
                        e.position(),
                        e.eventId(),
                        e.type(),
                        data,
                        e.metadata(),
                        e.contentType(),
                        e.created()));

        assertThat(s.check().violations()).singleElement().asString().startsWith("wrong content");
    }

    @Test
    void anInterleavedBatchFails() {
        SyntheticStore s = new SyntheticStore(16);
        Submitted pair = s.submit(part("a", 2));
        s.store(pair);
        s.store(s.submit(part("b", 1)));
        s.all.add(1, s.all.removeLast()); // b's event landed between a's two
        s.renumber();

        assertThat(s.check().violations()).singleElement().asString().startsWith("torn batch " + pair.batchId());
    }

    @Test
    void aBatchStoredAgainstItsExpectationFails() {
        SyntheticStore s = new SyntheticStore(17);
        s.store(s.submit(part("a", 2)));
        Submitted stale = s.submit(new Spec("a", ExpectedVersion.exactly(0), 1)); // needs version 0 to be last
        s.store(stale);
        Submitted fresh = s.submit(new Spec("b", ExpectedVersion.noStream(), 1));
        s.store(fresh);
        Submitted exists = s.submit(new Spec("c", ExpectedVersion.streamExists(), 1));
        s.store(exists);

        assertThat(s.check().violations())
                .containsExactly(
                        "batch " + stale.batchId() + " stored in a from version 2 although its expectation was 0",
                        "batch " + exists.batchId() + " stored in c from version 0 although its expectation was"
                                + " exists");
    }

    @Test
    void anEventInTheWrongStreamFails() {
        SyntheticStore s = new SyntheticStore(18);
        s.store(s.submit(part("a", 1)));
        RecordedEvent e = s.all.removeLast();
        s.all.add(SyntheticStore.moved(e, "b", 0, 0));

        assertThat(s.check().violations()).singleElement().asString().startsWith("wrong stream");
    }

    @Test
    void reportsAreCappedButCountEverything() {
        SyntheticStore s = new SyntheticStore(19);
        for (int i = 0; i < HistoryChecker.MAX_REPORTED + 10; i++) {
            s.all.add(SyntheticStore.recorded("ghost", 0, 0, UUID.randomUUID(), "g", i, i));
        }
        HistoryChecker.Report report = s.check();
        assertThat(report.violations()).hasSize(HistoryChecker.MAX_REPORTED);
        assertThat(report.violationCount()).isEqualTo(HistoryChecker.MAX_REPORTED + 10);
        assertThat(report.summary()).endsWith((HistoryChecker.MAX_REPORTED + 10) + " VIOLATIONS");
    }

    /** Random legal crash outcomes always pass. */
    @Property(tries = 200)
    void randomLegalHistoriesPass(@ForAll long seed) {
        SyntheticStore s = randomHistory(seed);
        assertThat(s.check().violations()).isEmpty();
    }

    /** Each kind of damage, applied to a random legal history, is always caught. */
    @Property(tries = 300)
    void randomDamageIsCaught(@ForAll long seed) {
        SyntheticStore s = randomHistory(seed);
        Random random = new Random(seed);
        String damage = damage(s, random);
        assertThat(s.check().ok()).as("damage '%s' must be caught", damage).isFalse();
    }

    /**
     * A random history: the first batch is acknowledged and has at least two events, so that every
     * kind of damage has something to damage; then batches stored and acked, stored only, submitted
     * only, or rejected.
     */
    private static SyntheticStore randomHistory(long seed) {
        SyntheticStore s = new SyntheticStore(seed);
        Random random = new Random(seed ^ 0x5DEECE66DL);
        s.storeAndAck(s.submit(part("s0", 2 + random.nextInt(5))));
        int batches = random.nextInt(30);
        for (int b = 0; b < batches; b++) {
            List<Spec> specs = new ArrayList<>();
            int parts = 1 + random.nextInt(3);
            for (int p = 0; p < parts; p++) {
                // Consecutive names modulo 5: the parts of one batch always name distinct streams.
                specs.add(part("s" + (b + p) % 5, 1 + random.nextInt(6)));
            }
            Submitted sub = s.submit(specs.toArray(Spec[]::new));
            switch (random.nextInt(4)) {
                case 0 -> s.storeAndAck(sub);
                case 1 -> s.store(sub);
                case 2 -> {}
                default -> s.reject(sub);
            }
        }
        return s;
    }

    /** Damages the store in one of five ways that a correct checker must always catch. */
    private static String damage(SyntheticStore s, Random random) {
        List<RecordedEvent> all = s.all;
        switch (random.nextInt(5)) {
            case 0 -> {
                // Drop one event of the first, acknowledged batch, keeping positions dense.
                all.remove(random.nextInt(2));
                s.renumber();
                return "lost acknowledged event";
            }
            case 1 -> {
                RecordedEvent e = all.get(random.nextInt(all.size()));
                long version =
                        all.stream().filter(x -> x.stream().equals(e.stream())).count();
                all.add(SyntheticStore.moved(e, e.stream(), version, all.size()));
                return "duplicate of " + e;
            }
            case 2 -> {
                all.add(SyntheticStore.recorded("ghost", 0, 0, UUID.randomUUID(), "s0", 1_000, all.size()));
                return "never submitted";
            }
            case 3 -> {
                RecordedEvent e = all.get(random.nextInt(all.size()));
                byte[] data = "{}".getBytes(StandardCharsets.UTF_8);
                all.set(
                        all.indexOf(e),
                        new RecordedEvent(
                                e.stream(),
                                e.version(),
                                e.position(),
                                e.eventId(),
                                e.type(),
                                data,
                                e.metadata(),
                                e.contentType(),
                                e.created()));
                return "content of " + e;
            }
            default -> {
                // Keep only the first event of the first batch: a torn, acknowledged frame.
                int firstBatchSize = s.history
                        .batches()
                        .iterator()
                        .next()
                        .submitted()
                        .allIds()
                        .size();
                all.subList(1, firstBatchSize).clear();
                s.renumber();
                return "partial first batch";
            }
        }
    }
}
