package io.factum.engine;

import io.factum.api.EventStore;
import io.factum.api.StoreLimits;
import io.factum.testkit.EventStoreModelProperties;
import io.factum.testkit.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Random operation sequences on the engine, compared with the reference model. */
class EmbeddedEventStoreModelProperties extends EventStoreModelProperties {
    @Override
    protected EventStore newStore(ManualClock clock, StoreLimits limits) {
        try {
            Path dir = Files.createTempDirectory("factum-prop");
            dir.toFile().deleteOnExit();
            return EmbeddedEventStore.open(EngineOptions.defaults(dir)
                    .withLimits(limits)
                    .withClock(clock)
                    .withSegmentSizeBytes(1 << 16)
                    .withIndexMemtableEntries(16));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
