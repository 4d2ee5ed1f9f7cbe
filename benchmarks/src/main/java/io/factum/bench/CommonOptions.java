package io.factum.bench;

import io.factum.api.StoreLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options every scenario takes: where data goes, event size, the ceilings' sizes, output.
 *
 * <p>Mutable (picocli fills it); used by one thread.
 */
final class CommonOptions {

    static final int DEFAULT_EVENT_SIZE = 200;
    static final Duration DEFAULT_FSYNC_DURATION = Duration.ofSeconds(3);
    static final long DEFAULT_WRITE_SIZE = 1L << 30;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Directory under which a fresh run directory is created (default: ./bench-data). "
                    + "The run directory is deleted afterwards unless --keep.")
    Optional<Path> data = Optional.empty();

    @Option(names = "--keep", description = "Keep the run directory (stores and all) afterwards.")
    boolean keep;

    @Option(
            names = "--event-size",
            paramLabel = "BYTES",
            converter = Units.SizeConverter.class,
            description = "Bytes of JSON data per event (default: ${DEFAULT-VALUE}).")
    long eventSize = DEFAULT_EVENT_SIZE;

    @Option(names = "--json", paramLabel = "FILE", description = "Append each result to FILE as one JSON line.")
    Optional<Path> json = Optional.empty();

    @Option(
            names = "--ceiling-fsync-duration",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long the fsync-rate ceiling runs (default: 3s).")
    Duration ceilingFsyncDuration = DEFAULT_FSYNC_DURATION;

    @Option(
            names = "--ceiling-write-size",
            paramLabel = "BYTES",
            converter = Units.SizeConverter.class,
            description = "File size for the sequential-write ceiling (default: 1g).")
    long ceilingWriteSize = DEFAULT_WRITE_SIZE;

    @Option(
            names = "--progress-interval",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How often progress is printed (default: 2s).")
    Duration progressInterval = Duration.ofSeconds(2);

    /** Rejects values no scenario can run with, naming the option, the value and the limit. */
    void validate(CommandLine cmd) {
        long max = StoreLimits.defaults().maxEventBytes();
        if (eventSize < Payloads.MIN_EVENT_BYTES || eventSize > max) {
            throw new ParameterException(
                    cmd,
                    "--event-size " + eventSize + " is out of range: it must be between " + Payloads.MIN_EVENT_BYTES
                            + " and " + max + " bytes");
        }
        if (ceilingFsyncDuration.toMillis() < 10) {
            throw new ParameterException(
                    cmd, "--ceiling-fsync-duration " + Units.formatDuration(ceilingFsyncDuration) + " must be >= 10ms");
        }
        if (ceilingWriteSize < Ceilings.WRITE_BUFFER_BYTES) {
            throw new ParameterException(
                    cmd, "--ceiling-write-size " + ceilingWriteSize + " must be at least 1m (one write buffer)");
        }
        if (progressInterval.toMillis() < 100) {
            throw new ParameterException(
                    cmd, "--progress-interval " + Units.formatDuration(progressInterval) + " must be >= 100ms");
        }
    }

    /** The options that change what is measured, by option name, as a reproduce line gives them. */
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        data.ifPresent(d -> p.put("--data", d.toString()));
        p.put("--event-size", Long.toString(eventSize));
        p.put("--ceiling-fsync-duration", Units.formatDuration(ceilingFsyncDuration));
        p.put("--ceiling-write-size", Units.formatSize(ceilingWriteSize));
        return p;
    }

    int eventSizeBytes() {
        return Math.toIntExact(eventSize);
    }
}
