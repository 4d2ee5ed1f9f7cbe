package io.factum.testkit.memory;

import io.factum.api.EventStore;
import io.factum.api.StoreLimits;
import io.factum.testkit.EventStoreContractTest;
import io.factum.testkit.ManualClock;

/** The reference backend passes the whole TCK. */
class InMemoryEventStoreTest extends EventStoreContractTest {
    @Override
    protected EventStore newStore(ManualClock clock, StoreLimits limits) {
        return new InMemoryEventStore(clock, limits);
    }
}
