package io.factum.archfixture3;

import io.factum.engine.EmbeddedEventStore;

/** A pretend framework class that reaches past the contract to the engine: the rule must catch it. */
public final class OnTheEngine {
    private OnTheEngine() {}

    public static String name() {
        return EmbeddedEventStore.class.getName();
    }
}
