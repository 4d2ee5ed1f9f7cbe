package io.factum.framework.migration;

import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.RecordedEvent;
import io.factum.api.SystemNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Copies streams into new ones through a {@link StreamTransform}, in {@code $all} order, for
 * schema changes too big for upcasting. Meant to run while nothing writes the source streams (or
 * alongside a dual write, see {@code docs/framework.md}); running it again copies what was
 * written since.
 *
 * <ul>
 *   <li><b>Resumable.</b> After each page the position reached is checkpointed in the store. A run
 *       that crashed between its appends and its checkpoint recognises, per target stream, the
 *       source events it wrote already (their position is in the target events' metadata).
 *   <li><b>Exact.</b> Target events get ids derived from the source event ids, and appends expect
 *       the target's version. {@link #verify()} recomputes, from the source, what each target
 *       stream must hold and compares ids and counts.
 *   <li>System streams and events ({@code $} names and types: metadata, snapshots, checkpoints)
 *       and events this migration wrote are never migrated.
 * </ul>
 */
public final class Migration {
    private final EventStore store;
    private final String name;
    private final StreamTransform transform;
    private final EventFilter filter;
    private final int pageSize;
    private final Consumer<MigrationProgress> progress;

    private Migration(Builder b) {
        this.store = b.store;
        this.name = b.name;
        this.transform = b.transform;
        this.filter = b.sourcePrefix == null ? EventFilter.none() : EventFilter.streamNamePrefix(b.sourcePrefix);
        this.pageSize = Math.min(b.pageSize, store.limits().maxReadCount());
        this.progress = b.progress;
    }

    /**
     * @param name the migration's identity: its checkpoint stream is {@code $migration-<name>} and
     *     it marks what it writes with it
     */
    public static Builder builder(EventStore store, String name, StreamTransform transform) {
        return new Builder(store, name, transform);
    }

    /** Migrates from the checkpoint to the store's current head. */
    public MigrationReport run() {
        Checkpoints checkpoints = new Checkpoints(store, name);
        long start = checkpoints.load();
        long head = store.headPosition() + 1; // the end of the log as the run starts
        TargetStreams targets = new TargetStreams(store, name);
        Counts counts = new Counts();
        long position = start;
        while (true) {
            ReadAllResult page =
                    store.readAll(ReadAllOptions.forwards(position, pageSize).withFilter(filter));
            long before = counts.source;
            for (RecordedEvent event : page.events()) {
                migrate(event, targets, counts);
            }
            targets.flush();
            boolean progressed = page.nextPosition() > position;
            position = Math.max(position, page.nextPosition());
            if (counts.source > before) {
                // Only after pages that migrated something: a checkpoint is itself an event in
                // $all, and saving one for a page of nothing but checkpoints would never end.
                checkpoints.save(position);
            }
            progress.accept(new MigrationProgress(position, head, counts.source, targets.written()));
            if (page.endOfAll() || !progressed) {
                break;
            }
        }
        return new MigrationReport(
                start,
                position,
                counts.source,
                targets.written(),
                counts.dropped,
                counts.alreadyCopied,
                targets.size());
    }

    private static final class Counts {
        long source;
        long dropped;
        long alreadyCopied;
    }

    private void migrate(RecordedEvent event, TargetStreams targets, Counts counts) {
        String target = targetOf(event);
        if (target == null) {
            return;
        }
        counts.source++;
        if (targets.holds(target, event)) {
            counts.alreadyCopied++;
            return;
        }
        List<EventData> out = transformed(event);
        if (out.isEmpty()) {
            counts.dropped++;
        }
        targets.add(target, out, event.position());
    }

    /** The target stream of a source event, or null when the event is not migrated. */
    private @Nullable String targetOf(RecordedEvent event) {
        if (SystemNames.isSystemStream(event.stream())
                || event.type().startsWith(SystemNames.SYSTEM_PREFIX)
                || MigrationMetadata.migrationOf(event).equals(name)) {
            return null;
        }
        String target = transform.targetStream(event.stream());
        if (target != null && target.equals(event.stream())) {
            throw new MigrationException("the transform sends " + event.stream() + " to itself; a migration writes"
                    + " new streams (rename the target)");
        }
        return target;
    }

    /** The transform's events for one source event, with the migration's ids and marks. */
    private List<EventData> transformed(RecordedEvent source) {
        List<EventData> made = transform.transform(source);
        List<EventData> out = new ArrayList<>(made.size());
        for (int i = 0; i < made.size(); i++) {
            EventData e = made.get(i);
            out.add(new EventData(
                    MigrationMetadata.eventId(name, source.eventId(), i),
                    e.type(),
                    e.data(),
                    MigrationMetadata.stamp(e.metadata(), name, source),
                    e.contentType(),
                    e.tags()));
        }
        return out;
    }

    /**
     * Compares each target stream with what the transform makes of the source events before the
     * checkpoint: the same events (by id), in the same order, and nothing else.
     */
    public Verification verify() {
        long end = new Checkpoints(store, name).load();
        Map<String, IdDigest> expected = new HashMap<>();
        long source = 0;
        long events = 0;
        long position = 0;
        while (position < end) {
            ReadAllResult page =
                    store.readAll(ReadAllOptions.forwards(position, pageSize).withFilter(filter));
            for (RecordedEvent event : page.events()) {
                String target = event.position() < end ? targetOf(event) : null;
                if (target == null) {
                    continue;
                }
                source++;
                IdDigest digest = expected.computeIfAbsent(target, t -> new IdDigest());
                int made = transform.transform(event).size();
                for (int i = 0; i < made; i++) {
                    digest.add(MigrationMetadata.eventId(name, event.eventId(), i));
                }
                events += made;
            }
            if (page.endOfAll() || page.nextPosition() <= position) {
                break;
            }
            position = page.nextPosition();
        }
        List<String> mismatches = new ArrayList<>();
        expected.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> compare(e.getKey(), e.getValue(), mismatches));
        return new Verification(source, events, expected.size(), mismatches);
    }

    private void compare(String target, IdDigest want, List<String> mismatches) {
        IdDigest have = IdDigest.ofStream(store, target);
        if (have.count() != want.count()) {
            mismatches.add(target + ": expected " + want.count() + " events, holds " + have.count());
        } else if (have.hash() != want.hash()) {
            mismatches.add(
                    target + ": holds " + have.count() + " events, but not the expected ones in the expected order");
        }
    }

    /** Options of a migration; {@link #build()} makes it. */
    public static final class Builder {
        private final EventStore store;
        private final String name;
        private final StreamTransform transform;
        private @Nullable String sourcePrefix;
        private int pageSize = 1000;
        private Consumer<MigrationProgress> progress = p -> {};

        private Builder(EventStore store, String name, StreamTransform transform) {
            this.store = Objects.requireNonNull(store, "store");
            this.name = Objects.requireNonNull(name, "name");
            this.transform = Objects.requireNonNull(transform, "transform");
            if (name.isBlank() || name.startsWith("$")) {
                throw new IllegalArgumentException(
                        "a migration name must not be blank or start with $: '" + name + "'");
            }
        }

        /** Reads only streams whose names start with {@code prefix} (filtered by the store). */
        public Builder sourcePrefix(String prefix) {
            this.sourcePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** Source events per page; each page ends with a checkpoint (default 1000). */
        public Builder pageSize(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("pageSize must be >= 1, was " + events);
            }
            this.pageSize = events;
            return this;
        }

        /** Told after each page. */
        public Builder progress(Consumer<MigrationProgress> listener) {
            this.progress = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Migration build() {
            return new Migration(this);
        }
    }
}
