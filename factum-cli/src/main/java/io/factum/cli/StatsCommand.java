package io.factum.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.engine.EngineStats;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code factum stats}: the engine's statistics as a table (or one JSON object). */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {"Shows the data directory's statistics: events, streams, segments, index, sizes.", ""})
final class StatsCommand extends Verb {

    @Override
    public Integer call() throws IOException {
        requireDataDirectory("stats", "it reads the engine's own counters");
        requireExistingDataDir();
        EngineStats stats = opener().stats(dataDir());
        if (json()) {
            io().out().println(Json.compact(toJson(stats)));
            io().out().flush();
            return ExitCodes.OK;
        }
        new KeyValueTable()
                .row("data directory", dataDir().toString())
                .row(
                        "head position",
                        Long.toString(stats.headPosition()) + (stats.headPosition() < 0 ? " (empty)" : ""))
                .row("events", count(stats.eventCount()))
                .row("streams", count(stats.streamCount()))
                .row("log segments", count(stats.segmentCount()))
                .row("log size", bytes(stats.logBytes()))
                .row("indexed up to position", Long.toString(stats.indexedUpToPosition()))
                .row("index files", count(stats.indexFileCount()))
                .row("index size", bytes(stats.indexBytes()))
                .row("appends since open", count(stats.appendsCommitted()))
                .row("fsyncs since open", count(stats.syncs()))
                .row("write queue depth", count(stats.writeQueueDepth()))
                .print(io().out(), io().widthColumns());
        return ExitCodes.OK;
    }

    private static ObjectNode toJson(EngineStats stats) {
        ObjectNode node = Json.object();
        node.put("headPosition", stats.headPosition());
        node.put("eventCount", stats.eventCount());
        node.put("streamCount", stats.streamCount());
        node.put("segmentCount", stats.segmentCount());
        node.put("logBytes", stats.logBytes());
        node.put("indexedUpToPosition", stats.indexedUpToPosition());
        node.put("indexFileCount", stats.indexFileCount());
        node.put("indexBytes", stats.indexBytes());
        node.put("appendsCommitted", stats.appendsCommitted());
        node.put("syncs", stats.syncs());
        node.put("writeQueueDepth", stats.writeQueueDepth());
        return node;
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** Bytes with a binary unit, and the exact count: "1.5 MiB (1,572,864 bytes)". */
    static String bytes(long value) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        if (value < 1024) {
            return value + " bytes";
        }
        double scaled = value;
        int unit = -1;
        while (scaled >= 1024 && unit < units.length - 1) {
            scaled /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%,d bytes)", scaled, units[unit], value);
    }
}
