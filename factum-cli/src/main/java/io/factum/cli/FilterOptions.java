package io.factum.cli;

import io.factum.api.EventFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code $all} filters of {@code read-all} and {@code tail}. The store applies one filter per
 * read, as KurrentDB does, so at most one kind may be given (prefixes of one kind may repeat).
 */
final class FilterOptions {

    @Option(
            names = "--stream-prefix",
            paramLabel = "PREFIX",
            description = "Only streams starting with PREFIX (repeatable).")
    List<String> streamPrefixes = new ArrayList<>();

    @Option(
            names = "--type-prefix",
            paramLabel = "PREFIX",
            description = "Only event types starting with PREFIX (repeatable).")
    List<String> typePrefixes = new ArrayList<>();

    @Option(names = "--stream-regex", paramLabel = "REGEX", description = "Only streams in which REGEX is found.")
    Optional<String> streamRegex = Optional.empty();

    @Option(names = "--type-regex", paramLabel = "REGEX", description = "Only event types in which REGEX is found.")
    Optional<String> typeRegex = Optional.empty();

    @Option(
            names = "--exclude-system",
            description = "Leave out system events (types starting with $: stream metadata, tombstones).")
    boolean excludeSystem;

    EventFilter filter() {
        List<EventFilter> filters = new ArrayList<>();
        if (!streamPrefixes.isEmpty()) {
            filters.add(new EventFilter.StreamNamePrefix(streamPrefixes));
        }
        if (!typePrefixes.isEmpty()) {
            filters.add(new EventFilter.EventTypePrefix(typePrefixes));
        }
        streamRegex.ifPresent(regex -> filters.add(EventFilter.streamNameRegex(regex)));
        typeRegex.ifPresent(regex -> filters.add(EventFilter.eventTypeRegex(regex)));
        if (excludeSystem) {
            filters.add(EventFilter.excludeSystemEvents());
        }
        if (filters.size() > 1) {
            throw CliException.usage("give at most one of --stream-prefix, --type-prefix, --stream-regex,"
                    + " --type-regex, --exclude-system (the store applies one filter per read)");
        }
        return filters.isEmpty() ? EventFilter.none() : filters.getFirst();
    }
}
