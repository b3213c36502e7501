package io.toykv.core;

import io.toykv.core.engine.Shard;
import io.toykv.core.index.SortedIndex;
import java.io.IOException;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * An ordered scan over all shards: one index cursor per shard, merged by a priority queue on the
 * cursors' current keys. Values are read as entries are returned; expired keys are skipped.
 */
final class MergingScan implements ScanIterator {
    private final Store store;
    private final byte[] to;
    private final PriorityQueue<ShardCursor> queue =
            new PriorityQueue<>((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    private Entry next;
    private boolean closed;

    MergingScan(Store store, Shard[] shards, byte[] from, byte[] to) {
        this.store = store;
        this.to = to;
        for (Shard shard : shards) {
            ShardCursor c = new ShardCursor(shard, shard.cursor(from));
            if (c.advance(to)) {
                queue.add(c);
            }
        }
    }

    @Override
    public boolean hasNext() {
        while (next == null && !closed && !queue.isEmpty()) {
            store.ensureOpen();
            ShardCursor c = queue.poll();
            byte[] key = c.key();
            byte[] value;
            try {
                value = c.shard.read(key, c.cursor.address(), c.cursor.length());
            } catch (IOException e) {
                throw Shard.unchecked(e);
            }
            if (c.advance(to)) {
                queue.add(c);
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
        queue.clear();
        next = null;
    }

    private static final class ShardCursor {
        final Shard shard;
        final SortedIndex.Cursor cursor;

        ShardCursor(Shard shard, SortedIndex.Cursor cursor) {
            this.shard = shard;
            this.cursor = cursor;
        }

        byte[] key() {
            return cursor.key();
        }

        boolean advance(byte[] to) {
            return cursor.next() && (to == null || Arrays.compareUnsigned(cursor.key(), to) < 0);
        }
    }
}
