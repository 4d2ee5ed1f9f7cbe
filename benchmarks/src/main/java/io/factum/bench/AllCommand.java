package io.factum.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code all}: every scenario in sequence, in one run directory, with the ceilings measured once.
 * {@code --duration} goes to the time-bound scenarios (append, append-batch, subscribe), {@code
 * --events} to the size-bound ones (read-all, read-stream, restart, index-memory); everything else
 * takes each scenario's default. {@code subscribe} uses half the rate {@code append} measured.
 */
@Command(name = "all", description = "Run every scenario in sequence (ceilings measured once).")
final class AllCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common = new CommonOptions();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--duration",
            converter = Units.DurationConverter.class,
            description = "Measured time of append, append-batch, subscribe and dcb (default: theirs, 10s).")
    Optional<Duration> duration = Optional.empty();

    @Option(
            names = "--events",
            converter = Units.CountConverter.class,
            description = "Events of read-all, read-stream, restart, index-memory and dcb (default: theirs).")
    Optional<Long> events = Optional.empty();

    /**
     * The scenarios in the order they run, each with whether it takes {@code --duration} and
     * whether it takes {@code --events}.
     */
    private record Entry(Supplier<ScenarioCommand> factory, boolean timeBound, boolean sizeBound) {}

    static List<String> scenarioNames() {
        return entries().stream().map(e -> e.factory().get().name()).toList();
    }

    private static List<Entry> entries() {
        return List.of(
                new Entry(CeilingsCommand::new, false, false),
                new Entry(AppendCommand::new, true, false),
                new Entry(AppendBatchCommand::new, true, false),
                new Entry(ReadAllCommand::new, false, true),
                new Entry(ReadStreamCommand::new, false, true),
                new Entry(SubscribeCommand::new, true, false),
                new Entry(RestartCommand::new, false, true),
                new Entry(IndexMemoryCommand::new, false, true),
                new Entry(DcbCommand::new, true, true));
    }

    /** The scenarios, parsed and validated, before anything runs: a bad option fails fast. */
    List<ScenarioCommand> scenarios() {
        List<ScenarioCommand> list = new ArrayList<>();
        for (Entry e : entries()) {
            ScenarioCommand s = e.factory().get();
            List<String> args = new ArrayList<>();
            if (e.timeBound()) {
                duration.ifPresent(d -> args.addAll(List.of("--duration", Units.formatDuration(d))));
            }
            if (e.sizeBound()) {
                events.ifPresent(n -> args.addAll(List.of("--events", Long.toString(n))));
            }
            CommandLine cmd = BenchMain.configure(new CommandLine(s));
            cmd.parseArgs(args.toArray(String[]::new));
            s.validate(cmd);
            list.add(s);
        }
        return list;
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        common.validate(cmd);
        List<ScenarioCommand> scenarios = scenarios();
        List<String> done = new ArrayList<>();
        try (RunContext ctx = RunContext.open(common, cmd.getOut(), cmd.getErr())) {
            for (ScenarioCommand s : scenarios) {
                s.runAndReport(ctx);
                done.add(s.name());
            }
        }
        cmd.getErr().println("all: ran " + String.join(", ", done));
        cmd.getErr().flush();
        return 0;
    }
}
