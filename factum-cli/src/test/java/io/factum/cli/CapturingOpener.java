package io.factum.cli;

import io.factum.api.EventStore;
import io.factum.engine.EngineStats;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The real engine, with the opened store handed to the test so that it can append while a verb
 * that follows (tail, read-query --follow) holds the data directory.
 */
final class CapturingOpener implements StoreOpener {
    private final StoreOpener real = new EmbeddedStoreOpener();
    final CountDownLatch opened = new CountDownLatch(1);
    volatile EventStore store;

    @Override
    public EventStore open(Path dir) throws IOException {
        store = real.open(dir);
        opened.countDown();
        return store;
    }

    @Override
    public EngineStats stats(Path dir) throws IOException {
        return real.stats(dir);
    }

    @Override
    public VerifyReport verify(Path dir) throws IOException {
        return real.verify(dir);
    }
}
