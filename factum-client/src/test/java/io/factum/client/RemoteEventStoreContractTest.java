package io.factum.client;

import io.factum.api.EventStore;
import io.factum.api.StoreLimits;
import io.factum.testkit.EventStoreContractTest;
import io.factum.testkit.ManualClock;
import org.junit.jupiter.api.AfterAll;

/**
 * The remote client against the TCK: every test talks over gRPC to a real Factum server (in this
 * JVM, on a loopback port) over the embedded engine with the test's clock and limits.
 */
class RemoteEventStoreContractTest extends EventStoreContractTest {

    @Override
    protected EventStore newStore(ManualClock clock, StoreLimits limits) throws Exception {
        ServedStore.closeAll(); // the previous test's server; its client is closed by now
        return ServedStore.start(clock, limits).connect();
    }

    @AfterAll
    static void stopServers() throws Exception {
        ServedStore.closeAll();
    }
}
