package io.factum.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.DeleteResult;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code factum delete}: a soft delete, or with {@code --hard} a tombstone. */
@Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Deletes a stream. By default a soft delete: its events are hidden and a later append"
                    + " continues its version numbering. With --hard a tombstone: the stream can never"
                    + " be read or written again.",
            ""
        })
final class DeleteCommand extends Verb {

    @Parameters(index = "0", paramLabel = "STREAM", description = "The stream to delete.")
    String stream = "";

    @Option(names = "--hard", description = "Tombstone the stream: for ever, it cannot be undone.")
    boolean hard;

    @Option(
            names = "--expected-version",
            paramLabel = "any|no-stream|stream-exists|N",
            defaultValue = "any",
            converter = Converters.ExpectedVersionConverter.class,
            description = "Delete only if the stream is in this state (default: any).")
    ExpectedVersion expected = ExpectedVersion.any();

    @Override
    public Integer call() throws IOException {
        DeleteResult result;
        try (EventStore store = openExisting()) {
            result = hard ? store.tombstone(stream, expected) : store.delete(stream, expected);
        }
        if (json()) {
            ObjectNode node = Json.object();
            node.put("stream", stream);
            node.put("hard", hard);
            node.put("position", result.position());
            io().out().println(Json.compact(node));
        } else if (hard) {
            io().out()
                    .printf(
                            "tombstoned '%s': it can never be read or written again (tombstone at position %d)%n",
                            stream, result.position());
        } else {
            io().out()
                    .printf(
                            "soft-deleted '%s': its events are hidden; a later append continues its version numbering"
                                    + " (metadata written at position %d)%n",
                            stream, result.position());
        }
        io().out().flush();
        return ExitCodes.OK;
    }
}
