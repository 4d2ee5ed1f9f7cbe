package io.factum.cli;

import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code factum read}: pages through one stream, as far as {@code --limit} allows. */
@Command(
        name = "read",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Reads the events of one stream, honouring its metadata (max count, max age, truncate before).",
            ""
        })
final class ReadCommand extends Verb {

    @Parameters(index = "0", paramLabel = "STREAM", description = "The stream to read.")
    String stream = "";

    @Option(
            names = "--from",
            paramLabel = "VERSION",
            description = "The first version to show (default: the first event; backwards: the last).")
    Optional<Long> from = Optional.empty();

    @Option(names = "--backwards", description = "Newest first.")
    boolean backwards;

    @Option(names = "--limit", paramLabel = "N", description = "Show at most N events (default: all).")
    Optional<Long> limit = Optional.empty();

    @Override
    public Integer call() throws IOException {
        long remaining = positiveLimit(limit.orElse(Long.MAX_VALUE));
        long version = from.orElse(backwards ? Long.MAX_VALUE : 0L);
        if (version < 0) {
            throw CliException.usage("invalid --from " + version + ": must be >= 0");
        }
        Direction direction = backwards ? Direction.BACKWARDS : Direction.FORWARDS;
        EventOutput output = EventOutput.create(json(), io(), false);
        try (EventStore store = openExisting()) {
            int pageSize = store.limits().maxReadCount();
            boolean more = true;
            while (more && remaining > 0) {
                ReadStreamResult result =
                        store.readStream(stream, version, direction, (int) Math.min(pageSize, remaining));
                if (!(result instanceof ReadStreamResult.Found found)) {
                    throw CliException.failed("stream '" + stream + "' not found (never written, or soft-deleted)");
                }
                List<RecordedEvent> events = found.events();
                events.forEach(output::event);
                remaining -= events.size();
                if (found.endOfStream() || events.isEmpty()) {
                    more = false;
                } else {
                    long last = events.getLast().version();
                    version = backwards ? last - 1 : last + 1;
                    more = version >= 0;
                }
            }
            output.finish();
            if (more && !json()) {
                io().err().println("factum: more events follow; continue with --from " + version);
            }
        }
        return ExitCodes.OK;
    }
}
