package io.factum.bench;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code ceilings}: only this machine's ceilings, which every other scenario prints too. */
@Command(
        name = "ceilings",
        description = "This machine's fsync rate and sequential write bandwidth on the data directory's file system.")
final class CeilingsCommand extends ScenarioCommand {

    @Override
    String name() {
        return "ceilings";
    }

    @Override
    Map<String, String> parameters() {
        return Map.of();
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Ceilings c = ctx.ceilings();
        return new Outcome(
                List.of(
                        Figure.of("fsync rate", c.fsyncOpsPerSec(), "ops/s"),
                        Figure.of("fsync latency p50", c.fsyncLatency().p50Ms(), "ms"),
                        Figure.of("fsync latency p99", c.fsyncLatency().p99Ms(), "ms"),
                        Figure.of("sequential write", c.writeMBps(), "MB/s")),
                List.of(),
                List.of("MB is 10^6 bytes"));
    }
}
