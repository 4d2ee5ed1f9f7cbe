package io.factum.framework.projection;

import io.factum.api.EventStore;
import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import io.factum.framework.EventCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Works on one partition of a projection on a thread of its own: takes the partition's events
 * from a bounded queue in order, decodes them, and commits them to the sink in batches. A stream
 * whose event keeps failing is parked: that event and its stream's later ones go to the
 * dead-letter queue, in order, while other streams go on.
 */
final class PartitionWorker<E> implements Runnable {
    /**
     * Everything of the partition up to this position was enqueued before this marker, by the
     * reader of generation {@code generation}.
     */
    record Watermark(int generation, long position) {}

    /** Release a parked stream: apply its dead letters in order (skipping the failed one first if asked). */
    record Release(String stream, boolean skipFirst, CompletableFuture<Integer> done) {}

    private final String projection;
    final int partition;
    private final ProjectionSink<E> sink;
    private final EventCodec<E> codec;
    private final EventStore store;
    private final Settings settings;
    private final Consumer<Change> changes;
    private final BooleanSupplier listening;
    private final PartitionQueue queue;
    private final Set<String> parked = new HashSet<>();
    private volatile boolean stopping;
    private volatile boolean lost;
    private volatile long processedThrough;
    private volatile long enqueuedThrough;
    private long checkpoint;
    private long lastSaved;
    private long handled;
    /** Marks of readers older than this one know nothing of this worker's events; they are ignored. */
    private volatile int firstGeneration = Integer.MAX_VALUE;

    /** What every partition of a runner shares. */
    record Settings(int batchSize, int maxAttempts, long retryDelayNanos, long idleSaveNanos, LongSupplier nanoTime) {}

    PartitionWorker(
            String projection,
            int partition,
            ProjectionSink<E> sink,
            EventCodec<E> codec,
            EventStore store,
            Settings settings,
            int queueCapacity,
            Consumer<Change> changes,
            BooleanSupplier listening) {
        this.projection = projection;
        this.partition = partition;
        this.sink = sink;
        this.codec = codec;
        this.store = store;
        this.settings = settings;
        this.changes = changes;
        this.listening = listening;
        this.queue = new PartitionQueue(queueCapacity);
    }

    /** Loads the checkpoint and the parked streams; before the thread starts. */
    void load() throws Exception {
        checkpoint = sink.checkpoint(partition);
        processedThrough = checkpoint;
        enqueuedThrough = checkpoint;
        for (DeadLetter letter : sink.deadLetters(partition)) {
            parked.add(letter.stream());
        }
    }

    long checkpoint() {
        return checkpoint;
    }

    long processedThrough() {
        return processedThrough;
    }

    long enqueuedThrough() {
        return enqueuedThrough;
    }

    long handled() {
        return handled;
    }

    int queued() {
        return queue.size();
    }

    synchronized int parkedStreams() {
        return parked.size();
    }

    boolean lost() {
        return lost;
    }

    /**
     * Enqueues events of this partition a reader of generation {@code generation} read, in
     * position order (waiting while the queue is full); false once the worker stops.
     */
    boolean offer(int generation, List<RecordedEvent> events) throws InterruptedException {
        if (generation < firstGeneration) {
            // A reader started before this worker, and already past events of this partition it
            // skipped: taking these would make those look enqueued. The new reader brings them.
            return true;
        }
        int fresh = 0;
        while (fresh < events.size() && events.get(fresh).position() <= enqueuedThrough) {
            fresh++; // seen already (the reader restarted from an earlier position)
        }
        if (fresh == events.size()) {
            return true;
        }
        PartitionQueue.Run run = new PartitionQueue.Run(events.subList(fresh, events.size()));
        while (!stopping) {
            if (queue.offer(run, 50, TimeUnit.MILLISECONDS)) {
                enqueuedThrough = events.getLast().position();
                return true;
            }
        }
        return false;
    }

    /** From this reader generation on, marks count (set before the reader starts). */
    void firstGeneration(int generation) {
        firstGeneration = Math.min(firstGeneration, generation);
    }

    void mark(int generation, long position) {
        if (generation >= firstGeneration) {
            queue.offer(new Watermark(generation, position)); // dropped when full: a later one will do
        }
    }

    void control(Object command) throws InterruptedException {
        queue.put(command);
    }

    void stop() {
        stopping = true;
        queue.wake();
    }

    @Override
    public void run() {
        List<Object> items = new ArrayList<>(settings.batchSize());
        try {
            while (!stopping && !lost) {
                if (!queue.drainTo(items, settings.batchSize(), 100, TimeUnit.MILLISECONDS)) {
                    saveIfIdle(); // the last mark may have come too soon after a commit to save
                    continue;
                }
                process(items);
                items.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void process(List<Object> items) throws InterruptedException {
        List<RecordedEvent> batch = new ArrayList<>(items.size());
        for (Object item : items) {
            switch (item) {
                case PartitionQueue.Run run -> batch.addAll(run.events());
                case Watermark mark -> {
                    commitBatch(batch);
                    batch.clear();
                    processedThrough = Math.max(processedThrough, mark.position());
                    saveIfIdle();
                }
                case Release release -> {
                    commitBatch(batch);
                    batch.clear();
                    release(release);
                }
                default -> throw new IllegalStateException("unexpected " + item);
            }
        }
        commitBatch(batch);
    }

    private void commitBatch(List<RecordedEvent> batch) throws InterruptedException {
        List<Step<E>> steps = new ArrayList<>(batch.size());
        boolean anyParked = !parked.isEmpty(); // only this thread changes parked: no lock to read it here
        for (RecordedEvent event : batch) {
            if (event.position() > checkpoint) {
                Step<E> step = step(event, anyParked);
                anyParked |= step instanceof Step.Park<E>;
                steps.add(step);
            }
        }
        if (!steps.isEmpty()) {
            commit(steps);
        }
    }

    /** On this worker's thread, the only one that changes {@code parked}: it reads it unlocked. */
    private Step<E> step(RecordedEvent event, boolean anyParked) {
        if (anyParked && parked.contains(event.stream())) {
            return new Step.Hold<>(event);
        }
        try {
            return new Step.Handle<>(event, codec.decode(event));
        } catch (RuntimeException e) {
            synchronized (this) {
                parked.add(event.stream());
            }
            return new Step.Park<>(event, "does not decode: " + e.getMessage());
        }
    }

    /** Commits the steps, retrying failures as the settings allow, parking what keeps failing. */
    private void commit(List<Step<E>> steps) throws InterruptedException {
        int attempts = 0;
        while (!steps.isEmpty() && !stopping && !lost) {
            long last = steps.getLast().recorded().position();
            try {
                sink.commit(partition, steps, checkpoint, last);
                advance(steps, last);
                return;
            } catch (HandlerFailedException e) {
                int i = e.index();
                if (i > 0) {
                    advance(steps.subList(0, i), steps.get(i - 1).recorded().position());
                    steps = steps.subList(i, steps.size());
                    attempts = 0;
                }
                if (++attempts < settings.maxAttempts()) {
                    pause(attempts);
                } else {
                    steps = parkFirst(steps, String.valueOf(e.getCause()));
                    attempts = 0;
                }
            } catch (CheckpointMovedException e) {
                lost = true;
            } catch (Exception e) {
                pause(Math.min(++attempts, 8)); // the sink failed: wait, reload, try again; never park
                reload(steps);
                steps = steps.stream()
                        .filter(s -> s.recorded().position() > checkpoint)
                        .toList();
            }
        }
    }

    private void advance(List<Step<E>> done, long position) {
        checkpoint = Math.max(checkpoint, position);
        processedThrough = Math.max(processedThrough, position);
        lastSaved = settings.nanoTime().getAsLong();
        if (!listening.getAsBoolean()) {
            countHandled(done);
            return;
        }
        for (Step<E> step : done) {
            if (step instanceof Step.Handle<E> || step instanceof Step.Release<E>) {
                handled++;
                RecordedEvent r = step.recorded();
                changes.accept(new Change(projection, partition, r.stream(), r.position(), r.type()));
            }
        }
    }

    private void countHandled(List<Step<E>> done) {
        for (Step<E> step : done) {
            if (step instanceof Step.Handle<E> || step instanceof Step.Release<E>) {
                handled++;
            }
        }
    }

    /** The steps with the first one parked and its stream's later ones held. */
    private List<Step<E>> parkFirst(List<Step<E>> steps, String error) {
        String stream = steps.getFirst().recorded().stream();
        synchronized (this) {
            parked.add(stream);
        }
        List<Step<E>> out = new ArrayList<>(steps.size());
        out.add(new Step.Park<>(steps.getFirst().recorded(), error));
        for (Step<E> step : steps.subList(1, steps.size())) {
            out.add(step.recorded().stream().equals(stream) ? new Step.Hold<>(step.recorded()) : step);
        }
        return out;
    }

    private void reload(List<Step<E>> steps) {
        try {
            checkpoint = Math.max(checkpoint, sink.checkpoint(partition));
        } catch (Exception ignored) {
            // still failing: the next attempt waits again
        }
    }

    private void pause(int attempt) throws InterruptedException {
        long nanos = settings.retryDelayNanos() << Math.min(attempt - 1, 10);
        TimeUnit.NANOSECONDS.sleep(Math.min(nanos, TimeUnit.SECONDS.toNanos(5)));
    }

    /** Moves the stored checkpoint up to the watermark now and then, so idle partitions do not lag. */
    private void saveIfIdle() throws InterruptedException {
        long now = settings.nanoTime().getAsLong();
        if (processedThrough > checkpoint && queue.isEmpty() && now - lastSaved >= settings.idleSaveNanos()) {
            try {
                sink.commit(partition, List.of(), checkpoint, processedThrough);
                checkpoint = processedThrough;
            } catch (CheckpointMovedException e) {
                lost = true;
            } catch (Exception e) {
                // not worth a retry: the next watermark tries again
            }
            lastSaved = now;
        }
    }

    /** Applies a parked stream's dead letters in order; completes with how many were released. */
    private void release(Release release) throws InterruptedException {
        try {
            List<DeadLetter> letters = sink.deadLetters(partition).stream()
                    .filter(d -> d.stream().equals(release.stream()))
                    .toList();
            int released = 0;
            for (DeadLetter letter : letters) {
                RecordedEvent event = fetch(letter.position());
                boolean skip = release.skipFirst() && released == 0;
                List<E> events = skip ? List.of() : codec.decode(event);
                try {
                    sink.commit(partition, List.of(new Step.Release<>(event, events)), checkpoint, checkpoint);
                } catch (HandlerFailedException e) {
                    sink.commit(
                            partition,
                            List.of(new Step.Park<>(event, String.valueOf(e.getCause()))),
                            checkpoint,
                            checkpoint);
                    release.done().complete(released);
                    return;
                }
                released++;
            }
            synchronized (this) {
                parked.remove(release.stream());
            }
            release.done().complete(released);
        } catch (CheckpointMovedException e) {
            lost = true;
            release.done().completeExceptionally(e);
        } catch (Exception e) {
            release.done().completeExceptionally(e);
        }
    }

    private RecordedEvent fetch(long position) {
        List<RecordedEvent> found =
                store.readAll(ReadAllOptions.forwards(position, 1)).events();
        if (found.isEmpty() || found.getFirst().position() != position) {
            throw new IllegalStateException("the event at position " + position + " is no longer in the store");
        }
        return found.getFirst();
    }
}
