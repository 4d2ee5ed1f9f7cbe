package io.factum.archfixture2;

import io.factum.archfixture.internal.Secret;

/** Fixture for ArchitectureTest: another module that reaches into archfixture's internals. */
public final class Intruder {
    public static int steal() {
        return Secret.value();
    }
}
