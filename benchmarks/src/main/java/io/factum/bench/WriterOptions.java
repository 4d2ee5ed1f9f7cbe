package io.factum.bench;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How many concurrent writers a scenario runs ({@code --writers}) and on which threads ({@code
 * --threads}).
 *
 * <p>Mutable (picocli fills it); used by one thread.
 */
final class WriterOptions {

    @Option(names = "--writers", description = "Concurrent writers (default: ${DEFAULT-VALUE}).")
    int writers = 64;

    @Option(names = "--threads", description = "Writer threads: platform or virtual (default: platform).")
    ThreadKind threads = ThreadKind.PLATFORM;

    void validate(CommandLine cmd) {
        if (writers < 1) {
            throw new ParameterException(cmd, "--writers " + writers + " must be >= 1");
        }
    }

    /** Adds these options to a scenario's parameters, as a reproduce line gives them. */
    void addParameters(Map<String, String> p) {
        p.put("--writers", Integer.toString(writers));
        p.put("--threads", threads.optionValue());
    }
}
