package io.factum.bench;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./factum bench}: the benchmark suite. Each scenario is a subcommand; {@code all} runs them
 * in sequence. Results go to standard output (and with {@code --json FILE}, as JSON lines to
 * FILE); progress goes to standard error.
 *
 * <p>Exit codes: 0 success, 1 a scenario failed, 2 bad options.
 */
@Command(
        name = "factum bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks of the embedded engine, each reported next to this machine's ceilings.",
        subcommands = {
            CeilingsCommand.class,
            AppendCommand.class,
            AppendBatchCommand.class,
            ReadAllCommand.class,
            ReadStreamCommand.class,
            SubscribeCommand.class,
            RestartCommand.class,
            IndexMemoryCommand.class,
            ServerBenchCommand.class,
            DcbCommand.class,
            AllCommand.class
        })
public final class BenchMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the suite with the given output; returns the exit code. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = configure(new CommandLine(new BenchMain()));
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("bench failed: " + e);
            e.printStackTrace(commandLine.getErr());
            commandLine.getErr().flush();
            return 1;
        });
        return cmd.execute(args);
    }

    /** Settings every command line of the suite shares ({@code all} builds its own). */
    static CommandLine configure(CommandLine cmd) {
        return cmd.setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name a scenario: " + String.join(", ", AllCommand.scenarioNames()) + ", or all");
    }
}
