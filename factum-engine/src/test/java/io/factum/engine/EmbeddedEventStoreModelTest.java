package io.factum.engine;

import io.factum.api.EventStore;
import io.factum.api.StoreLimits;
import io.factum.testkit.EventStoreModelProperties;
import io.factum.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Random operation sequences on the engine, compared with the reference model. Small segments and
 * a tiny memtable so that sequences cross segment files and index files.
 */
class EmbeddedEventStoreModelTest extends EventStoreModelProperties {
    /** jqwik has no @TempDir: the stores' directories are removed once the container is done. */
    private static final List<Path> DIRS = new ArrayList<>();

    @Override
    protected EventStore newStore(ManualClock clock, StoreLimits limits) throws IOException {
        Path dir = Files.createTempDirectory("factum-model-");
        synchronized (DIRS) {
            DIRS.add(dir);
        }
        return EmbeddedEventStore.open(EngineOptions.defaults(dir)
                .withLimits(limits)
                .withClock(clock)
                .withSegmentSizeBytes(1 << 16)
                .withIndexMemtableEntries(16));
    }

    @AfterContainer
    static void deleteDirectories() throws IOException {
        synchronized (DIRS) {
            for (Path dir : DIRS) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            DIRS.clear();
        }
    }
}
