package io.factum.framework.projection;

import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.api.SystemNames;
import io.factum.framework.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs a projection: reads {@code $all} from the stored checkpoints, and applies each event to a
 * read model through a {@link ProjectionSink}, in order per stream.
 *
 * <ul>
 *   <li><b>Partitions.</b> A stream belongs to one of {@code partitions} partitions (by its
 *       name's hash); each partition runs on a thread of its own, with its own checkpoint, so
 *       streams are applied in parallel and each stream in order.
 *   <li><b>Several instances.</b> With {@link Builder#leases(Duration)}, instances of a service
 *       running the same projection share its partitions through leases kept in the store, and
 *       take over a dead instance's partitions within the lease timeout plus a heartbeat.
 *   <li><b>Dead letters.</b> An event that keeps failing parks its stream: it and the stream's
 *       later events wait in the dead-letter queue, in order, while other streams go on. {@link
 *       #retry(String)} and {@link #skip(String)} release them.
 *   <li><b>Read your writes.</b> {@link #awaitPosition(long, Duration)} waits until the read model
 *       has applied everything up to a position; {@link #changes} tells listeners about each
 *       event applied.
 * </ul>
 *
 * @param <E> domain events
 */
public final class ProjectionRunner<E> implements AutoCloseable {
    private final EventStore store;
    private final String name;
    private final String instance;
    private final EventCodec<E> codec;
    private final ProjectionSink<E> sink;
    private final int partitions;
    private final EventFilter filter;
    private final int queueCapacity;
    private final PartitionWorker.Settings settings;
    private final @Nullable Duration leaseTimeout;
    private final LongSupplier nanoTime;
    private final Map<Integer, PartitionWorker<E>> workers = new ConcurrentHashMap<>();
    private final Map<Integer, Thread> threads = new ConcurrentHashMap<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private final System.Logger log = System.getLogger(ProjectionRunner.class.getName());
    private volatile @Nullable Subscription subscription;
    private volatile int generation;
    /** How far the current reader has handed events out; only its own generation moves it. */
    private final java.util.concurrent.atomic.AtomicReference<Mark> dispatched =
            new java.util.concurrent.atomic.AtomicReference<>(new Mark(0, -1));

    private volatile boolean started;
    private volatile boolean closed;
    private @Nullable Thread heartbeat;
    private @Nullable Leases leases;

    private ProjectionRunner(Builder<E> b) {
        this.store = b.store;
        this.name = b.name;
        this.instance = b.instance;
        this.codec = b.codec;
        this.sink = b.sink;
        this.partitions = b.partitions;
        this.filter = b.filter;
        this.queueCapacity = b.queueCapacity;
        this.leaseTimeout = b.leaseTimeout;
        this.nanoTime = b.nanoTime;
        this.settings = new PartitionWorker.Settings(
                b.batchSize, b.maxAttempts, b.retryDelay.toNanos(), b.idleSave.toNanos(), b.nanoTime);
    }

    /**
     * @param name the projection's identity: its checkpoints, dead letters and leases are kept
     *     under it
     */
    public static <E> Builder<E> builder(EventStore store, String name, EventCodec<E> codec, ProjectionSink<E> sink) {
        return new Builder<>(store, name, codec, sink);
    }

    public String name() {
        return name;
    }

    public String instance() {
        return instance;
    }

    /** The partition a stream belongs to: its name's {@link String#hashCode()}, the same in every JVM. */
    public int partitionOf(String stream) {
        return Math.floorMod(stream.hashCode(), partitions);
    }

    /** Opens the sink and starts work: on every partition, or on the leases this instance gets. */
    public ProjectionRunner<E> start() throws Exception {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("projection " + name + " is started already");
            }
            started = true;
            sink.open(name, partitions);
            Thread marks = Thread.ofPlatform()
                    .daemon()
                    .name("projection-" + name + "-marks")
                    .unstarted(this::markLoop);
            if (leaseTimeout == null) {
                claim(allPartitions());
            } else {
                leases = new Leases(store, name, instance, partitions, leaseTimeout.toNanos(), nanoTime);
                heartbeat = Thread.ofPlatform()
                        .daemon()
                        .name("projection-" + name + "-leases")
                        .unstarted(this::leaseLoop);
                heartbeat.start();
            }
            marks.start();
        }
        return this;
    }

    private Set<Integer> allPartitions() {
        Set<Integer> all = new java.util.HashSet<>();
        for (int p = 0; p < partitions; p++) {
            all.add(p);
        }
        return all;
    }

    private void leaseLoop() {
        long interval = Math.max(1, Objects.requireNonNull(leaseTimeout).toMillis() / 4);
        Leases.Owner owner = new Leases.Owner() {
            @Override
            public void release(Set<Integer> lost) {
                ProjectionRunner.this.release(lost);
            }

            @Override
            public void claim(Set<Integer> gained) {
                ProjectionRunner.this.claim(gained);
            }

            @Override
            public Set<Integer> running() {
                return Set.copyOf(workers.keySet());
            }
        };
        while (!closed) {
            Objects.requireNonNull(leases).tick(owner);
            sleep(interval);
        }
    }

    /** Pushes the reader's position to every partition now and then, and drops lost partitions. */
    private record Mark(int generation, long position) {}

    private void markLoop() {
        Mark last = null;
        while (!closed) {
            Mark mark = dispatched.get();
            if (!mark.equals(last)) {
                workers.values().forEach(w -> w.mark(mark.generation(), mark.position()));
                last = mark;
            }
            List<Integer> lost = workers.values().stream()
                    .filter(PartitionWorker::lost)
                    .map(w -> w.partition)
                    .toList();
            if (!lost.isEmpty()) {
                log.log(
                        System.Logger.Level.WARNING,
                        "projection {0}: partitions {1} were taken over elsewhere",
                        name,
                        lost);
                release(Set.copyOf(lost));
            }
            sleep(20);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts work on partitions: loads each one's checkpoint, starts its thread, re-reads from the lowest. */
    private void claim(Set<Integer> gained) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            for (int p : gained) {
                if (workers.containsKey(p)) {
                    continue;
                }
                PartitionWorker<E> worker = new PartitionWorker<>(
                        name,
                        p,
                        sink,
                        codec,
                        store,
                        settings,
                        queueCapacity,
                        this::publish,
                        () -> !listeners.isEmpty());
                try {
                    worker.load();
                } catch (Exception e) {
                    log.log(
                            System.Logger.Level.WARNING,
                            "projection " + name + ": partition " + p + " did not load",
                            e);
                    continue;
                }
                workers.put(p, worker);
                Thread thread =
                        Thread.ofPlatform().name("projection-" + name + "-" + p).start(worker);
                threads.put(p, thread);
            }
            resubscribe();
        }
    }

    /** Stops work on partitions, waiting until nothing more of theirs will be committed. */
    private void release(Set<Integer> lost) {
        synchronized (lock) {
            for (int p : lost) {
                PartitionWorker<E> worker = workers.remove(p);
                if (worker != null) {
                    worker.stop();
                }
            }
            for (int p : lost) {
                Thread thread = threads.remove(p);
                if (thread != null) {
                    try {
                        thread.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
    }

    /** (Re)starts the reader from the lowest position any running partition still needs. */
    private void resubscribe() {
        Subscription old = subscription;
        int gen = ++generation;
        if (old != null) {
            old.close();
        }
        if (workers.isEmpty()) {
            subscription = null;
            return;
        }
        long from = workers.values().stream()
                .mapToLong(PartitionWorker::enqueuedThrough)
                .min()
                .orElse(-1);
        dispatched.set(new Mark(gen, from));
        workers.values().forEach(w -> w.firstGeneration(gen));
        SubscribeFrom start = from < 0 ? SubscribeFrom.start() : SubscribeFrom.after(from);
        subscription = store.subscribeToAll(SubscribeAllOptions.from(start).withFilter(filter), new Reader(gen));
    }

    /**
     * Hands the events to their partitions' queues, a run per partition (waiting while a queue is
     * full: that is the backpressure).
     */
    private final class Reader implements SubscriptionListener {
        private final int gen;

        Reader(int gen) {
            this.gen = gen;
        }

        @Override
        public void onEvent(Subscription sub, RecordedEvent event) {
            onEvents(sub, List.of(event));
        }

        @Override
        @SuppressWarnings("unchecked")
        public void onEvents(Subscription sub, List<RecordedEvent> events) {
            if (gen != generation) {
                return;
            }
            List<RecordedEvent>[] runs = new List[partitions];
            for (RecordedEvent event : events) {
                if (!SystemNames.isSystemStream(event.stream())
                        && !event.type().startsWith(SystemNames.SYSTEM_PREFIX)) {
                    int p = partitionOf(event.stream());
                    if (runs[p] == null) {
                        runs[p] = new ArrayList<>();
                    }
                    runs[p].add(event);
                }
            }
            for (int p = 0; p < partitions; p++) {
                if (gen != generation) {
                    return; // closed or restarted while this run was handed out: the rest is not wanted
                }
                PartitionWorker<E> worker = runs[p] == null ? null : workers.get(p);
                if (worker != null) {
                    try {
                        worker.offer(gen, runs[p]);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            advance(events.getLast().position());
        }

        private void advance(long position) {
            dispatched.updateAndGet(
                    m -> m.generation() == gen && position > m.position() ? new Mark(gen, position) : m);
        }

        @Override
        public void onCheckpoint(Subscription sub, long position) {
            advance(position - 1); // everything before it was examined
        }

        @Override
        public void onStopped(Subscription sub, Optional<Throwable> error) {
            if (gen != generation || closed || error.isEmpty()) {
                return;
            }
            log.log(
                    System.Logger.Level.WARNING,
                    "projection " + name + ": reading $all stopped; reading again",
                    error.get());
            Thread.ofVirtual().start(() -> {
                sleep(1000);
                synchronized (lock) {
                    if (gen == generation && !closed) {
                        resubscribe();
                    }
                }
            });
        }
    }

    private void publish(Change change) {
        for (Consumer<Change> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.WARNING, "projection " + name + ": a change listener failed", e);
            }
        }
    }

    /**
     * Tells {@code listener} about each event applied from now on, on the partition's thread,
     * after the commit: keep it short (hand off to a queue). Returns what removes it.
     */
    public AutoCloseable changes(Consumer<Change> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    /**
     * Waits until every partition has applied everything up to {@code position} (events of
     * partitions other instances run are judged by their stored checkpoints).
     *
     * @return false when the timeout passed first
     */
    public boolean awaitPosition(long position, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int p = 0; p < partitions; p++) {
            if (!awaitPartition(p, position, deadline)) {
                return false;
            }
        }
        return true;
    }

    /** Waits until the partition of {@code stream} has applied everything up to {@code position}. */
    public boolean awaitPosition(String stream, long position, Duration timeout) throws InterruptedException {
        return awaitPartition(partitionOf(stream), position, System.nanoTime() + timeout.toNanos());
    }

    private boolean awaitPartition(int partition, long position, long deadline) throws InterruptedException {
        while (true) {
            if (processedThrough(partition) >= position) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(workers.containsKey(partition) ? 2 : 50);
        }
    }

    private long processedThrough(int partition) {
        PartitionWorker<E> worker = workers.get(partition);
        if (worker != null) {
            return worker.processedThrough();
        }
        try {
            return sink.checkpoint(partition);
        } catch (Exception e) {
            return -1;
        }
    }

    /** Each partition as this instance sees it. */
    public List<PartitionStatus> status() {
        List<PartitionStatus> out = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            PartitionWorker<E> w = workers.get(p);
            if (w != null) {
                out.add(new PartitionStatus(p, true, instance, w.processedThrough(), w.queued(), w.parkedStreams()));
            } else {
                out.add(new PartitionStatus(p, false, "", processedThrough(p), 0, 0));
            }
        }
        return out;
    }

    /** The partitions this instance runs (no store or database reads, unlike {@link #status()}). */
    public List<PartitionStatus> localStatus() {
        List<PartitionStatus> out = new ArrayList<>();
        workers.forEach((p, w) ->
                out.add(new PartitionStatus(p, true, instance, w.processedThrough(), w.queued(), w.parkedStreams())));
        return out;
    }

    /** Where the running partitions are against the store's head. */
    public ProjectionProgress progress() {
        long through = workers.values().stream()
                .mapToLong(PartitionWorker::processedThrough)
                .min()
                .orElse(-1);
        long handled =
                workers.values().stream().mapToLong(PartitionWorker::handled).sum();
        return new ProjectionProgress(through, store.headPosition(), handled);
    }

    /** Every partition's dead letters, oldest first per partition. */
    public List<DeadLetter> deadLetters() throws Exception {
        List<DeadLetter> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            out.addAll(sink.deadLetters(p));
        }
        return out;
    }

    /**
     * Applies a parked stream's dead letters again, in order; the stream goes on when all pass.
     *
     * @return how many were applied (fewer than parked when one failed again: it stays parked)
     * @throws IllegalStateException when this instance does not run the stream's partition
     */
    public int retry(String stream, Duration timeout) throws Exception {
        return release(stream, false, timeout);
    }

    /** Drops the failed event of a parked stream and applies the rest, as {@link #retry} does. */
    public int skip(String stream, Duration timeout) throws Exception {
        return release(stream, true, timeout);
    }

    private int release(String stream, boolean skipFirst, Duration timeout) throws Exception {
        int p = partitionOf(stream);
        PartitionWorker<E> worker = workers.get(p);
        if (worker == null) {
            throw new IllegalStateException("partition " + p + " (of stream " + stream + ") runs on another instance:"
                    + " retry or skip there");
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        worker.control(new PartitionWorker.Release(stream, skipFirst, done));
        try {
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("the partition of " + stream + " did not get to the release within " + timeout);
        }
    }

    /**
     * Rebuilds the read model: stops, empties it through the sink, starts again from the first
     * event, and returns once it has caught up with the head as it stood, telling {@code progress}
     * on the way. Run it on one instance, with the others stopped (or build a new projection
     * beside the old one and switch, see {@code docs/framework.md}).
     */
    public void rebuild(Consumer<ProjectionProgress> progress, Duration timeout) throws Exception {
        synchronized (lock) {
            release(Set.copyOf(workers.keySet()));
            sink.reset();
            claim(allPartitions());
        }
        awaitCaughtUp(progress, timeout);
    }

    /**
     * Waits until the running partitions have applied everything up to the head as it stands
     * now, telling {@code progress} every 100 ms.
     */
    public void awaitCaughtUp(Consumer<ProjectionProgress> progress, Duration timeout) throws Exception {
        long head = store.headPosition();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ProjectionProgress now = progress();
            progress.accept(now);
            if (now.processedThrough() >= head) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                throw new TimeoutException(
                        "projection " + name + " did not catch up within " + timeout + ": " + now.bar(20));
            }
            Thread.sleep(100);
        }
    }

    /**
     * A blue-green rebuild: {@code next} (a runner of a new projection name writing a new read
     * model) is started if it is not, and once it has caught up with the head as it stands now,
     * {@code swap} switches the readers to it (for example {@code CREATE OR REPLACE VIEW}); then
     * this runner is closed. The old read model serves until the swap, so readers never see a
     * half-built one.
     */
    public void replaceWhenCaughtUp(
            ProjectionRunner<?> next, Runnable swap, Consumer<ProjectionProgress> progress, Duration timeout)
            throws Exception {
        if (!next.started) {
            next.start();
        }
        next.awaitCaughtUp(progress, timeout);
        swap.run();
        close();
    }

    /** Stops reading and lets each partition finish its current batch. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            Subscription sub = subscription;
            if (sub != null) {
                sub.close();
            }
            release(Set.copyOf(workers.keySet()));
        }
        Thread beat = heartbeat;
        if (beat != null) {
            try {
                beat.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Options of a runner; {@link #build()} makes it. */
    public static final class Builder<E> {
        private final EventStore store;
        private final String name;
        private final EventCodec<E> codec;
        private final ProjectionSink<E> sink;
        private String instance = UUID.randomUUID().toString();
        private int partitions = 4;
        private EventFilter filter = EventFilter.none();
        private int batchSize = 500;
        private int queueCapacity = 4096;
        private int maxAttempts = 5;
        private Duration retryDelay = Duration.ofMillis(100);
        private Duration idleSave = Duration.ofSeconds(1);
        private @Nullable Duration leaseTimeout;
        private LongSupplier nanoTime = System::nanoTime;

        private Builder(EventStore store, String name, EventCodec<E> codec, ProjectionSink<E> sink) {
            this.store = Objects.requireNonNull(store, "store");
            this.name = Objects.requireNonNull(name, "name");
            this.codec = Objects.requireNonNull(codec, "codec");
            this.sink = Objects.requireNonNull(sink, "sink");
            if (name.isBlank() || name.startsWith("$")) {
                throw new IllegalArgumentException(
                        "a projection name must not be blank or start with $: '" + name + "'");
            }
        }

        /** How many partitions (default 4); fixed for the projection's life: changing it means a rebuild. */
        public Builder<E> partitions(int count) {
            if (count < 1 || count > 1024) {
                throw new IllegalArgumentException("partitions must be 1 to 1024, was " + count);
            }
            this.partitions = count;
            return this;
        }

        /** This instance's id among those sharing the projection (default: a random UUID). */
        public Builder<E> instance(String id) {
            this.instance = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * Shares the partitions with other instances through leases kept in the store; a dead
         * instance's partitions are taken over after {@code timeout} without its heartbeat.
         */
        public Builder<E> leases(Duration timeout) {
            if (timeout.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("the lease timeout must be at least 100 ms, was " + timeout);
            }
            this.leaseTimeout = timeout;
            return this;
        }

        /**
         * Which events the store sends (default: all; a filter matched on the store's side saves
         * sending what the projection does not want, at the cost of matching every event there).
         * System events are skipped whatever the filter.
         */
        public Builder<E> filter(EventFilter storeSide) {
            this.filter = Objects.requireNonNull(storeSide, "storeSide");
            return this;
        }

        /** Most events per commit (default 500). */
        public Builder<E> batchSize(int events) {
            this.batchSize = positive("batchSize", events);
            return this;
        }

        /** Most events waiting per partition (default 4096); a full queue slows the reader down. */
        public Builder<E> queueCapacity(int events) {
            this.queueCapacity = positive("queueCapacity", events);
            return this;
        }

        /** How often a failing event is tried before its stream is parked (default 5), and the first wait. */
        public Builder<E> retries(int attempts, Duration firstDelay) {
            this.maxAttempts = positive("attempts", attempts);
            this.retryDelay = Objects.requireNonNull(firstDelay, "firstDelay");
            return this;
        }

        /** How often an idle partition's stored checkpoint is moved up to the reader (default 1 s). */
        public Builder<E> idleCheckpointInterval(Duration interval) {
            this.idleSave = Objects.requireNonNull(interval, "interval");
            return this;
        }

        public Builder<E> nanoTime(LongSupplier source) {
            this.nanoTime = Objects.requireNonNull(source, "source");
            return this;
        }

        private static int positive(String what, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be >= 1, was " + value);
            }
            return value;
        }

        public ProjectionRunner<E> build() {
            return new ProjectionRunner<>(this);
        }
    }
}
