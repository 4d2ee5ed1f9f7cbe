package io.factum.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * CPU used by this process (the load generator) and, when the benchmark started them, by the server
 * processes (one, or the nodes of a cluster, summed), over a phase; reported as a share of the
 * whole machine (all cores), so that on two shared cores one can see who used the CPU. A server
 * restarted within the phase would make its sum meaningless: sample only over phases in which
 * every server keeps running.
 *
 * <p>Immutable; {@link #start} takes the first sample, {@link Sample#since} the difference.
 */
final class CpuMeter {

    private CpuMeter() {}

    /** CPU totals at one moment. */
    record Sample(long wallNanos, Duration self, Optional<Duration> server) {

        /** Shares of the machine since {@code start}, in percent of all cores. */
        Shares since(Sample start) {
            double wallSeconds = (wallNanos - start.wallNanos) / 1e9;
            double capacity = wallSeconds * Runtime.getRuntime().availableProcessors();
            double selfShare = 100 * seconds(self.minus(start.self)) / capacity;
            double serverShare = server.isPresent() && start.server.isPresent()
                    ? 100 * seconds(server.get().minus(start.server.get())) / capacity
                    : Double.NaN;
            return new Shares(selfShare, serverShare);
        }
    }

    /** Percent of the machine's CPU: the load generator's and the server's (NaN when unknown). */
    record Shares(double loadGeneratorPercent, double serverPercent) {
        String brief() {
            return "CPU: load generator " + Figure.format(loadGeneratorPercent, "%") + ", server "
                    + Figure.format(serverPercent, "%") + " of "
                    + Runtime.getRuntime().availableProcessors()
                    + " cores";
        }
    }

    static Sample sample(Optional<ServerChild> server) {
        return sample(server.stream().toList());
    }

    /** A sample whose server CPU is the sum over {@code servers} (unknown when there are none). */
    static Sample sample(List<ServerChild> servers) {
        Optional<Duration> total = servers.isEmpty()
                ? Optional.empty()
                : Optional.of(servers.stream().map(ServerChild::cpuTime).reduce(Duration.ZERO, Duration::plus));
        return new Sample(
                System.nanoTime(),
                ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO),
                total);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
