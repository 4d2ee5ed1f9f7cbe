package io.factum.bench;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A benchmark scenario: a picocli subcommand that measures one thing and reports it next to the
 * ceilings. Run alone ({@link #call}) it opens its own {@link RunContext}; {@code all} runs it
 * with a shared one ({@link #runAndReport}).
 *
 * <p>An instance is configured once by picocli and run once, on one thread.
 */
abstract sealed class ScenarioCommand implements Callable<Integer>
        permits CeilingsCommand,
                AppendCommand,
                AppendBatchCommand,
                ReadAllCommand,
                ReadStreamCommand,
                SubscribeCommand,
                RestartCommand,
                IndexMemoryCommand,
                ServerBenchCommand,
                ClusterBenchCommand,
                DcbCommand,
                FrameworkCommand {

    @Mixin
    CommonOptions common = new CommonOptions();

    @Spec
    CommandSpec spec;

    /** The subcommand name. */
    abstract String name();

    /**
     * This scenario's effective options by name, defaults included, in the order a reproduce line
     * gives them. Called after {@link #run}, so values derived while running can be included.
     */
    abstract Map<String, String> parameters();

    /** Rejects option values this scenario cannot run with. */
    void validate(CommandLine cmd) {}

    abstract Outcome run(RunContext ctx) throws Exception;

    @Override
    public final Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        common.validate(cmd);
        validate(cmd);
        try (RunContext ctx = RunContext.open(common, cmd.getOut(), cmd.getErr())) {
            runAndReport(ctx);
        }
        return 0;
    }

    /** Measures the ceilings (once per context), runs, prints and records the result. */
    final BenchResult runAndReport(RunContext ctx) throws Exception {
        ctx.err().println("== " + name() + " ==");
        ctx.err().flush();
        // Ceilings first, so that they are measured on a quiet disk, not after a store's writes.
        Ceilings ceilings = ctx.ceilings();
        Outcome outcome = run(ctx);
        Map<String, String> params = new LinkedHashMap<>(parameters());
        params.putAll(ctx.common().parameters());
        BenchResult result = new BenchResult(
                name(),
                Instant.now(),
                params,
                outcome.figures(),
                ceilings,
                outcome.ratios(),
                ctx.environment(),
                outcome.notes());
        ctx.report(result);
        return result;
    }
}
