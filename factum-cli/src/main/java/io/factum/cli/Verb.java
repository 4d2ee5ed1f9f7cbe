package io.factum.cli;

import io.factum.api.EventStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/**
 * What every verb shares: the parent's options and context, and opening the store. A verb that only
 * reads refuses a data directory that does not exist rather than creating an empty store as a side
 * effect of a typo.
 */
abstract class Verb implements Callable<Integer> {

    @ParentCommand
    @SuppressWarnings("NullAway.Init")
    RootCommand root;

    final CliIo io() {
        return root.context().io();
    }

    final StoreOpener opener() {
        return root.context().opener();
    }

    final Path dataDir() {
        return root.dataDir;
    }

    final boolean json() {
        return root.json;
    }

    /** Opens the store for a verb that writes; creates the directory when it is missing. */
    final EventStore openOrCreate() throws IOException {
        return opener().open(dataDir());
    }

    /** Opens the store for a verb that reads; the directory must exist. */
    final EventStore openExisting() throws IOException {
        requireExistingDataDir();
        return opener().open(dataDir());
    }

    final void requireExistingDataDir() {
        if (!Files.isDirectory(dataDir())) {
            throw CliException.failed("data directory " + dataDir()
                    + " does not exist (append an event to create it, or choose another with --data DIR)");
        }
    }

    /** Checks a {@code --limit} value. */
    static long positiveLimit(long limit) {
        if (limit < 1) {
            throw CliException.usage("invalid --limit " + limit + ": must be >= 1");
        }
        return limit;
    }
}
