package io.factum.bench;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --passes}: how often a read scenario reads everything; the last pass is the figure (by
 * then the data is in the OS page cache).
 *
 * <p>Mutable (picocli fills it); used by one thread.
 */
final class PassesOption {

    @Option(names = "--passes", description = "Full reads; the last one is reported (default: ${DEFAULT-VALUE}).")
    int passes = 2;

    void validate(CommandLine cmd) {
        if (passes < 1) {
            throw new ParameterException(cmd, "--passes " + passes + " must be >= 1");
        }
    }

    /** Adds this option to a scenario's parameters, as a reproduce line gives it. */
    void addParameters(Map<String, String> p) {
        p.put("--passes", Integer.toString(passes));
    }
}
