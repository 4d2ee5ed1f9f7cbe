package io.factum.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code factum verify}: checks a closed store read-only and reports every damaged place. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Checks every file of the data directory without changing anything: each frame's checksum"
                    + " and structure, the position sequence, and every index file against the log.",
            "Reports each problem with its file and byte offset. Exit code 0 when the store is sound,"
                    + " 1 when something is damaged.",
            ""
        })
final class VerifyCommand extends Verb {

    @Override
    public Integer call() throws IOException {
        requireDataDirectory("verify", "it checks the storage files byte by byte");
        requireExistingDataDir();
        VerifyReport report = opener().verify(dataDir());
        if (json()) {
            io().out().println(Json.compact(toJson(report)));
        } else {
            printTable(report, io().out());
        }
        io().out().flush();
        if (!report.ok()) {
            throw CliException.failed("the store in " + report.dataDir() + " is damaged: "
                    + report.problems().size()
                    + (report.problems().size() == 1 ? " problem" : " problems")
                    + " (listed above); restore the damaged files from a backup or replica");
        }
        return ExitCodes.OK;
    }

    private static void printTable(VerifyReport report, PrintWriter out) {
        out.printf(
                "checked %s: %d segments, %d frames, %d records, %d index entries%n",
                report.dataDir(),
                report.segmentsChecked(),
                report.framesChecked(),
                report.recordsChecked(),
                report.indexEntriesChecked());
        if (report.ok()) {
            out.println("OK: no damage found");
            return;
        }
        out.printf(
                "DAMAGED: %d problem%s%n",
                report.problems().size(), report.problems().size() == 1 ? "" : "s");
        for (VerifyReport.Problem problem : report.problems()) {
            out.printf("  %s at byte offset %d: %s%n", problem.file(), problem.offset(), problem.description());
        }
    }

    private static ObjectNode toJson(VerifyReport report) {
        ObjectNode node = Json.object();
        node.put("dataDir", report.dataDir().toString());
        node.put("ok", report.ok());
        node.put("segmentsChecked", report.segmentsChecked());
        node.put("framesChecked", report.framesChecked());
        node.put("recordsChecked", report.recordsChecked());
        node.put("indexEntriesChecked", report.indexEntriesChecked());
        ArrayNode problems = node.putArray("problems");
        for (VerifyReport.Problem problem : report.problems()) {
            ObjectNode p = problems.addObject();
            p.put("file", problem.file().toString());
            p.put("offset", problem.offset());
            p.put("description", problem.description());
        }
        return node;
    }
}
