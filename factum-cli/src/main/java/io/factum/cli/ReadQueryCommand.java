package io.factum.cli;

import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import io.factum.api.SubscribeFrom;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code factum read-query}: the events matching a query (dynamic consistency boundaries), paged
 * through {@link EventStore#readByQuery}, or followed live through {@link
 * EventStore#subscribeToQuery}.
 *
 * <p>After a complete read it names the position the read was consistent at, which is what {@code
 * append --fail-if QUERY --after POSITION} needs to write a decision based on it.
 */
@Command(
        name = "read-query",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Reads the events matching a query of event types and tags, in position order, from every" + " stream.",
            "QUERY: " + QuerySyntax.HELP,
            "A complete read ends with the position it was consistent at (on standard error): append with"
                    + " --fail-if QUERY --after POSITION to write a decision based on it.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  factum read-query 'type=StudentEnrolled,tag=course:7'",
            "  factum read-query 'tag=course:7;tag=student:3' --backwards --limit 10",
            "  factum read-query 'type=PaymentReceived' --follow --json"
        })
final class ReadQueryCommand extends Verb {

    @Parameters(
            index = "0",
            paramLabel = "QUERY",
            converter = QuerySyntax.Converter.class,
            description = "What to read, e.g. 'type=StudentEnrolled,tag=course:7;tag=student:3'.")
    @SuppressWarnings("NullAway.Init")
    Query query;

    @Option(
            names = "--from",
            paramLabel = "POSITION",
            description = "The first position to examine (default: the start; backwards: the newest event).")
    Optional<Long> from = Optional.empty();

    @Option(names = "--backwards", description = "Newest first.")
    boolean backwards;

    @Option(names = "--limit", paramLabel = "N", description = "Show at most N events (default: all).")
    Optional<Long> limit = Optional.empty();

    @Option(
            names = "--follow",
            description = "After the stored events, wait for new matching events and print them until Ctrl-C.")
    boolean follow;

    @Override
    public Integer call() throws IOException, InterruptedException {
        long max = positiveLimit(limit.orElse(Long.MAX_VALUE));
        if (from.isPresent() && from.get() < 0) {
            throw CliException.usage("invalid --from " + from.get() + ": must be >= 0");
        }
        if (follow) {
            if (backwards) {
                throw CliException.usage("--follow waits for new events, which come forwards: leave out --backwards");
            }
            SubscribeFrom start =
                    from.filter(p -> p > 0).map(p -> SubscribeFrom.after(p - 1)).orElse(SubscribeFrom.start());
            Following.run(
                    this,
                    EventOutput.create(json(), io(), true, true),
                    max,
                    (store, printer) -> store.subscribeToQuery(query, start, printer));
        } else {
            read(max);
        }
        return ExitCodes.OK;
    }

    private void read(long max) throws IOException {
        Direction direction = backwards ? Direction.BACKWARDS : Direction.FORWARDS;
        long position = from.orElse(backwards ? ReadAllOptions.END : 0L);
        EventOutput output = EventOutput.create(json(), io(), false, true);
        OptionalLong consistentAt = OptionalLong.empty();
        boolean complete = false;
        long remaining = max;
        try (EventStore store = openExisting()) {
            int pageSize = store.limits().maxReadCount();
            while (!complete && remaining > 0) {
                int count = (int) Math.min(pageSize, remaining);
                QueryReadResult page = store.readByQuery(query, position, direction, count);
                page.events().forEach(output::event);
                remaining -= page.events().size();
                // Forwards, the last page's head covers every page; backwards, later pages only
                // look further back, so the first page's head is the one the whole read holds at.
                if (!backwards || consistentAt.isEmpty()) {
                    consistentAt = OptionalLong.of(page.headPosition());
                }
                List<RecordedEvent> events = page.events();
                complete =
                        events.size() < count || (backwards && events.getLast().position() == 0);
                if (!events.isEmpty()) {
                    position = backwards
                            ? events.getLast().position() - 1
                            : events.getLast().position() + 1;
                }
            }
            output.finish();
        }
        if (complete) {
            io().err()
                    .println("factum: read consistent at position " + consistentAt.getAsLong()
                            + " (append --fail-if QUERY --after " + consistentAt.getAsLong() + " to depend on it)");
        } else {
            io().err().println("factum: more events may follow; continue with --from " + position);
        }
        io().err().flush();
    }
}
