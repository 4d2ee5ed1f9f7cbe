package io.factum.testkit.memory;

import io.factum.api.Direction;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.RecordedEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The in-memory store's index for reads by query: for every event type and every tag, the positions
 * of the records that carry it, in ascending order. A query item is answered from the posting list
 * of its rarest tag (or, when it names no tag, from the lists of its types), and only those
 * candidates are checked against the query, so a read costs in proportion to its candidates, not to
 * the size of the log.
 *
 * <p>Invariant: every record matching a query item is in the driving lists chosen for that item
 * (a record carrying all of an item's tags is in each tag's list; one of a named type is in that
 * type's list). Not thread-safe: used under the store's lock.
 */
final class MemoryTagIndex {

    private static final List<Long> NONE = List.of();

    private final Map<String, List<Long>> byType = new HashMap<>();
    private final Map<String, List<Long>> byTag = new HashMap<>();

    /** Adds a record; records are added in position order, so every list stays sorted. */
    void add(RecordedEvent record) {
        byType.computeIfAbsent(record.type(), t -> new ArrayList<>()).add(record.position());
        for (String tag : record.tags()) {
            byTag.computeIfAbsent(tag, t -> new ArrayList<>()).add(record.position());
        }
    }

    /**
     * Visits the positions of candidates for the query from {@code from} (inclusive) in the
     * direction, each once, in order, until {@code visit} returns false. Candidates are a superset
     * of the matches; the caller checks each against the query.
     */
    void candidates(Query query, long from, Direction direction, LongPredicate visit) {
        List<Cursor> cursors = new ArrayList<>();
        for (QueryItem item : query.items()) {
            for (List<Long> list : drivingLists(item)) {
                cursors.add(new Cursor(list, from, direction));
            }
        }
        boolean forwards = direction == Direction.FORWARDS;
        while (true) {
            long best = -1;
            for (Cursor c : cursors) {
                if (c.hasCurrent() && (best < 0 || (forwards ? c.current() < best : c.current() > best))) {
                    best = c.current();
                }
            }
            if (best < 0) {
                return;
            }
            for (Cursor c : cursors) {
                if (c.hasCurrent() && c.current() == best) {
                    c.advance();
                }
            }
            if (!visit.test(best)) {
                return;
            }
        }
    }

    /** The lists whose union holds every record the item matches, as few entries as we know. */
    private List<List<Long>> drivingLists(QueryItem item) {
        if (!item.tags().isEmpty()) {
            List<Long> rarest = null;
            for (String tag : item.tags()) {
                List<Long> list = byTag.getOrDefault(tag, NONE);
                if (rarest == null || list.size() < rarest.size()) {
                    rarest = list;
                }
            }
            return List.of(rarest);
        }
        List<List<Long>> lists = new ArrayList<>();
        for (String type : item.types()) {
            lists.add(byType.getOrDefault(type, NONE));
        }
        return lists;
    }

    /** A place in one ascending posting list, moving in the read's direction. */
    private static final class Cursor {
        private final List<Long> list;
        private final int step;
        private int index;

        Cursor(List<Long> list, long from, Direction direction) {
            this.list = list;
            int at = Collections.binarySearch(list, from);
            if (direction == Direction.FORWARDS) {
                step = 1;
                index = at >= 0 ? at : -at - 1; // the first entry >= from
            } else {
                step = -1;
                index = at >= 0 ? at : -at - 2; // the last entry <= from
            }
        }

        boolean hasCurrent() {
            return index >= 0 && index < list.size();
        }

        long current() {
            return list.get(index);
        }

        void advance() {
            index += step;
        }
    }
}
