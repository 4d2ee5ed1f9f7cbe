package io.factum.client;

import io.factum.api.EventStore;
import io.factum.api.StoreLimits;
import io.factum.testkit.EventStoreModelProperties;
import io.factum.testkit.ManualClock;
import net.jqwik.api.lifecycle.AfterContainer;

/** Random operation sequences through the remote client, compared with the reference model. */
class RemoteEventStoreModelTest extends EventStoreModelProperties {

    @Override
    protected EventStore newStore(ManualClock clock, StoreLimits limits) throws Exception {
        ServedStore.closeAll();
        return ServedStore.start(clock, limits).connect();
    }

    @AfterContainer
    static void stopServers() throws Exception {
        ServedStore.closeAll();
    }
}
