package io.toykv.server.command;

import io.toykv.core.Entry;
import io.toykv.core.ScanIterator;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A scan of the store with a transaction's writes laid over it: both in unsigned key order, merged;
 * on equal keys the write wins, and a deletion (the {@code deleted} mark, by identity) hides the key.
 */
final class OverlayScan implements ScanIterator {
    private final ScanIterator base; // null: the store's keys are cleared
    private final Iterator<Map.Entry<byte[], byte[]>> writes;
    private final byte[] deleted;
    private Entry nextBase;
    private Map.Entry<byte[], byte[]> nextWrite;
    private Entry next;

    OverlayScan(ScanIterator base, Iterator<Map.Entry<byte[], byte[]>> writes, byte[] deleted) {
        this.base = base;
        this.writes = writes;
        this.deleted = deleted;
        advanceBase();
        advanceWrite();
    }

    private void advanceBase() {
        nextBase = base != null && base.hasNext() ? base.next() : null;
    }

    private void advanceWrite() {
        nextWrite = writes.hasNext() ? writes.next() : null;
    }

    @Override
    public boolean hasNext() {
        while (next == null && (nextBase != null || nextWrite != null)) {
            int order = nextBase == null
                    ? 1
                    : nextWrite == null ? -1 : Arrays.compareUnsigned(nextBase.key(), nextWrite.getKey());
            if (order < 0) {
                next = nextBase;
                advanceBase();
                continue;
            }
            if (order == 0) {
                advanceBase(); // the write replaces the store's entry
            }
            if (nextWrite.getValue() != deleted) {
                next = new Entry(nextWrite.getKey(), nextWrite.getValue());
            }
            advanceWrite();
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
        if (base != null) {
            base.close();
        }
    }
}
