package io.factum.bench;

import io.factum.engine.FailureReport;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./factum bench}: the benchmark suite. Each scenario is a subcommand; {@code all} runs them
 * in sequence. Results go to standard output (and with {@code --json FILE}, as JSON lines to
 * FILE); progress goes to standard error.
 *
 * <p>Exit codes: 0 success, 1 a scenario failed, 2 bad options. A failure is one line on standard
 * error, {@code factum: ...}, with the stack trace only with {@code --debug} (or for a bug; see
 * {@link FailureReport}).
 */
@Command(
        name = "factum bench",
        mixinStandardHelpOptions = true,
        // Every scenario takes --help too: the error for a bad option points there.
        scope = CommandLine.ScopeType.INHERIT,
        description = "Benchmarks of the embedded engine, the server and a local cluster, each reported next to this"
                + " machine's ceilings.",
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
            ClusterBenchCommand.class,
            DcbCommand.class,
            FrameworkCommand.class,
            AllCommand.class
        })
public final class BenchMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--debug",
            scope = CommandLine.ScopeType.INHERIT,
            description = "On a failure, print its stack trace after the one-line message (a bug always prints it).")
    boolean debug;

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
        BenchMain main = new BenchMain();
        CommandLine cmd = configure(new CommandLine(main));
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((e, ignored) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName() + " --help";
            err.println("factum: " + FailureReport.oneLine(e.getMessage()) + " (see '" + help + "')");
            err.flush();
            return 2;
        });
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            FailureReport.print(e, message(e), main.debug, err);
            return 1;
        });
        return cmd.execute(args);
    }

    /** A scenario that could not produce a trustworthy figure says why; so do the store's errors. */
    static Optional<String> message(Throwable failure) {
        Throwable cause = FailureReport.unwrap(failure);
        if (cause instanceof BenchmarkFailedException e) {
            Optional<String> behind = e.getCause() == null
                    ? Optional.empty()
                    : FailureReport.expectedMessage(e.getCause())
                            .filter(m -> !e.getMessage().contains(m));
            return Optional.of("bench failed: " + e.getMessage()
                    + behind.map(m -> " (" + m + ")").orElse(""));
        }
        return FailureReport.expectedMessage(cause).map(m -> "bench failed: " + m);
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
