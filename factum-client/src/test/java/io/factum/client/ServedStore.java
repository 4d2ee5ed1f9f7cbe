package io.factum.client;

import io.factum.api.StoreLimits;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.server.FactumServer;
import io.factum.server.ServerLimits;
import io.factum.server.ServerOptions;
import io.factum.server.security.ServerSecurity;
import io.factum.testkit.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An in-process Factum server over an embedded store in a temporary directory, and a {@link
 * RemoteEventStore} connected to it. The tests hand the remote store to the TCK, which closes it;
 * the server, the engine and the directory are closed by {@link #closeAll} (the next store, or the
 * end of the test class), so the client always closes first, as a real client would.
 */
final class ServedStore {

    private static final List<ServedStore> OPEN = new ArrayList<>();

    final EmbeddedEventStore engine;
    final FactumServer server;
    final Path dir;

    private ServedStore(EmbeddedEventStore engine, FactumServer server, Path dir) {
        this.engine = engine;
        this.server = server;
        this.dir = dir;
    }

    /** Starts a server with this clock and these limits. */
    static ServedStore start(ManualClock clock, StoreLimits limits, ServerSecurity security) throws IOException {
        Path dir = Files.createTempDirectory("factum-client-");
        EmbeddedEventStore engine = EmbeddedEventStore.open(EngineOptions.defaults(dir)
                .withLimits(limits)
                .withClock(clock)
                .withSegmentSizeBytes(1 << 20)
                .withIndexMemtableEntries(64));
        FactumServer server;
        try {
            server = FactumServer.start(
                    engine, new ServerOptions("127.0.0.1", 0, ServerLimits.defaults(), security, clock));
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
        ServedStore served = new ServedStore(engine, server, dir);
        synchronized (OPEN) {
            OPEN.add(served);
        }
        return served;
    }

    static ServedStore start(ManualClock clock, StoreLimits limits) throws IOException {
        return start(clock, limits, ServerSecurity.disabled());
    }

    ClientOptions clientOptions() {
        return ClientOptions.plaintext("127.0.0.1", server.port());
    }

    RemoteEventStore connect() {
        return RemoteEventStore.connect(clientOptions());
    }

    /** Stops every server started so far, closes its engine and deletes its directory. */
    static void closeAll() throws IOException {
        List<ServedStore> open;
        synchronized (OPEN) {
            open = List.copyOf(OPEN);
            OPEN.clear();
        }
        for (ServedStore served : open) {
            served.server.close();
            served.engine.close();
            try (Stream<Path> files = Files.walk(served.dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
