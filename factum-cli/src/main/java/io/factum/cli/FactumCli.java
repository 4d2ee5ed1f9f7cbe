package io.factum.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code factum} command's entry point. {@link #run} does all the work and returns the exit
 * code, so that tests run the CLI in-process with their own {@link CliContext}; only {@link #main}
 * touches the real terminal and exits.
 *
 * <p>The launcher passes what it knows about the terminal in the environment: {@code
 * FACTUM_TERM_COLUMNS} (the width of standard output, when it is a terminal) and {@code
 * FACTUM_STDIN_TTY=1} (standard input is a terminal).
 */
public final class FactumCli {

    static final int DEFAULT_WIDTH_COLUMNS = 120;

    private FactumCli() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        CliIo io = new CliIo(System.in, out, err, terminalWidth(), "1".equals(System.getenv("FACTUM_STDIN_TTY")));
        int exitCode =
                run(new CliContext(new EmbeddedStoreOpener(), io, ShutdownHooks.runtime(), System::getenv), args);
        out.flush();
        err.flush();
        System.exit(exitCode);
    }

    /** Runs one command line; never throws, never exits. */
    static int run(CliContext context, String... args) {
        RootCommand root = new RootCommand(context);
        CommandLine commandLine = new CommandLine(root);
        commandLine.setOut(context.io().out());
        commandLine.setErr(context.io().err());
        commandLine.setParameterExceptionHandler(FactumCli::usageError);
        commandLine.setExecutionExceptionHandler((failure, command, parseResult) ->
                Failures.report(failure, root.debug, context.io().err()));
        int exitCode = commandLine.execute(args);
        context.io().out().flush();
        context.io().err().flush();
        return exitCode;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String help = command.getCommandSpec().qualifiedName() + " --help";
        PrintWriter err = command.getErr();
        err.println("factum: " + e.getMessage().strip().replaceAll("\\s*\\R\\s*", " ") + " (see '" + help + "')");
        err.flush();
        return ExitCodes.USAGE;
    }

    private static int terminalWidth() {
        for (String name : new String[] {"FACTUM_TERM_COLUMNS", "COLUMNS"}) {
            Optional<Integer> columns = Optional.ofNullable(System.getenv(name)).flatMap(FactumCli::parsePositive);
            if (columns.isPresent()) {
                return columns.get();
            }
        }
        return DEFAULT_WIDTH_COLUMNS;
    }

    private static Optional<Integer> parsePositive(String text) {
        try {
            int value = Integer.parseInt(text.strip());
            return value > 0 ? Optional.of(value) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
