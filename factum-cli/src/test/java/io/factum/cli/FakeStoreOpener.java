package io.factum.cli;

import io.factum.api.EventStore;
import io.factum.engine.EngineStats;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link StoreOpener} over one {@link FakeEventStore}, which keeps its contents between
 * invocations like a data directory. Records the directories the CLI asked for; can be told to fail
 * the next open (to test error reporting) and what verify and stats answer.
 */
final class FakeStoreOpener implements StoreOpener {
    final FakeEventStore store;
    final List<Path> opened = new ArrayList<>();
    final List<Path> verified = new ArrayList<>();
    Optional<IOException> openFailure = Optional.empty();
    Optional<RuntimeException> openBug = Optional.empty();
    Optional<VerifyReport> verifyReport = Optional.empty();
    Optional<EngineStats> stats = Optional.empty();

    FakeStoreOpener(FakeEventStore store) {
        this.store = store;
    }

    @Override
    public EventStore open(Path dataDir) throws IOException {
        opened.add(dataDir);
        if (openFailure.isPresent()) {
            throw openFailure.get();
        }
        if (openBug.isPresent()) {
            throw openBug.get();
        }
        store.reopen();
        return store;
    }

    @Override
    public EngineStats stats(Path dataDir) throws IOException {
        opened.add(dataDir);
        if (openFailure.isPresent()) {
            throw openFailure.get();
        }
        return stats.orElseThrow(() -> new AssertionError("the test did not set stats"));
    }

    @Override
    public VerifyReport verify(Path dataDir) {
        verified.add(dataDir);
        return verifyReport.orElseThrow(() -> new AssertionError("the test did not set a verify report"));
    }
}
