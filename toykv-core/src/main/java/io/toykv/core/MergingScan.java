package io.toykv.core;

import io.toykv.core.engine.Shard;
import io.toykv.core.index.SortedIndex;
import java.io.IOException;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * An ordered scan over all shards: one index cursor per shard, merged by a binary min-heap on the
 * cursors' current keys. Values are read as entries are returned; expired keys are skipped.
 *
 * <p>The heap compares each cursor's eight-byte key prefix as a long first (the whole key for keys of
 * eight bytes or fewer, ties aside), and the cursor that gave the last entry is advanced and sifted
 * down in place: one pass down the heap an entry, rather than a removal and an insertion.
 */
final class MergingScan implements ScanIterator {
    private final Store store;
    private final byte[] to;
    /** Cursors with an entry, as a binary min-heap by key: {@code heap[0]} holds the least. */
    private final ShardCursor[] heap;

    private int size;
    private Entry next;
    private boolean closed;

    MergingScan(Store store, Shard[] shards, byte[] from, byte[] to) {
        this.store = store;
        this.to = to;
        this.heap = new ShardCursor[shards.length];
        for (Shard shard : shards) {
            ShardCursor c = new ShardCursor(shard, shard.cursor(from));
            if (c.advance(to)) {
                heap[size++] = c;
            }
        }
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    @Override
    public boolean hasNext() {
        while (next == null && !closed && size > 0) {
            store.ensureOpen();
            ShardCursor c = heap[0];
            byte[] key = c.key();
            byte[] value;
            try {
                value = c.shard.read(key, c.cursor.address(), c.cursor.length());
            } catch (IOException e) {
                throw Shard.unchecked(e);
            }
            if (!c.advance(to)) {
                heap[0] = heap[--size];
                heap[size] = null;
            }
            if (size > 0) {
                siftDown(0);
            }
            if (value != null && !c.shard.expired(key)) {
                next = new Entry(key, value);
            }
        }
        return next != null;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Entry e = next;
        next = null;
        return e;
    }

    @Override
    public void close() {
        closed = true;
        Arrays.fill(heap, null);
        size = 0;
        next = null;
    }

    /** Moves the cursor at {@code i} down until neither child's key is less than its own. */
    private void siftDown(int i) {
        ShardCursor c = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1].compareTo(heap[child]) < 0) {
                child++;
            }
            if (heap[child].compareTo(c) >= 0) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = c;
    }

    private static final class ShardCursor {
        final Shard shard;
        final SortedIndex.Cursor cursor;
        /** {@link SortedIndex#prefix} of the current key. */
        private long prefix;

        ShardCursor(Shard shard, SortedIndex.Cursor cursor) {
            this.shard = shard;
            this.cursor = cursor;
        }

        byte[] key() {
            return cursor.key();
        }

        boolean advance(byte[] to) {
            if (!cursor.next() || (to != null && Arrays.compareUnsigned(cursor.key(), to) >= 0)) {
                return false;
            }
            prefix = SortedIndex.prefix(cursor.key());
            return true;
        }

        /** Orders two cursors by their current keys (two shards never hold the same key). */
        int compareTo(ShardCursor other) {
            int c = Long.compareUnsigned(prefix, other.prefix);
            return c != 0 ? c : Arrays.compareUnsigned(key(), other.key());
        }
    }
}
