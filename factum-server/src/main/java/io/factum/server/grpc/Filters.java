package io.factum.server.grpc;

import io.factum.api.EventFilter;
import io.factum.protocol.streams.ReadReq;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Server-side $all filters from their protocol form. */
final class Filters {

    /** KurrentDB's checkpoint unit: a filtered subscription checkpoints every max x multiplier events. */
    static final int DEFAULT_WINDOW = 32;

    private Filters() {}

    static EventFilter of(ReadReq.Options options) {
        if (!options.hasFilter()) {
            return EventFilter.none();
        }
        ReadReq.Options.FilterOptions filter = options.getFilter();
        return switch (filter.getFilterCase()) {
            case STREAM_IDENTIFIER -> streamFilter(filter.getStreamIdentifier());
            case EVENT_TYPE -> typeFilter(filter.getEventType());
            case FILTER_NOT_SET -> EventFilter.none();
        };
    }

    /** Events examined between checkpoints of a filtered subscription. */
    static int checkpointInterval(ReadReq.Options options) {
        if (!options.hasFilter()) {
            return DEFAULT_WINDOW;
        }
        ReadReq.Options.FilterOptions filter = options.getFilter();
        long window = filter.hasCount() || filter.getMax() == 0 ? DEFAULT_WINDOW : filter.getMax();
        long multiplier = Math.max(1, filter.getCheckpointIntervalMultiplier());
        return (int) Math.min(Integer.MAX_VALUE, window * multiplier);
    }

    private static EventFilter streamFilter(ReadReq.Options.FilterOptions.Expression expression) {
        if (!expression.getRegex().isEmpty()) {
            return new EventFilter.StreamNameRegex(compile(expression.getRegex(), "filter.stream_identifier.regex"));
        }
        return new EventFilter.StreamNamePrefix(prefixes(expression, "filter.stream_identifier.prefix"));
    }

    private static EventFilter typeFilter(ReadReq.Options.FilterOptions.Expression expression) {
        if (!expression.getRegex().isEmpty()) {
            return new EventFilter.EventTypeRegex(compile(expression.getRegex(), "filter.event_type.regex"));
        }
        return new EventFilter.EventTypePrefix(prefixes(expression, "filter.event_type.prefix"));
    }

    private static List<String> prefixes(ReadReq.Options.FilterOptions.Expression expression, String field) {
        if (expression.getPrefixCount() == 0) {
            throw GrpcErrors.invalidArgument(field + ": a filter needs a regex or at least one prefix");
        }
        return List.copyOf(expression.getPrefixList());
    }

    private static Pattern compile(String regex, String field) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw GrpcErrors.invalidArgument(field + ": '" + ProtoCodec.abbreviate(regex) + "' is not a valid regular"
                    + " expression: " + e.getDescription());
        }
    }
}
