/**
 * The Factum TCK: {@link io.factum.testkit.EventStoreContractTest}, the contract suite every {@link
 * io.factum.api.EventStore} backend passes by subclassing it; {@link
 * io.factum.testkit.EventStoreModelProperties}, a property test comparing a backend with the small
 * reference model {@link io.factum.testkit.StoreModel}; and fixtures such as {@link
 * io.factum.testkit.ManualClock}.
 */
@NullMarked
package io.factum.testkit;

import org.jspecify.annotations.NullMarked;
