package io.factum.testkit.memory;

import io.factum.api.EventStore;
import io.factum.api.StoreLimits;
import io.factum.testkit.EventStoreModelProperties;
import io.factum.testkit.ManualClock;

/** The reference backend answers like the model. */
class InMemoryEventStoreModelTest extends EventStoreModelProperties {
    @Override
    protected EventStore newStore(ManualClock clock, StoreLimits limits) {
        return new InMemoryEventStore(clock, limits);
    }
}
