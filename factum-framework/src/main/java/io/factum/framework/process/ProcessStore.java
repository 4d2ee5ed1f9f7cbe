package io.factum.framework.process;

import io.factum.api.ContentType;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The streams of one process manager's processes: {@code process-<name>-<id>}, one step per event. */
final class ProcessStore {
    static final String STEP_TYPE = "$step";

    private final EventStore store;
    private final String name;

    ProcessStore(EventStore store, String name) {
        this.store = store;
        this.name = name;
    }

    String streamOf(String process) {
        return "process-" + name + "-" + process;
    }

    /** A process's newest step and the stream version it is at (-1 and null: not started). */
    record Latest(@Nullable ProcessStep step, long version) {}

    Latest latest(String process) {
        ReadStreamResult result = store.readStream(streamOf(process), Long.MAX_VALUE, Direction.BACKWARDS, 1);
        if (!(result instanceof ReadStreamResult.Found found) || found.events().isEmpty()) {
            return new Latest(null, result instanceof ReadStreamResult.Found f ? f.lastStreamVersion() : -1);
        }
        RecordedEvent last = found.events().getFirst();
        return new Latest(parse(last), last.version());
    }

    /** The step that handled {@code input}, searching from the newest. */
    @Nullable
    ProcessStep find(String process, String input) {
        long from = Long.MAX_VALUE;
        while (true) {
            ReadStreamResult result = store.readStream(streamOf(process), from, Direction.BACKWARDS, 64);
            if (!(result instanceof ReadStreamResult.Found found)
                    || found.events().isEmpty()) {
                return null;
            }
            for (RecordedEvent event : found.events()) {
                ProcessStep step = parse(event);
                if (step.input().equals(input)) {
                    return step;
                }
            }
            long oldest = found.events().getLast().version();
            if (oldest == 0) {
                return null;
            }
            from = oldest - 1;
        }
    }

    /**
     * Appends a step after version {@code expected}.
     *
     * @throws io.factum.api.WrongExpectedVersionException when another step came first
     */
    void append(String process, ProcessStep step, long expected, String correlationId) {
        UUID id = UUID.nameUUIDFromBytes((name + "/" + process + "/" + step.input()).getBytes(StandardCharsets.UTF_8));
        byte[] metadata = ("{\"$correlationId\":" + quote(correlationId) + "}").getBytes(StandardCharsets.UTF_8);
        EventData event = new EventData(id, STEP_TYPE, step.toJson(), metadata, ContentType.JSON);
        store.append(
                streamOf(process),
                expected < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(expected),
                List.of(event));
    }

    private static String quote(String text) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
    }

    private ProcessStep parse(RecordedEvent event) {
        try {
            return ProcessStep.fromJson(event.data());
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException(
                    "step " + event.version() + " of " + event.stream() + " does not read: " + e.getMessage(), e));
        }
    }
}
