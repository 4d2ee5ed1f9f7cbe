package io.factum.archfixture.internal;

/** Fixture for ArchitectureTest: an internal class of the pretend module "archfixture". */
public final class Secret {
    public static int value() {
        return 42;
    }
}
