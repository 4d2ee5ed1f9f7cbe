package io.factum.cli;

import io.factum.api.EventStore;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;

/** Tests of the CLI run in-process on one embedded data directory, and that directory opened directly. */
abstract class EmbeddedCliCase {
    @TempDir
    Path dataDir;

    private final CliHarness cli = new CliHarness(new EmbeddedStoreOpener());

    /** Runs {@code factum ARGS --data DIR}. */
    CliHarness.Run factum(String... args) {
        String[] withData = Arrays.copyOf(args, args.length + 2);
        withData[args.length] = "--data";
        withData[args.length + 1] = dataDir.toString();
        return cli.run(withData);
    }

    /** Opens the data directory (while no command holds it), for set-up and checks. */
    void withStore(Consumer<EventStore> work) throws IOException {
        try (EventStore store = EmbeddedEventStore.open(EngineOptions.defaults(dataDir))) {
            work.accept(store);
        }
    }
}
