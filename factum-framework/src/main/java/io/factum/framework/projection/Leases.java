package io.factum.framework.projection;

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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Shares a projection's partitions between the instances running it, through a {@link
 * LeaseTable} kept in the store ({@code $projection-leases-<name>}).
 *
 * <p>Every {@link #tick()} (a heartbeat) an instance reads the table, raises its own counter, and
 * writes it back, conditional on the version it read. An instance whose counter this one has not
 * seen change for the timeout, measured on this instance's own monotonic clock (so clock skew
 * between machines does not matter), is dead: it is removed and its partitions are free. The
 * partitions are spread evenly over the live instances, moving as few as possible; an instance
 * gives up a partition another should have (it stops working on it first, then writes the
 * release), and claims a free one it should have. An instance that cannot write the table for the timeout stops
 * all its partitions, since the others will take them.
 */
final class Leases {
    private final EventStore store;
    private final String stream;
    private final String self;
    private final int partitions;
    private final long timeoutNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Long> lastBeat = new HashMap<>();
    private final Map<String, Long> lastChange = new HashMap<>();
    private long beat;
    private long lastWritten;
    private boolean everWritten;

    /** What the runner does when this instance's partitions change. */
    interface Owner {
        /** Stops work on these partitions; returns once nothing more of theirs will be committed. */
        void release(Set<Integer> partitions);

        /** Starts work on these partitions. */
        void claim(Set<Integer> partitions);

        /** The partitions this instance works on now. */
        Set<Integer> running();
    }

    Leases(EventStore store, String projection, String self, int partitions, long timeoutNanos, LongSupplier nanoTime) {
        this.store = store;
        this.stream = "$projection-leases-" + projection;
        this.self = self;
        this.partitions = partitions;
        this.timeoutNanos = timeoutNanos;
        this.nanoTime = nanoTime;
    }

    /**
     * One heartbeat: read, reconcile, write; then start or stop partitions to match. A write that
     * loses to another instance's is tried again at once on the new table, a few times: instances
     * beating in step must not make each other look dead.
     */
    void tick(Owner owner) {
        for (int attempt = 0; attempt < 5; attempt++) {
            long now = nanoTime.getAsLong();
            try {
                Read read = read();
                observe(read.table(), now);
                Set<String> live = live(read.table(), now);
                Map<Integer, String> owners = assign(read.table(), live, owner);
                Map<String, Long> members = new TreeMap<>();
                live.forEach(m -> members.put(m, read.table().members().getOrDefault(m, 0L)));
                members.put(self, beat + 1);
                write(new LeaseTable(members, owners), read.version());
                beat++;
                lastWritten = now;
                everWritten = true;
                reconcile(owners, owner);
                return;
            } catch (WrongExpectedVersionException e) {
                // Another instance wrote first: read its table and try again.
            } catch (IOException | RuntimeException e) {
                break;
            }
        }
        fenceIfSilent(owner, nanoTime.getAsLong());
    }

    /** The table says who holds what; start what is ours, stop what is not. */
    private void reconcile(Map<Integer, String> owners, Owner owner) {
        Set<Integer> mine = new HashSet<>();
        owners.forEach((p, o) -> {
            if (o.equals(self)) {
                mine.add(p);
            }
        });
        Set<Integer> lost = new HashSet<>(owner.running());
        lost.removeAll(mine);
        if (!lost.isEmpty()) {
            owner.release(lost);
        }
        Set<Integer> gained = new HashSet<>(mine);
        gained.removeAll(owner.running());
        if (!gained.isEmpty()) {
            owner.claim(gained);
        }
    }

    private void fenceIfSilent(Owner owner, long now) {
        if (everWritten && now - lastWritten > timeoutNanos && !owner.running().isEmpty()) {
            owner.release(Set.copyOf(owner.running()));
        }
    }

    private record Read(LeaseTable table, long version) {}

    private Read read() throws IOException {
        ReadStreamResult result = store.readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, 1);
        if (!(result instanceof ReadStreamResult.Found found) || found.events().isEmpty()) {
            long version = result instanceof ReadStreamResult.Found f ? f.lastStreamVersion() : -1;
            return new Read(LeaseTable.empty(), version);
        }
        RecordedEvent last = found.events().getFirst();
        return new Read(LeaseTable.fromJson(last.data()), last.version());
    }

    private void write(LeaseTable table, long version) {
        if (version < 0) {
            store.setStreamMetadata(
                    stream, ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(10));
        }
        EventData event = new EventData(
                UUID.randomUUID(), "$leases", table.toJson(), new byte[0], io.factum.api.ContentType.JSON);
        store.append(
                stream, version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version), List.of(event));
    }

    /** Notes, on this instance's clock, when each member's counter last changed. */
    private void observe(LeaseTable table, long now) {
        table.members().forEach((member, counter) -> {
            Long before = lastBeat.put(member, counter);
            if (before == null || !before.equals(counter)) {
                lastChange.put(member, now);
            }
        });
        lastBeat.keySet().retainAll(table.members().keySet());
        lastChange.keySet().retainAll(table.members().keySet());
    }

    private Set<String> live(LeaseTable table, long now) {
        Set<String> live = new HashSet<>();
        table.members().keySet().forEach(member -> {
            if (now - lastChange.getOrDefault(member, now) <= timeoutNanos) {
                live.add(member);
            }
        });
        live.add(self);
        return live;
    }

    /**
     * The owners to write. Every instance computes the same wanted owner for each partition from
     * the same table: the live instances, sorted, each with an even share (the first ones one
     * more when it does not divide); a live owner keeps what it holds within its share, and the
     * rest goes to whoever is short, so a death or an arrival moves as few partitions as it can.
     * This instance then gives up, after stopping work on them, those it holds but should not,
     * and claims those it should have that are free. Others' partitions stay theirs until they
     * give them up.
     */
    private Map<Integer, String> assign(LeaseTable table, Set<String> live, Owner owner) {
        Map<Integer, String> wanted = wanted(table, live);
        Map<Integer, String> owners = new TreeMap<>();
        Set<Integer> giveUp = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            String current = table.owners().get(p);
            String want = wanted.get(p);
            if (current != null && live.contains(current) && !current.equals(self)) {
                owners.put(p, current); // theirs until they give it up
            } else if (self.equals(current) && !self.equals(want)) {
                giveUp.add(p); // free it for its wanted owner
            } else if (self.equals(want) || self.equals(current)) {
                owners.put(p, self);
            }
        }
        giveUp.retainAll(owner.running());
        if (!giveUp.isEmpty()) {
            owner.release(giveUp); // stopped before the table says so
        }
        return owners;
    }

    private Map<Integer, String> wanted(LeaseTable table, Set<String> live) {
        List<String> order = new ArrayList<>(new java.util.TreeSet<>(live));
        Map<String, Integer> quota = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            quota.put(order.get(i), partitions / order.size() + (i < partitions % order.size() ? 1 : 0));
        }
        Map<String, Integer> count = new HashMap<>();
        Map<Integer, String> wanted = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            String current = table.owners().get(p);
            if (current != null && live.contains(current) && count.getOrDefault(current, 0) < quota.get(current)) {
                wanted.put(p, current);
                count.merge(current, 1, Integer::sum);
            }
        }
        for (int p = 0; p < partitions; p++) {
            if (wanted.containsKey(p)) {
                continue;
            }
            for (String member : order) {
                if (count.getOrDefault(member, 0) < quota.get(member)) {
                    wanted.put(p, member);
                    count.merge(member, 1, Integer::sum);
                    break;
                }
            }
        }
        return wanted;
    }
}
