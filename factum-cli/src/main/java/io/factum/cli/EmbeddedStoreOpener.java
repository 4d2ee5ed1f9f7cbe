package io.factum.cli;

import io.factum.api.EventStore;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.engine.EngineStats;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.nio.file.Path;

/** Opens the embedded engine with its default options (fsync on every acknowledged append). */
final class EmbeddedStoreOpener implements StoreOpener {

    @Override
    public EventStore open(Path dataDir) throws IOException {
        return EmbeddedEventStore.open(EngineOptions.defaults(dataDir));
    }

    @Override
    public EngineStats stats(Path dataDir) throws IOException {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(EngineOptions.defaults(dataDir))) {
            return store.stats();
        }
    }

    @Override
    public VerifyReport verify(Path dataDir) throws IOException {
        return EmbeddedEventStore.verify(dataDir);
    }
}
