package io.toykv.server.command;

import io.toykv.core.ScanIterator;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The writes of one EXEC, collected while its commands run and applied together at its end
 * ({@link #applyTo}): the one place where a transaction's writes reach the store, and where an
 * atomic batch of the engine will go. The commands read through it, so they see the transaction's
 * own writes (a GET after a SET, a SCAN after a FLUSHDB); everything else comes from the store,
 * which no other client changes meanwhile (EXEC holds the {@link IsolationLock} exclusively).
 *
 * <p>Each write is checked against the store's limits when its command runs
 * ({@link Keyspace#check}), so a refused key or value is that command's error, in its slot, as
 * outside a transaction. Only an I/O failure can still fail {@link #applyTo}.
 *
 * <p>Used by the EXEC thread only.
 */
final class TransactionWrites implements Keyspace {
    /** The mark of a deleted key in {@link #writes}, told apart by identity. */
    private static final byte[] DELETED = new byte[0];

    private final Keyspace store;
    /** The latest write of each key, in unsigned key order (the store's scan order). */
    private final NavigableMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
    /** Keys the transaction changed (set, or deleted while present): their watchers are told. */
    private final TreeSet<byte[]> changed = new TreeSet<>(Arrays::compareUnsigned);
    /** FLUSHDB or FLUSHALL ran: the store's keys are gone as far as the transaction sees. */
    private boolean cleared;

    TransactionWrites(Keyspace store) {
        this.store = store;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        store.check(key, value);
        writes.put(key, value);
        changed.add(key);
    }

    @Override
    public void check(byte[] key, byte[] value) {
        store.check(key, value);
    }

    @Override
    public long maxValueSize() {
        return store.maxValueSize();
    }

    @Override
    public byte[] get(byte[] key) {
        byte[] v = writes.get(key);
        if (v != null) {
            return v == DELETED ? null : v;
        }
        return cleared ? null : store.get(key);
    }

    @Override
    public boolean delete(byte[] key) {
        boolean present = get(key) != null;
        if (present) {
            changed.add(key);
        }
        writes.put(key, DELETED);
        return present;
    }

    @Override
    public ScanIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        NavigableMap<byte[], byte[]> range = writes;
        if (fromInclusive != null) {
            range = range.tailMap(fromInclusive, true);
        }
        if (toExclusive != null) {
            range = range.headMap(toExclusive, false);
        }
        ScanIterator base = cleared ? null : store.scan(fromInclusive, toExclusive);
        return new OverlayScan(base, range.entrySet().iterator(), DELETED);
    }

    @Override
    public long size() {
        long size = cleared ? 0 : store.size();
        for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
            boolean before = !cleared && store.get(e.getKey()) != null;
            boolean after = e.getValue() != DELETED;
            size += (after ? 1 : 0) - (before ? 1 : 0);
        }
        return size;
    }

    @Override
    public void clear() {
        writes.clear();
        cleared = true;
    }

    @Override
    public void sync() {
        store.sync();
    }

    @Override
    public Map<String, Object> stats() {
        return store.stats();
    }

    /**
     * Applies the writes to {@code target} (the store), then tells the watchers of the changed keys.
     * Not atomic: the engine has no batch across shards, so the writes go one by one, the final
     * value of each key once; a crash (or an I/O error) part-way leaves some of them applied.
     */
    void applyTo(Keyspace target, WatchRegistry watches) {
        try {
            if (cleared) {
                watches.flushing(key -> target.get(key) != null);
                target.clear();
            }
            for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
                if (e.getValue() == DELETED) {
                    target.delete(e.getKey());
                } else {
                    target.put(e.getKey(), e.getValue());
                }
            }
        } finally {
            changed.forEach(watches::touched); // also after a failure: what was applied is unknown
        }
    }
}
