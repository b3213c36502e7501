package io.toykv.core.engine;

import java.util.Arrays;

/**
 * A count per segment id (the live value bytes in it, or the append that emptied it): an open-addressing
 * hash map from id to a non-zero count, sized by the segments that have one, not by the highest id (ids
 * only grow, to 2^32-1). A count that reaches zero is removed. Not thread-safe: the shard's writer
 * uses it under its lock.
 */
final class SegmentCounts {
    private static final long EMPTY = -1;
    private long[] ids = new long[16];
    private long[] counts = new long[16];
    private int size;

    SegmentCounts() {
        Arrays.fill(ids, EMPTY);
    }

    /** The count of {@code id}; 0 when it has none. */
    long get(long id) {
        int i = find(id);
        return ids[i] == id ? counts[i] : 0;
    }

    /** Adds {@code delta} to the count of {@code id}; returns the new count. One probe: two per put. */
    long add(long id, long delta) {
        int i = find(id);
        return put(i, id, (ids[i] == id ? counts[i] : 0) + delta);
    }

    /** Sets the count of {@code id}; 0 removes it. Returns {@code value}. */
    long set(long id, long value) {
        return put(find(id), id, value);
    }

    /** Stores {@code value} for {@code id} at slot {@code i}, its slot from {@link #find}. */
    private long put(int i, long id, long value) {
        if (ids[i] == id) {
            if (value == 0) {
                remove(i);
            } else {
                counts[i] = value;
            }
            return value;
        }
        if (value != 0) {
            ids[i] = id;
            counts[i] = value;
            if (++size * 4 > ids.length * 3) {
                resize(ids.length * 2);
            }
        }
        return value;
    }

    void clear() {
        Arrays.fill(ids, EMPTY);
        size = 0;
    }

    /** The sum of every count. */
    long total() {
        long sum = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != EMPTY) {
                sum += counts[i];
            }
        }
        return sum;
    }

    int size() {
        return size;
    }

    /** The slot of {@code id}, or the empty slot where it would go (linear probing). */
    private int find(long id) {
        int mask = ids.length - 1;
        int i = hash(id) & mask;
        while (ids[i] != EMPTY && ids[i] != id) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Empties slot {@code i}, moving back the entries after it that probed past it (no tombstones). */
    private void remove(int i) {
        int mask = ids.length - 1;
        int gap = i;
        for (int j = (i + 1) & mask; ids[j] != EMPTY; j = (j + 1) & mask) {
            int home = hash(ids[j]) & mask;
            // Entry j may fill the gap if its home slot is not cyclically in (gap, j].
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                ids[gap] = ids[j];
                counts[gap] = counts[j];
                gap = j;
            }
        }
        ids[gap] = EMPTY;
        size--;
    }

    private void resize(int capacity) {
        long[] oldIds = ids;
        long[] oldCounts = counts;
        ids = new long[capacity];
        counts = new long[capacity];
        Arrays.fill(ids, EMPTY);
        for (int i = 0; i < oldIds.length; i++) {
            if (oldIds[i] != EMPTY) {
                int j = find(oldIds[i]);
                ids[j] = oldIds[i];
                counts[j] = oldCounts[i];
            }
        }
    }

    private static int hash(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
