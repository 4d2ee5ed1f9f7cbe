package io.factum.bench;

import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --events} of a time-bound scenario: an optional cap on the events appended, warmup
 * included, that can end the run before {@code --duration} does. Negative means no cap.
 *
 * <p>Mutable (picocli fills it); used by one thread.
 */
final class EventLimitOption {

    @Option(
            names = "--events",
            converter = Units.CountConverter.class,
            description = "Stop after this many events in total, warmup included (default: no limit).")
    long events = -1;

    /** Adds this option to a scenario's parameters, as a reproduce line gives it; absent when unset. */
    void addParameters(Map<String, String> p) {
        if (events >= 0) {
            p.put("--events", Units.formatCount(events));
        }
    }
}
