package io.factum.framework.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamMetadata;
import io.factum.api.WrongExpectedVersionException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * At-least-once: the handler applies the events (to anything: a search index, a cache, another
 * service), then the checkpoint moves, kept in the event store itself ({@code
 * $projection-<name>-<partition>}, with dead letters in {@code $projection-dlq-<name>-<partition>}).
 * After a crash between the two the handler sees events again, so it must be idempotent, for
 * example by keying writes on the event's id or position.
 */
public final class StoreCheckpointSink<E> implements ProjectionSink<E> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventStore store;
    private final EventHandler<E> handler;
    private final Runnable clear;
    private String projection = "";
    private long[] checkpointVersions = new long[0];

    /**
     * @param clear empties the read model for a rebuild
     */
    public StoreCheckpointSink(EventStore store, EventHandler<E> handler, Runnable clear) {
        this.store = Objects.requireNonNull(store, "store");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.clear = Objects.requireNonNull(clear, "clear");
    }

    private String checkpointStream(int partition) {
        return "$projection-" + projection + "-" + partition;
    }

    private String deadLetterStream(int partition) {
        return "$projection-dlq-" + projection + "-" + partition;
    }

    @Override
    public synchronized void open(String name, int partitions) {
        this.projection = name;
        this.checkpointVersions = new long[partitions];
        java.util.Arrays.fill(checkpointVersions, -2); // not read yet
    }

    @Override
    public synchronized long checkpoint(int partition) throws IOException {
        ReadStreamResult result = store.readStream(checkpointStream(partition), Long.MAX_VALUE, Direction.BACKWARDS, 1);
        if (!(result instanceof ReadStreamResult.Found found) || found.events().isEmpty()) {
            checkpointVersions[partition] = result instanceof ReadStreamResult.Found f ? f.lastStreamVersion() : -1;
            return -1;
        }
        RecordedEvent last = found.events().getFirst();
        checkpointVersions[partition] = last.version();
        return JSON.readTree(last.data()).path("position").asLong(-1);
    }

    @Override
    public List<DeadLetter> deadLetters(int partition) throws IOException {
        Map<Long, DeadLetter> letters = new LinkedHashMap<>();
        long from = 0;
        while (true) {
            ReadStreamResult result = store.readStream(
                    deadLetterStream(partition),
                    from,
                    Direction.FORWARDS,
                    store.limits().maxReadCount());
            if (!(result instanceof ReadStreamResult.Found found)
                    || found.events().isEmpty()) {
                break;
            }
            for (RecordedEvent event : found.events()) {
                JsonNode node = JSON.readTree(event.data());
                long position = node.path("position").asLong();
                if (event.type().equals("$released")) {
                    letters.remove(position);
                } else {
                    String error = node.hasNonNull("error") ? node.get("error").asText() : null;
                    letters.put(
                            position,
                            new DeadLetter(partition, node.path("stream").asText(), position, error));
                }
            }
            if (found.endOfStream()) {
                break;
            }
            from = found.events().getLast().version() + 1;
        }
        List<DeadLetter> out = new ArrayList<>(letters.values());
        out.sort((a, b) -> Long.compare(a.position(), b.position()));
        return out;
    }

    @Override
    public void commit(int partition, List<Step<E>> steps, long from, long to) throws Exception {
        long at = from;
        for (int i = 0; i < steps.size(); i++) {
            Step<E> step = steps.get(i);
            try {
                apply(partition, step);
            } catch (HandlerError e) {
                moveCheckpoint(partition, at);
                throw new HandlerFailedException(i, e.getCause());
            }
            at = Math.max(at, step.recorded().position());
        }
        moveCheckpoint(partition, to);
    }

    /** A handler's exception, told apart from the store's own failures. */
    private static final class HandlerError extends Exception {
        HandlerError(Exception cause) {
            super(cause);
        }
    }

    private void apply(int partition, Step<E> step) throws HandlerError {
        switch (step) {
            case Step.Handle<E> h -> handle(h.recorded(), h.events());
            case Step.Park<E> p -> letter(partition, "$parked", p.recorded(), p.error());
            case Step.Hold<E> h -> letter(partition, "$held", h.recorded(), null);
            case Step.Release<E> r -> {
                handle(r.recorded(), r.events());
                letter(partition, "$released", r.recorded(), null);
            }
        }
    }

    private void handle(RecordedEvent recorded, List<E> events) throws HandlerError {
        try {
            for (E event : events) {
                handler.handle(new EventEnvelope<>(event, recorded));
            }
        } catch (Exception e) {
            throw new HandlerError(e);
        }
    }

    private void letter(int partition, String type, RecordedEvent recorded, String error) {
        ObjectNode node =
                JSON.createObjectNode().put("stream", recorded.stream()).put("position", recorded.position());
        if (error != null) {
            node.put("error", error);
        }
        store.append(
                deadLetterStream(partition), ExpectedVersion.any(), List.of(EventData.json(type, node.toString())));
    }

    private synchronized void moveCheckpoint(int partition, long position) throws Exception {
        long version = checkpointVersions[partition];
        if (version == -2) {
            checkpoint(partition);
            version = checkpointVersions[partition];
        }
        if (version < 0) {
            store.setStreamMetadata(
                    checkpointStream(partition),
                    ExpectedVersion.any(),
                    StreamMetadata.empty().withMaxCount(3));
        }
        String json = JSON.createObjectNode().put("position", position).toString();
        try {
            checkpointVersions[partition] = store.append(
                            checkpointStream(partition),
                            version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version),
                            List.of(EventData.json("$checkpoint", json)))
                    .streamVersion();
        } catch (WrongExpectedVersionException e) {
            checkpointVersions[partition] = -2;
            throw new CheckpointMovedException(projection, partition, position);
        }
    }

    @Override
    public synchronized void reset() throws Exception {
        for (int p = 0; p < checkpointVersions.length; p++) {
            for (DeadLetter letter : deadLetters(p)) {
                ObjectNode node =
                        JSON.createObjectNode().put("stream", letter.stream()).put("position", letter.position());
                store.append(
                        deadLetterStream(p),
                        ExpectedVersion.any(),
                        List.of(EventData.json("$released", node.toString())));
            }
            checkpoint(p); // learns the checkpoint stream's version for the append below
            moveCheckpoint(p, -1);
        }
        clear.run();
    }
}
