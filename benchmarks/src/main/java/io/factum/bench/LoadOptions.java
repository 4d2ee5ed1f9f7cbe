package io.factum.bench;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The store a size-bound scenario loads before it measures: {@code --events} events in streams of
 * {@code --stream-length}. {@code all} hands its {@code --events} to every scenario with these
 * options. The default event count is the scenario's, given at construction.
 *
 * <p>Mutable (picocli fills it); used by one thread.
 */
final class LoadOptions {

    @Option(
            names = "--events",
            converter = Units.CountConverter.class,
            description = "Events loaded before measuring (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--stream-length", description = "Events per stream (default: ${DEFAULT-VALUE}).")
    int streamLength = 1000;

    LoadOptions(long defaultEvents) {
        this.events = defaultEvents;
    }

    /** Streams the load spreads its events over. */
    long streams() {
        return Loader.streamsFor(events, streamLength);
    }

    void validate(CommandLine cmd) {
        if (events < 1) {
            throw new ParameterException(cmd, "--events " + events + " must be >= 1");
        }
        if (streamLength < 1) {
            throw new ParameterException(cmd, "--stream-length " + streamLength + " must be >= 1");
        }
    }

    /** Adds these options to a scenario's parameters, as a reproduce line gives them. */
    void addParameters(Map<String, String> p) {
        p.put("--events", Units.formatCount(events));
        p.put("--stream-length", Integer.toString(streamLength));
    }
}
