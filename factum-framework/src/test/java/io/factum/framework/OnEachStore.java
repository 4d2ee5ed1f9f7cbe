package io.factum.framework;

import io.factum.api.EventStore;
import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.testkit.memory.InMemoryEventStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cases that run on each store the framework is tested on: a test class declares its cases in a
 * subclass, and one nested subclass of those per store names the store by the interface it
 * implements ({@link StoreOpener.InMemory}, {@link StoreOpener.Embedded}).
 */
abstract class OnEachStore implements StoreOpener {
    @TempDir
    Path dir;

    EventStore store;

    /** The waits a handler made, recorded instead of slept. */
    final List<Duration> pauses = new ArrayList<>();

    @BeforeEach
    void openStore() throws IOException {
        store = open(dir);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static EventStore inMemory() {
        return new InMemoryEventStore();
    }

    static EventStore embedded(Path dir) throws IOException {
        return EmbeddedEventStore.open(EngineOptions.defaults(dir).withDurability(Durability.NO_FSYNC));
    }
}
