package io.factum.engine.crash;

import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.engine.CorruptStoreException;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * One corruption case: a fresh copy of a sound store with one file damaged one way, opened, and
 * judged against the contract:
 *
 * <ul>
 *   <li>(a) {@link Outcome#REFUSED}: open fails with an {@link IOException} (normally {@link
 *       CorruptStoreException}) that names the damaged file, and {@code verify} reports a problem in
 *       that file or naming it (or fails naming it);
 *   <li>(b) {@link Outcome#OPENED}: open succeeds, every acknowledged event reads back correctly
 *       ({@link HistoryChecker}), and the store takes a new append right after its head;
 *   <li>anything else is a failure, above all (c) {@link Outcome#DATA_WRONG}: the store opened and
 *       an acknowledged event is missing or wrong.
 * </ul>
 *
 * <p>Stateless; each call works on its own copy.
 */
final class CorruptionCase {

    enum Outcome {
        REFUSED(true),
        OPENED(true),
        REFUSED_WITHOUT_NAMING_FILE(false),
        VERIFY_MISSED_FILE(false),
        VERIFY_CRASHED(false),
        DATA_WRONG(false),
        UNUSABLE_AFTER_OPEN(false),
        UNEXPECTED_EXCEPTION(false);

        final boolean allowed;

        Outcome(boolean allowed) {
            this.allowed = allowed;
        }
    }

    /** The verdict of one case: the outcome and what led to it. */
    record Verdict(Outcome outcome, String detail) {}

    private CorruptionCase() {}

    /**
     * Judges an already damaged store copy.
     *
     * @param storeDir the damaged copy
     * @param damaged the damaged file inside it
     * @param options how to open a store in a directory (the options the store was built with)
     * @param history every acknowledged append of the sound store
     */
    static Verdict judge(Path storeDir, Path damaged, Function<Path, EngineOptions> options, History history) {
        Verified verified = verify(storeDir);
        Verdict verdict = judgeOpen(storeDir, damaged, options, history, verified);
        if (verified instanceof Verified.Crashed && verdict.outcome().allowed) {
            return new Verdict(Outcome.VERIFY_CRASHED, verdict.detail() + " | verify: " + verified.describe());
        }
        return verdict;
    }

    private static Verdict judgeOpen(
            Path storeDir, Path damaged, Function<Path, EngineOptions> options, History history, Verified verified) {
        EmbeddedEventStore store;
        try {
            store = EmbeddedEventStore.open(options.apply(storeDir));
        } catch (IOException e) {
            if (!FileNaming.names(e, storeDir, damaged)) {
                return new Verdict(Outcome.REFUSED_WITHOUT_NAMING_FILE, e.toString());
            }
            if (!verified.names(storeDir, damaged)) {
                return new Verdict(Outcome.VERIFY_MISSED_FILE, e + " | verify: " + verified.describe());
            }
            return new Verdict(Outcome.REFUSED, e.toString());
        } catch (RuntimeException | Error e) {
            // An Error too: a damaged length field must not make the engine allocate gigabytes.
            return new Verdict(Outcome.UNEXPECTED_EXCEPTION, "open threw " + e);
        }
        try (store) {
            return judgeOpened(store, history, verified);
        } catch (RuntimeException | Error e) {
            return new Verdict(Outcome.UNEXPECTED_EXCEPTION, "the opened store threw " + e);
        }
    }

    private static Verdict judgeOpened(EmbeddedEventStore store, History history, Verified verified) {
        StoreSnapshot snapshot = StoreSnapshot.read(store, history.streams());
        HistoryChecker.Report report = HistoryChecker.check(history, snapshot);
        if (!report.ok()) {
            return new Verdict(
                    Outcome.DATA_WRONG,
                    report.violationCount() + " violations, first: "
                            + report.violations().getFirst());
        }
        // A repaired store must also write at the right place: right after the surviving head.
        String stream = "after-repair";
        AppendResult r = store.append(stream, ExpectedVersion.noStream(), List.of(EventData.json("Probe", "{}")));
        ReadStreamResult back = store.readStream(stream, 0, Direction.FORWARDS, 10);
        if (r.position() != snapshot.headPosition() + 1
                || r.streamVersion() != 0
                || back.events().size() != 1) {
            return new Verdict(
                    Outcome.UNUSABLE_AFTER_OPEN,
                    "append after open went to position " + r.position() + " (head was " + snapshot.headPosition()
                            + "), read back " + back.events().size());
        }
        return new Verdict(Outcome.OPENED, "verify before open: " + verified.describe());
    }

    /** What {@code verify} said about the damaged copy, before anything opened it. */
    private sealed interface Verified {
        record Reported(VerifyReport report) implements Verified {}

        /** An {@link IOException}: verify could not read something, and says what. */
        record Refused(IOException error) implements Verified {}

        /** Any other exception: verify itself broke on the damage, a bug in verify. */
        record Crashed(RuntimeException error) implements Verified {}

        default boolean names(Path storeDir, Path damaged) {
            return switch (this) {
                case Reported r ->
                    r.report().problems().stream()
                            .anyMatch(p -> FileNaming.sameFile(storeDir, p.file(), damaged)
                                    || FileNaming.mentionsFile(p.description(), storeDir, damaged));
                case Refused r -> FileNaming.names(r.error(), storeDir, damaged);
                case Crashed c -> false;
            };
        }

        default String describe() {
            return switch (this) {
                case Reported r ->
                    r.report().ok()
                            ? "ok"
                            : r.report().problems().size() + " problem(s), first "
                                    + r.report().problems().getFirst();
                case Refused r -> "threw " + r.error();
                case Crashed c -> "CRASHED with " + c.error();
            };
        }
    }

    private static Verified verify(Path storeDir) {
        try {
            return new Verified.Reported(EmbeddedEventStore.verify(storeDir));
        } catch (IOException e) {
            return new Verified.Refused(e);
        } catch (RuntimeException e) {
            return new Verified.Crashed(e);
        }
    }
}
