package io.factum.cli;

import io.factum.api.EventFilter;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code factum tail}: a live subscription printed until Ctrl-C (or {@code --limit}), see {@link Following}. */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Prints new events of a stream, or of $all without STREAM, as they are committed, until Ctrl-C.",
            "The data directory stays open (locked) while tail runs, so in embedded mode other processes"
                    + " cannot write to it meanwhile; --from-start shows the stored events first.",
            ""
        })
final class TailCommand extends Verb {

    @Parameters(index = "0", arity = "0..1", paramLabel = "STREAM", description = "The stream (default: $all).")
    Optional<String> stream = Optional.empty();

    @Option(names = "--from-start", description = "Start with the first stored event instead of new ones only.")
    boolean fromStart;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after N events.")
    Optional<Long> limit = Optional.empty();

    @Mixin
    FilterOptions filters = new FilterOptions();

    @Override
    public Integer call() throws IOException, InterruptedException {
        long max = positiveLimit(limit.orElse(Long.MAX_VALUE));
        SubscribeFrom from = fromStart ? SubscribeFrom.start() : SubscribeFrom.end();
        var allOptions = SubscribeAllOptions.from(from).withFilter(filters.filter());
        if (stream.isPresent() && !(allOptions.filter() instanceof EventFilter.None)) {
            throw CliException.usage("filters apply to $all only: leave out STREAM, or the filter options");
        }
        Following.run(
                this,
                EventOutput.create(json(), io(), true),
                max,
                (store, printer) -> stream.isPresent()
                        ? store.subscribeToStream(stream.get(), from, printer)
                        : store.subscribeToAll(allOptions, printer));
        return ExitCodes.OK;
    }
}
