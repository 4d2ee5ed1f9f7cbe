package io.factum.cli;

import io.factum.api.EventStore;
import io.factum.client.ClientOptions;
import io.factum.client.RemoteEventStore;
import io.factum.engine.EngineStats;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How the CLI reaches a store: the seam between the verbs and the embedded engine, so that tests can
 * substitute a store of their own. {@link EmbeddedStoreOpener} is the production implementation.
 *
 * <p>Implementations must be safe to call from one thread at a time; the CLI never calls them
 * concurrently.
 */
interface StoreOpener {

    /**
     * Opens (or creates) the store in {@code dataDir}; the caller closes it.
     *
     * @throws io.factum.engine.DataDirectoryLockedException when another process holds the directory
     */
    EventStore open(Path dataDir) throws IOException;

    /** Opens the store, takes a snapshot of its statistics and closes it again. */
    EngineStats stats(Path dataDir) throws IOException;

    /** Checks every file of the store in {@code dataDir} without opening anything for writing. */
    VerifyReport verify(Path dataDir) throws IOException;

    /**
     * Connects to a server; the caller closes the store (which closes the connection).
     *
     * @throws io.factum.api.StoreFailedException when the server cannot be reached
     */
    default EventStore connect(ClientOptions options) {
        return RemoteEventStore.connect(options);
    }
}
