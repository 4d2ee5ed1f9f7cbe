package io.factum.framework;

import io.factum.api.EventStore;
import java.io.IOException;
import java.nio.file.Path;

/** Opens the store an {@link OnEachStore} test's cases run on; a nested case class picks one. */
interface StoreOpener {
    EventStore open(Path dir) throws IOException;

    /** The cases on the in-memory reference store. */
    interface InMemory extends StoreOpener {
        @Override
        default EventStore open(Path dir) {
            return OnEachStore.inMemory();
        }
    }

    /** The cases on the embedded engine, in {@code dir}. */
    interface Embedded extends StoreOpener {
        @Override
        default EventStore open(Path dir) throws IOException {
            return OnEachStore.embedded(dir);
        }
    }
}
