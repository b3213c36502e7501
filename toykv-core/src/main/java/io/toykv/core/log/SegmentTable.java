package io.toykv.core.log;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable table of segments by id, for lock-free lookups: the values log replaces it whole (copy
 * on write) when a segment comes or goes, which happens a few times a second at most. Its size follows
 * the segments there are, not the highest id: ids only grow, to 2^32-1.
 *
 * <p>Lookups probe an open-addressing table of twice the segment count; {@link #all} keeps them in id
 * order.
 */
final class SegmentTable {
    static final SegmentTable EMPTY = new SegmentTable(new Segment[0]);

    private final Segment[] byId; // sorted by id
    private final Segment[] slots; // open addressing, a power of two at least twice byId.length

    private SegmentTable(Segment[] sortedById) {
        this.byId = sortedById;
        int capacity = Integer.highestOneBit(Math.max(4, sortedById.length * 2) - 1) << 1;
        this.slots = new Segment[capacity];
        for (Segment s : sortedById) {
            int i = slot(s.id());
            while (slots[i] != null) {
                i = (i + 1) & (capacity - 1);
            }
            slots[i] = s;
        }
    }

    /** A table of {@code segments}, whose ids are distinct, in any order. */
    static SegmentTable of(java.util.Collection<Segment> segments) {
        Segment[] sorted = segments.toArray(new Segment[0]);
        Arrays.sort(sorted, java.util.Comparator.comparingLong(Segment::id));
        return new SegmentTable(sorted);
    }

    Segment get(long id) {
        int mask = slots.length - 1;
        for (int i = slot(id); ; i = (i + 1) & mask) {
            Segment s = slots[i];
            if (s == null || s.id() == id) {
                return s;
            }
        }
    }

    /** This table with {@code s} added, replacing any segment with its id. */
    SegmentTable with(Segment s) {
        int at = Arrays.binarySearch(ids(), s.id());
        Segment[] next;
        if (at >= 0) {
            next = byId.clone();
            next[at] = s;
        } else {
            int insert = -at - 1;
            next = new Segment[byId.length + 1];
            System.arraycopy(byId, 0, next, 0, insert);
            next[insert] = s;
            System.arraycopy(byId, insert, next, insert + 1, byId.length - insert);
        }
        return new SegmentTable(next);
    }

    /** This table without the segment {@code id} (the same table if it has none). */
    SegmentTable without(long id) {
        int at = Arrays.binarySearch(ids(), id);
        if (at < 0) {
            return this;
        }
        Segment[] next = new Segment[byId.length - 1];
        System.arraycopy(byId, 0, next, 0, at);
        System.arraycopy(byId, at + 1, next, at, byId.length - at - 1);
        return new SegmentTable(next);
    }

    /** Every segment, in id order. */
    List<Segment> all() {
        return List.of(byId);
    }

    int size() {
        return byId.length;
    }

    private long[] ids() {
        long[] ids = new long[byId.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = byId[i].id();
        }
        return ids;
    }

    private int slot(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & (slots.length - 1);
    }
}
