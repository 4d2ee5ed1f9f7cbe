package io.factum.bench;

import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The measured time of a time-bound scenario ({@code --duration}) and the unmeasured time before it
 * ({@code --warmup}). {@code all} hands its {@code --duration} to every scenario with these options.
 *
 * <p>Mutable (picocli fills it); used by one thread.
 */
final class TimingOptions {

    @Option(
            names = "--duration",
            converter = Units.DurationConverter.class,
            description = "Measured time (default: 10s).")
    Duration duration = Duration.ofSeconds(10);

    @Option(
            names = "--warmup",
            converter = Units.DurationConverter.class,
            description = "Unmeasured time before it (default: 2s; 10s in bench framework, whose new store"
                    + " prepares its first preallocated segment in its first seconds).")
    Duration warmup = Duration.ofSeconds(2);

    TimingOptions() {}

    /** Options whose warm-up defaults to {@code warmup}. */
    TimingOptions(Duration warmup) {
        this.warmup = warmup;
    }

    void validate(CommandLine cmd) {
        if (duration.isZero()) {
            throw new ParameterException(cmd, "--duration must be longer than 0");
        }
    }

    /** Adds these options to a scenario's parameters, as a reproduce line gives them. */
    void addParameters(Map<String, String> p) {
        p.put("--duration", Units.formatDuration(duration));
        p.put("--warmup", Units.formatDuration(warmup));
    }
}
