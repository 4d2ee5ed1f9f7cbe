package io.factum.cli;

import io.factum.api.Direction;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code factum read-all}: pages through {@code $all}, filtered on the store's side. */
@Command(
        name = "read-all",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Reads the global log ($all) in commit order: every stored record, including stream metadata"
                    + " events and tombstones unless filtered out.",
            ""
        })
final class ReadAllCommand extends Verb {

    @Option(
            names = "--from",
            paramLabel = "POSITION",
            description = "The first position to examine (default: the start; backwards: the newest event).")
    Optional<Long> from = Optional.empty();

    @Option(names = "--backwards", description = "Newest first.")
    boolean backwards;

    @Option(names = "--limit", paramLabel = "N", description = "Show at most N events (default: all).")
    Optional<Long> limit = Optional.empty();

    @Mixin
    FilterOptions filters = new FilterOptions();

    @Override
    public Integer call() throws IOException {
        long remaining = positiveLimit(limit.orElse(Long.MAX_VALUE));
        long position = from.orElse(backwards ? ReadAllOptions.END : 0L);
        if (position < 0) {
            throw CliException.usage("invalid --from " + position + ": must be >= 0");
        }
        EventFilter filter = filters.filter();
        Direction direction = backwards ? Direction.BACKWARDS : Direction.FORWARDS;
        EventOutput output = EventOutput.create(json(), io(), false);
        try (EventStore store = openExisting()) {
            int pageSize = store.limits().maxReadCount();
            boolean more = true;
            while (more && remaining > 0) {
                int count = (int) Math.min(pageSize, remaining);
                ReadAllResult result = store.readAll(new ReadAllOptions(position, direction, count, filter));
                result.events().forEach(output::event);
                remaining -= result.events().size();
                long next = result.nextPosition();
                // Stop at the end, and also if the store made no progress, rather than loop for ever.
                boolean progressed = backwards ? next < position : next > position;
                more = !result.endOfAll() && next >= 0 && progressed;
                position = next;
            }
            output.finish();
            if (more && !json()) {
                io().err().println("factum: more events follow; continue with --from " + position);
            }
        }
        return ExitCodes.OK;
    }
}
