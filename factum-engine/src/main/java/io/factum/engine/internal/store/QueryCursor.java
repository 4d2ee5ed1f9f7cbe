package io.factum.engine.internal.store;

import io.factum.api.Direction;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.engine.internal.index.StreamIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks the positions of the events that match a query, in one direction, from the tag and type
 * index alone: the index answers exactly (it settles hash collisions against the log itself), so
 * no record is read to decide whether it matches.
 *
 * <p>A query is a union of items; an item with tags is an intersection of its tags' position lists
 * (and of the union of its types' lists, when it names types), found by leapfrogging: each list
 * jumps to the highest candidate so far, so the walk costs about as many index steps as the
 * shortest list has entries in range, not the longest. An item of types only is the union of their
 * lists. Every list is read a page at a time.
 *
 * <p>Not thread-safe: one cursor per read.
 */
abstract sealed class QueryCursor {
    /** Returned by {@link #seek} when no position is left in the cursor's direction. */
    static final long NONE = -1;

    /**
     * Index entries read by a key's first step. Small, because many seeks need one entry (an append
     * condition's check, a leapfrog probe into a long list); later steps read four times as many,
     * up to {@link #PAGE}, so a long walk still reads in large pages.
     */
    private static final int FIRST_PAGE = 4;

    /** Most index entries read per step of one key's list. */
    private static final int PAGE = 256;

    /**
     * The first matching position at or after {@code target} (forwards) or at or before it
     * (backwards), or {@link #NONE}. Targets of successive calls must not go back.
     */
    abstract long seek(long target) throws IOException;

    static QueryCursor of(StreamIndex index, Query query, Direction direction) {
        return of(index, query, direction, FIRST_PAGE);
    }

    /**
     * @param wanted how many positions the caller expects to take: a query of one key (one tag,
     *     or one type) reads that many entries at its first step (at most {@link #PAGE}), since
     *     every entry it reads is one the caller takes. Keys of larger queries start small, as
     *     leapfrogging may need only a few of their entries.
     */
    static QueryCursor of(StreamIndex index, Query query, Direction direction, int wanted) {
        if (query.items().size() == 1) {
            QueryItem only = query.items().get(0);
            if (only.tags().size() + only.types().size() == 1) {
                String key = only.tags().isEmpty()
                        ? TagKeys.type(only.types().get(0))
                        : TagKeys.tag(only.tags().get(0));
                return new Key(index, key, direction, Math.max(FIRST_PAGE, Math.min(PAGE, wanted)));
            }
        }
        List<QueryCursor> items = new ArrayList<>(query.items().size());
        for (QueryItem item : query.items()) {
            items.add(item(index, item, direction));
        }
        return items.size() == 1 ? items.get(0) : new Union(items, direction);
    }

    private static QueryCursor item(StreamIndex index, QueryItem item, Direction direction) {
        List<QueryCursor> types = new ArrayList<>(item.types().size());
        for (String type : item.types()) {
            types.add(new Key(index, TagKeys.type(type), direction, FIRST_PAGE));
        }
        List<QueryCursor> all = new ArrayList<>(item.tags().size() + 1);
        for (String tag : item.tags()) {
            all.add(new Key(index, TagKeys.tag(tag), direction, FIRST_PAGE));
        }
        if (types.size() == 1) {
            all.add(types.get(0));
        } else if (!types.isEmpty()) {
            all.add(new Union(types, direction));
        }
        return all.size() == 1 ? all.get(0) : new Intersection(all, direction);
    }

    /** Whether {@code a} comes before {@code b} in the walk's direction. */
    static boolean before(long a, long b, Direction direction) {
        return direction == Direction.FORWARDS ? a < b : a > b;
    }

    /** One key's positions, a page at a time. */
    static final class Key extends QueryCursor {
        private final StreamIndex index;
        private final String key;
        private final Direction direction;
        private List<StreamIndex.Entry> page = List.of();
        private int at;
        /** The last page read was short: the list holds nothing beyond it (for this read). */
        private boolean exhausted;

        private int pageSize;

        Key(StreamIndex index, String key, Direction direction, int firstPage) {
            this.index = index;
            this.key = key;
            this.direction = direction;
            this.pageSize = firstPage;
        }

        @Override
        long seek(long target) throws IOException {
            if (target < 0) {
                return NONE;
            }
            while (true) {
                at = firstNotBefore(target);
                if (at < page.size()) {
                    return page.get(at).position();
                }
                if (exhausted) {
                    return NONE;
                }
                page = index.read(key, target, direction, pageSize);
                at = 0;
                exhausted = page.size() < pageSize;
                pageSize = Math.min(PAGE, pageSize * 4);
                if (page.isEmpty()) {
                    return NONE;
                }
            }
        }

        /** Index in the page of the first entry not before target (page.size() when none). */
        private int firstNotBefore(long target) {
            int lo = at;
            int hi = page.size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (before(page.get(mid).position(), target, direction)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /** Positions in any of the parts: the nearest of their next positions. */
    static final class Union extends QueryCursor {
        private final List<QueryCursor> parts;
        private final Direction direction;

        Union(List<QueryCursor> parts, Direction direction) {
            this.parts = List.copyOf(parts);
            this.direction = direction;
        }

        @Override
        long seek(long target) throws IOException {
            long best = NONE;
            for (QueryCursor part : parts) {
                long p = part.seek(target);
                if (p != NONE && (best == NONE || before(p, best, direction))) {
                    best = p;
                }
            }
            return best;
        }
    }

    /** Positions in every part, by leapfrogging to the furthest candidate. */
    static final class Intersection extends QueryCursor {
        private final List<QueryCursor> parts;
        private final Direction direction;

        Intersection(List<QueryCursor> parts, Direction direction) {
            this.parts = List.copyOf(parts);
            this.direction = direction;
        }

        @Override
        long seek(long target) throws IOException {
            long candidate = target;
            int agreeing = 0;
            int i = 0;
            while (agreeing < parts.size()) {
                long p = parts.get(i).seek(candidate);
                if (p == NONE) {
                    return NONE;
                }
                if (p == candidate) {
                    agreeing++;
                } else {
                    candidate = p;
                    agreeing = 1;
                }
                i = (i + 1) % parts.size();
            }
            return candidate;
        }
    }
}
