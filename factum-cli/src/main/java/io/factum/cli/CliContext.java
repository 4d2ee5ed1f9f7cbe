package io.factum.cli;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything a verb needs from outside: the store seam, the terminal, the shutdown hooks and the
 * environment ({@code FACTUM_URL}, {@code FACTUM_PASSWORD}). Immutable; shared by the commands of
 * one invocation.
 */
record CliContext(StoreOpener opener, CliIo io, ShutdownHooks shutdownHooks, Function<String, String> environment) {
    CliContext {
        Objects.requireNonNull(opener, "opener");
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(shutdownHooks, "shutdownHooks");
        Objects.requireNonNull(environment, "environment");
    }

    /** A context with an empty environment (tests), so that a developer's FACTUM_URL changes nothing. */
    CliContext(StoreOpener opener, CliIo io, ShutdownHooks shutdownHooks) {
        this(opener, io, shutdownHooks, name -> null);
    }

    /** The environment variable, when it is set and not blank. */
    Optional<String> env(String name) {
        return Optional.ofNullable(environment.apply(name)).filter(v -> !v.isBlank());
    }
}
