package io.factum.framework.projection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A sink for read models held in memory: checkpoints and dead letters are in memory too, so after
 * a restart the runner replays from the start and the model is rebuilt with them. For tests and
 * small services.
 */
public final class MemoryProjectionSink<E> implements ProjectionSink<E> {
    private final EventHandler<E> handler;
    private final Runnable clear;
    private long[] checkpoints = new long[0];
    private List<List<DeadLetter>> deadLetters = List.of();

    /**
     * @param clear empties the read model (for {@link #reset()})
     */
    public MemoryProjectionSink(EventHandler<E> handler, Runnable clear) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.clear = Objects.requireNonNull(clear, "clear");
    }

    @Override
    public synchronized void open(String projection, int partitions) {
        checkpoints = new long[partitions];
        Arrays.fill(checkpoints, -1);
        List<List<DeadLetter>> letters = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            letters.add(new ArrayList<>());
        }
        deadLetters = letters;
    }

    @Override
    public synchronized long checkpoint(int partition) {
        return checkpoints[partition];
    }

    @Override
    public List<DeadLetter> deadLetters(int partition) {
        List<DeadLetter> letters = deadLetters.get(partition);
        synchronized (letters) {
            return letters.stream()
                    .sorted((a, b) -> Long.compare(a.position(), b.position()))
                    .toList();
        }
    }

    @Override
    public void commit(int partition, List<Step<E>> steps, long from, long to) throws HandlerFailedException {
        List<DeadLetter> letters = deadLetters.get(partition);
        long at = from;
        for (int i = 0; i < steps.size(); i++) {
            Step<E> step = steps.get(i);
            try {
                apply(partition, step, letters);
            } catch (Exception e) {
                setCheckpoint(partition, at);
                throw new HandlerFailedException(i, e);
            }
            at = Math.max(at, step.recorded().position());
        }
        setCheckpoint(partition, to);
    }

    private void apply(int partition, Step<E> step, List<DeadLetter> letters) throws Exception {
        switch (step) {
            case Step.Handle<E> h -> {
                for (E event : h.events()) {
                    handler.handle(new EventEnvelope<>(event, h.recorded()));
                }
            }
            case Step.Park<E> p ->
                add(
                        letters,
                        new DeadLetter(
                                partition, p.recorded().stream(), p.recorded().position(), p.error()));
            case Step.Hold<E> h ->
                add(
                        letters,
                        new DeadLetter(
                                partition, h.recorded().stream(), h.recorded().position(), null));
            case Step.Release<E> r -> {
                for (E event : r.events()) {
                    handler.handle(new EventEnvelope<>(event, r.recorded()));
                }
                synchronized (letters) {
                    letters.removeIf(d -> d.position() == r.recorded().position());
                }
            }
        }
    }

    private static void add(List<DeadLetter> letters, DeadLetter letter) {
        synchronized (letters) {
            letters.removeIf(d -> d.position() == letter.position());
            letters.add(letter);
        }
    }

    private synchronized void setCheckpoint(int partition, long position) {
        checkpoints[partition] = Math.max(checkpoints[partition], position);
    }

    @Override
    public synchronized void reset() {
        Arrays.fill(checkpoints, -1);
        deadLetters.forEach(letters -> {
            synchronized (letters) {
                letters.clear();
            }
        });
        clear.run();
    }
}
