package io.factum.cli;

import java.util.Objects;

/**
 * Everything a verb needs from outside: the store seam, the terminal and the shutdown hooks.
 * Immutable; shared by the commands of one invocation.
 */
record CliContext(StoreOpener opener, CliIo io, ShutdownHooks shutdownHooks) {
    CliContext {
        Objects.requireNonNull(opener, "opener");
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(shutdownHooks, "shutdownHooks");
    }
}
