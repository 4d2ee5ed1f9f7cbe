package io.factum.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.AppendResult;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SystemNames;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code factum metadata}: shows a stream's metadata, or changes it. A change reads the current
 * metadata and writes the new one expecting that exact metastream version, so two people editing at
 * once get a conflict instead of losing one edit.
 */
@Command(
        name = "metadata",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Shows a stream's metadata; with options, changes it.",
            "--set replaces all of it with JSON in KurrentDB's format ($maxAge and $cacheControl in"
                    + " seconds, $maxCount, $tb, $acl, and keys of your own); --max-count, --max-age and"
                    + " --truncate-before change one key and keep the rest (after --set, if both are given).",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  factum metadata orders-1",
            "  factum metadata orders-1 --max-count 100 --max-age 30d",
            "  factum metadata orders-1 --set '{\"$maxCount\": 100, \"owner\": \"billing\"}'"
        })
final class MetadataCommand extends Verb {

    @Parameters(index = "0", paramLabel = "STREAM", description = "The stream whose metadata to show or change.")
    String stream = "";

    @Option(names = "--set", paramLabel = "JSON", description = "Replace the metadata with this JSON object.")
    Optional<String> set = Optional.empty();

    @Option(names = "--max-count", paramLabel = "N", description = "Keep only the newest N events visible.")
    Optional<Long> maxCount = Optional.empty();

    @Option(
            names = "--max-age",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "Hide events older than this: 90 (seconds), 30s, 15m, 12h, 7d, 1d12h or PT36H.")
    Optional<Duration> maxAge = Optional.empty();

    @Option(names = "--truncate-before", paramLabel = "VERSION", description = "Hide events below this version.")
    Optional<Long> truncateBefore = Optional.empty();

    @Override
    public Integer call() throws IOException {
        boolean change = set.isPresent() || maxCount.isPresent() || maxAge.isPresent() || truncateBefore.isPresent();
        if (!change) {
            try (EventStore store = openExisting()) {
                StreamMetadataResult current = store.getStreamMetadata(stream);
                show(current.metadata(), current.metastreamVersion());
            }
            return ExitCodes.OK;
        }
        Optional<StreamMetadata> replacement = set.map(json -> {
            // Jackson first, for an error that names the line and column; the codec then checks the keys.
            Json.parse("the --set JSON", json, 1);
            return StreamMetadataCodec.decode(json);
        });
        try (EventStore store = openOrCreate()) {
            StreamMetadataResult current = store.getStreamMetadata(stream);
            StreamMetadata updated = apply(replacement.orElse(current.metadata()));
            // Encoding checks what the stored form cannot hold, before anything is written.
            StreamMetadataCodec.encode(updated);
            ExpectedVersion expected = current.metastreamVersion() < 0
                    ? ExpectedVersion.noStream()
                    : ExpectedVersion.exactly(current.metastreamVersion());
            AppendResult result = store.setStreamMetadata(stream, expected, updated);
            if (!json()) {
                io().out().println("metadata of '" + stream + "' set");
            }
            show(updated, result.streamVersion());
        }
        return ExitCodes.OK;
    }

    private StreamMetadata apply(StreamMetadata base) {
        StreamMetadata metadata = base;
        if (maxCount.isPresent()) {
            metadata = metadata.withMaxCount(maxCount.get());
        }
        if (maxAge.isPresent()) {
            metadata = metadata.withMaxAge(maxAge.get());
        }
        if (truncateBefore.isPresent()) {
            metadata = metadata.withTruncateBefore(truncateBefore.get());
        }
        return metadata;
    }

    private void show(StreamMetadata metadata, long metastreamVersion) {
        JsonNode encoded = Json.tryParse(StreamMetadataCodec.encode(metadata))
                .orElseThrow(() -> new IllegalStateException("StreamMetadataCodec wrote JSON that does not parse"));
        if (json()) {
            ObjectNode node = Json.object();
            node.put("stream", stream);
            node.put("metastreamVersion", metastreamVersion);
            node.set("metadata", encoded);
            io().out().println(Json.compact(node));
            io().out().flush();
            return;
        }
        KeyValueTable table = new KeyValueTable();
        table.row("stream", stream);
        table.row(
                "metastream",
                metastreamVersion < 0
                        ? "none (no metadata set)"
                        : SystemNames.metastreamOf(stream) + ", version " + metastreamVersion);
        table.row("max count", text(metadata.maxCount()));
        table.row("max age", metadata.maxAge().map(MetadataCommand::duration).orElse("-"));
        table.row(
                "truncate before",
                metadata.isSoftDeleted() ? "deleted (soft delete)" : text(metadata.truncateBefore()));
        table.row(
                "cache control",
                metadata.cacheControl().map(MetadataCommand::duration).orElse("-"));
        table.row(
                "acl",
                Optional.ofNullable(encoded.get("$acl")).map(JsonNode::toString).orElse("-"));
        table.row("custom", metadata.customJson());
        table.print(io().out(), io().widthColumns());
    }

    private static String text(OptionalLong value) {
        return value.isPresent() ? Long.toString(value.getAsLong()) : "-";
    }

    private static String duration(Duration duration) {
        return Durations.format(duration) + " (" + duration.getSeconds() + " s)";
    }
}
