package io.factum.engine;

import io.factum.api.EventStore;
import io.factum.api.StoreLimits;
import io.factum.testkit.EventStoreContractTest;
import io.factum.testkit.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The embedded engine against the TCK, with small segments so that reads cross segment files. */
class EmbeddedEventStoreContractTest extends EventStoreContractTest {
    @TempDir
    Path root;

    @Override
    protected EventStore newStore(ManualClock clock, StoreLimits limits) throws Exception {
        Path dir = Files.createTempDirectory(root, "store");
        return EmbeddedEventStore.open(EngineOptions.defaults(dir)
                .withLimits(limits)
                .withClock(clock)
                .withSegmentSizeBytes(1 << 20)
                .withIndexMemtableEntries(64));
    }
}
