package io.factum.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code factum}: holds the options every verb shares ({@code --data}, {@code --json}, {@code
 * --debug}; they may be given before or after the verb) and the {@link CliContext}. One instance
 * per invocation; not thread-safe.
 */
@Command(
        name = "factum",
        mixinStandardHelpOptions = true,
        versionProvider = FactumVersion.class,
        usageHelpAutoWidth = true,
        description = {
            "Factum, an event store for the JVM. These verbs work on an embedded data directory"
                    + " (one process at a time may open it), or on a server with --url (verify and stats"
                    + " need the data directory itself).",
            ""
        },
        subcommands = {
            AppendCommand.class,
            ReadCommand.class,
            ReadAllCommand.class,
            ReadQueryCommand.class,
            TailCommand.class,
            MetadataCommand.class,
            DeleteCommand.class,
            VerifyCommand.class,
            StatsCommand.class,
            MigrateCommand.class,
            TraceCommand.class,
            ReplayCommand.class,
            HelpCommand.class
        },
        footer = {
            "",
            "The ./factum launcher also runs:",
            "  test [--long]   the whole test suite (mvn verify; --long adds the long crash campaigns)",
            "  bench ...       the benchmarks (./factum bench --help)",
            "  server ...      the server on ./factum-data, port 2113 (./factum server --help)",
            "  certs ...       development TLS certificates (./factum certs --help)",
            "  cluster ...     a local cluster of three (cluster up), members of a running one (cluster --help)",
            "",
            "Examples:",
            "  factum append orders-1 --type OrderPlaced '{\"total\": 42}'",
            "  factum read orders-1",
            "  factum read-all --backwards --limit 20 --exclude-system",
            "  factum append course-7 --type StudentEnrolled --tag course:7 --tag student:3 '{}'",
            "  factum read-query 'type=StudentEnrolled,tag=course:7'",
            "  factum tail orders-1 --from-start",
            "  factum read orders-1 --url kurrentdb://localhost:2113?tls=false",
            "  factum migrate accounts-v2 --from account- --to acct2-",
            "  factum trace transfer-7                 (every event of a correlation id, as a tree of causes)",
            "  factum replay account-42 --decider com.example.AccountDecider --classpath service.jar",
            "",
            "Exit codes: 0 success, 1 operation failed (conflict, not found, damaged or locked store,"
                    + " I/O error), 2 bad command line or input (nothing was changed).",
            "A failure prints one line, 'factum: <what went wrong and what to do>'; add --debug for its stack trace."
        })
final class RootCommand implements Runnable {

    private final CliContext context;

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    /** Where the verbs work when neither --data nor a server URL is given. */
    static final Path DEFAULT_DATA_DIR = Path.of("./factum-data");

    @Option(
            names = "--data",
            paramLabel = "DIR",
            scope = ScopeType.INHERIT,
            description = "The data directory (default: ./factum-data, unless a server URL is given).")
    Optional<Path> data = Optional.empty();

    @Option(
            names = "--url",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            description = "Work against a server instead of a data directory, e.g."
                    + " kurrentdb://localhost:2113?tls=false (also factum://, esdb://; settings tls,"
                    + " tlsVerifyCert, tlsCaFile, defaultDeadline). Default: the FACTUM_URL environment"
                    + " variable.")
    Optional<String> url = Optional.empty();

    @Option(
            names = "--user",
            paramLabel = "NAME",
            scope = ScopeType.INHERIT,
            description = "The user for the server (Basic authentication); the password comes from"
                    + " --password-file or the FACTUM_PASSWORD environment variable.")
    Optional<String> user = Optional.empty();

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "A file whose first line is the password of --user.")
    Optional<Path> passwordFile = Optional.empty();

    @Option(
            names = "--json",
            scope = ScopeType.INHERIT,
            description = "Print JSON lines (every field) instead of a table.")
    boolean json;

    @Option(
            names = "--debug",
            scope = ScopeType.INHERIT,
            description = "On a failure, print its stack trace after the one-line message (a bug in Factum"
                    + " always prints it).")
    boolean debug;

    RootCommand(CliContext context) {
        this.context = context;
    }

    CliContext context() {
        return context;
    }

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing verb: append, read, read-all, read-query, tail, metadata, delete, verify or stats"
                        + " (see 'factum --help')");
    }
}
