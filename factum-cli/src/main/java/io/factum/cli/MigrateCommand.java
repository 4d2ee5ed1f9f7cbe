package io.factum.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.EventStore;
import io.factum.framework.migration.Migration;
import io.factum.framework.migration.MigrationException;
import io.factum.framework.migration.MigrationProgress;
import io.factum.framework.migration.MigrationReport;
import io.factum.framework.migration.PrefixCopy;
import io.factum.framework.migration.StreamTransform;
import io.factum.framework.migration.Verification;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code factum migrate}: copies streams into new ones through a transform, resumably. */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Copies streams into new ones, transforming their events on the way, for schema changes too"
                    + " big for upcasting. Reads $all in order; checkpoints its position in $migration-NAME"
                    + " after each page, so an interrupted run resumes where it stopped and a later run"
                    + " copies what was written since. Then verifies that every target stream holds"
                    + " exactly what the transform makes of its source events.",
            "Either --from and --to (copy, renaming types with --rename-type), or --transform CLASS"
                    + " (a io.factum.framework.migration.StreamTransform, from --classpath).",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  factum migrate accounts-v2 --from account- --to acct2- --rename-type MoneyWithdrawn=Withdrawn",
            "  factum migrate split-orders --transform com.example.SplitOrders --classpath orders-migration.jar",
            "  factum migrate accounts-v2 --from account- --to acct2- --verify-only"
        })
final class MigrateCommand extends Verb {

    @Parameters(
            index = "0",
            paramLabel = "NAME",
            description = "The migration's name; runs of one name resume each other.")
    String name = "";

    @Option(names = "--from", paramLabel = "PREFIX", description = "Migrate the streams whose names start with PREFIX.")
    Optional<String> from = Optional.empty();

    @Option(
            names = "--to",
            paramLabel = "PREFIX",
            description = "With --from: the new streams are named PREFIX + the rest of the old name.")
    Optional<String> to = Optional.empty();

    @Option(
            names = "--rename-type",
            paramLabel = "OLD=NEW",
            description = "With --from/--to: write events of type OLD as NEW (repeatable).")
    List<String> renames = new ArrayList<>();

    @Option(
            names = "--transform",
            paramLabel = "CLASS",
            description = "A StreamTransform class with a public no-argument constructor.")
    Optional<String> transformClass = Optional.empty();

    @Option(
            names = "--classpath",
            paramLabel = "JARS",
            description = "Where --transform's class is: jars or directories, separated by ':' (';' on Windows).")
    Optional<String> classpath = Optional.empty();

    @Option(names = "--page", paramLabel = "N", description = "Source events per page and checkpoint (default 1000).")
    int page = 1000;

    @Option(names = "--verify-only", description = "Do not copy; only compare the target streams with the source.")
    boolean verifyOnly;

    @Option(names = "--no-verify", description = "Copy without verifying afterwards.")
    boolean noVerify;

    @Override
    public Integer call() throws IOException {
        StreamTransform transform = transform();
        if (page < 1) {
            throw CliException.usage("invalid --page " + page + ": must be >= 1");
        }
        try (EventStore store = openOrCreate()) {
            Migration.Builder builder =
                    Migration.builder(store, name, transform).pageSize(page);
            from.ifPresent(builder::sourcePrefix);
            Migration migration =
                    builder.progress(new ProgressLine(io().err(), name)).build();
            ObjectNode json = Json.object();
            if (!verifyOnly) {
                report(migration.run(), json);
            }
            if (!noVerify) {
                verify(migration.verify(), json);
            }
            if (json()) {
                io().out().println(Json.compact(json));
            }
            io().out().flush();
        } catch (MigrationException | IllegalArgumentException e) {
            throw CliException.failed("migration " + name + ": " + e.getMessage());
        }
        return ExitCodes.OK;
    }

    private StreamTransform transform() {
        if (name.isBlank() || name.startsWith("$")) {
            throw CliException.usage("invalid NAME '" + name + "': must not be blank or start with $");
        }
        if (transformClass.isPresent()) {
            if (to.isPresent() || !renames.isEmpty()) {
                throw CliException.usage(
                        "--to and --rename-type are for copies; a --transform class decides targets itself");
            }
            return new PluginClasses(classpath).create(transformClass.get(), StreamTransform.class, "--transform");
        }
        if (from.isEmpty() || to.isEmpty()) {
            throw CliException.usage("give --from PREFIX and --to PREFIX, or --transform CLASS");
        }
        try {
            return new PrefixCopy(from.get(), to.get(), typeRenames());
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private Map<String, String> typeRenames() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String rename : renames) {
            int eq = rename.indexOf('=');
            if (eq <= 0 || eq == rename.length() - 1) {
                throw CliException.usage("invalid --rename-type '" + rename + "': give OLD=NEW");
            }
            out.put(rename.substring(0, eq), rename.substring(eq + 1));
        }
        return out;
    }

    private void report(MigrationReport report, ObjectNode json) {
        if (json()) {
            ObjectNode node = json.putObject("run");
            node.put("resumedFrom", report.resumedFrom());
            node.put("position", report.position());
            node.put("sourceEvents", report.sourceEvents());
            node.put("written", report.written());
            node.put("dropped", report.dropped());
            node.put("alreadyCopied", report.alreadyCopied());
            node.put("targetStreams", report.targetStreams());
            return;
        }
        io().out()
                .printf(
                        "migrated %s from position %d to %d: %d source events, %d events written to %d streams"
                                + " (%d dropped by the transform, %d already copied by an interrupted run)%n",
                        name,
                        report.resumedFrom(),
                        report.position(),
                        report.sourceEvents(),
                        report.written(),
                        report.targetStreams(),
                        report.dropped(),
                        report.alreadyCopied());
    }

    private void verify(Verification verification, ObjectNode json) {
        if (json()) {
            ObjectNode node = json.putObject("verification");
            node.put("ok", verification.ok());
            node.put("sourceEvents", verification.sourceEvents());
            node.put("expectedEvents", verification.expectedEvents());
            node.put("targetStreams", verification.targetStreams());
            verification.mismatches().forEach(node.putArray("mismatches")::add);
        } else if (verification.ok()) {
            io().out()
                    .printf(
                            "verified: %d target streams hold exactly the %d events the transform makes of %d source events%n",
                            verification.targetStreams(), verification.expectedEvents(), verification.sourceEvents());
        } else {
            io().out()
                    .printf(
                            "MISMATCH in %d target streams:%n",
                            verification.mismatches().size());
            verification.mismatches().forEach(m -> io().out().println("  " + m));
        }
        if (!verification.ok()) {
            io().out().flush();
            throw CliException.failed("migration " + name + " does not verify (listed above): if a run was"
                    + " interrupted, run it again; otherwise something else wrote to the target streams");
        }
    }

    /** One progress line on stderr at most every half second, and the last one. */
    private static final class ProgressLine implements java.util.function.Consumer<MigrationProgress> {
        private final PrintWriter err;
        private final String name;
        private long lastPrinted;

        ProgressLine(PrintWriter err, String name) {
            this.err = err;
            this.name = name;
        }

        @Override
        public void accept(MigrationProgress p) {
            long now = System.nanoTime();
            if (lastPrinted != 0 && now - lastPrinted < 500_000_000L && p.fraction() < 1.0) {
                return;
            }
            lastPrinted = now;
            err.printf(
                    "migrate %s: %3.0f%% (position %d of %d), %d source events, %d written%n",
                    name,
                    p.fraction() * 100,
                    Math.min(p.position(), p.head()), // past the head are only the migration's own writes
                    p.head(),
                    p.sourceEvents(),
                    p.written());
            err.flush();
        }
    }
}
