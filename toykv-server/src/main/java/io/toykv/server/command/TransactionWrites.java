package io.toykv.server.command;

import io.toykv.core.DatabaseChanges;
import io.toykv.core.ScanIterator;
import io.toykv.core.Store;
import io.toykv.core.WriteBatch;
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
    /**
     * Expiries the transaction set ({@code > 0}) or removed ({@link Store#NO_EXPIRY}), by key; a key in
     * {@link #writes} without an entry has none (a put removes the expiry). A time is never in the past
     * when recorded (such a write deletes the key instead); one that passes before {@link #applyTo}
     * deletes the key there, as the store does.
     */
    private final NavigableMap<byte[], Long> expiries = new TreeMap<>(Arrays::compareUnsigned);
    /** FLUSHDB or FLUSHALL ran: the store's keys are gone as far as the transaction sees. */
    private boolean cleared;

    TransactionWrites(Keyspace store) {
        this.store = store;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        store.check(key, value);
        writes.put(key, value);
        expiries.remove(key);
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
        expiries.remove(key);
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
        expiries.clear();
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

    @Override
    public long now() {
        return store.now();
    }

    @Override
    public void put(byte[] key, byte[] value, long expireAtMillis) {
        long expiry = expireAtMillis;
        if (expiry == Store.KEEP_EXPIRY) {
            long current = expiry(key);
            expiry = current == Store.NO_KEY ? Store.NO_EXPIRY : current;
        } else if (expiry != Store.NO_EXPIRY && expiry <= store.now()) {
            store.check(key, value);
            delete(key); // a time that passed deletes the key, as the store's put does
            return;
        }
        put(key, value);
        if (expiry != Store.NO_EXPIRY) {
            expiries.put(key, expiry);
        }
    }

    @Override
    public boolean putIfAbsent(byte[] key, byte[] value, long expireAtMillis) {
        if (get(key) != null) {
            return false;
        }
        put(key, value, expireAtMillis);
        return true;
    }

    @Override
    public boolean putIfPresent(byte[] key, byte[] value, long expireAtMillis) {
        if (get(key) == null) {
            return false;
        }
        put(key, value, expireAtMillis);
        return true;
    }

    @Override
    public boolean expireAt(byte[] key, long expireAtMillis) {
        if (get(key) == null) {
            return false;
        }
        if (expireAtMillis <= store.now()) {
            delete(key);
        } else {
            expiries.put(key, expireAtMillis);
            changed.add(key);
        }
        return true;
    }

    @Override
    public boolean persist(byte[] key) {
        if (expiry(key) < 0) { // absent, or no expiry
            return false;
        }
        expiries.put(key, Store.NO_EXPIRY);
        changed.add(key);
        return true;
    }

    @Override
    public long expiry(byte[] key) {
        if (get(key) == null) {
            return Store.NO_KEY;
        }
        Long expiry = expiries.get(key);
        if (expiry != null) {
            return expiry;
        }
        return writes.containsKey(key) ? Store.NO_EXPIRY : store.expiry(key);
    }

    @Override
    public long version(byte[] key) {
        return store.version(key);
    }

    @Override
    public long expiringKeys() {
        long count = cleared ? 0 : store.expiringKeys();
        TreeSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);
        keys.addAll(writes.keySet());
        keys.addAll(expiries.keySet());
        for (byte[] key : keys) {
            boolean before = !cleared && store.expiry(key) > 0;
            boolean after = expiry(key) > 0;
            count += (after ? 1 : 0) - (before ? 1 : 0);
        }
        return count;
    }

    /**
     * Applies the writes to {@code target}, the store of database {@code db}, then tells the watchers
     * of the changed keys: as one atomic engine batch. Past one batch's size (about 1,500 short keys a
     * shard) they are applied change by change if {@code oneByOne}; otherwise nothing is applied and
     * this returns false (the caller has an atomic way: the databases' redo log).
     */
    boolean applyTo(int db, Keyspace target, WatchRegistry watches, boolean oneByOne) {
        try {
            flushing(db, target, watches);
            if (cleared) {
                target.clear();
            }
            if (writes.isEmpty() && expiries.isEmpty()) {
                return true;
            }
            try {
                if (target.applyAtomically(batch())) {
                    return true;
                }
            } catch (IllegalArgumentException tooLarge) {
                // Nothing applied. Each change was checked against the store's limits when queued.
            }
            if (!oneByOne) {
                return false;
            }
            applyOneByOne(target); // in order, as docs/PROTOCOL.md says
            return true;
        } finally {
            touched(db, watches); // also after a failure: what was applied is unknown
        }
    }

    /** Whether the transaction clears this database (FLUSHDB, FLUSHALL) and then writes to it. */
    boolean clearsAndWrites() {
        return cleared && !(writes.isEmpty() && expiries.isEmpty());
    }

    /** Whether the transaction wrote nothing to this database. */
    boolean isEmpty() {
        return !cleared && writes.isEmpty() && expiries.isEmpty();
    }

    /**
     * Before {@link #addTo}'s changes are applied: tells the watchers of the keys of database {@code db}
     * (whose keyspace is {@code target}) that a FLUSHDB or FLUSHALL of the transaction removes them.
     */
    void flushing(int db, Keyspace target, WatchRegistry watches) {
        if (cleared) {
            watches.flushing((watchedDb, key) -> watchedDb == db && target.get(key) != null);
        }
    }

    /** Adds the writes to {@code changes} as database {@code db}'s part: its clear, then each key's last change. */
    void addTo(int db, DatabaseChanges changes) {
        if (cleared) {
            changes.clear(db);
        }
        for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
            if (e.getValue() == DELETED) {
                changes.delete(db, e.getKey());
            } else {
                changes.put(db, e.getKey(), e.getValue(), expiries.getOrDefault(e.getKey(), Store.NO_EXPIRY));
            }
        }
        for (Map.Entry<byte[], Long> e : expiries.entrySet()) {
            if (!writes.containsKey(e.getKey())) { // an expiry change of a value the store holds
                if (e.getValue() == Store.NO_EXPIRY) {
                    changes.persist(db, e.getKey());
                } else {
                    changes.expireAt(db, e.getKey(), e.getValue());
                }
            }
        }
    }

    /** After the writes were applied (or failed): tells the watchers of the keys the transaction changed. */
    void touched(int db, WatchRegistry watches) {
        changed.forEach(key -> watches.touched(db, key));
    }

    /** The transaction's writes and expiry changes as one engine batch. */
    private WriteBatch batch() {
        WriteBatch batch = new WriteBatch();
        for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
            if (e.getValue() == DELETED) {
                batch.delete(e.getKey());
            } else {
                batch.put(e.getKey(), e.getValue(), expiries.getOrDefault(e.getKey(), Store.NO_EXPIRY));
            }
        }
        for (Map.Entry<byte[], Long> e : expiries.entrySet()) {
            if (!writes.containsKey(e.getKey())) { // an expiry change of a value the store holds
                if (e.getValue() == Store.NO_EXPIRY) {
                    batch.persist(e.getKey());
                } else {
                    batch.expireAt(e.getKey(), e.getValue());
                }
            }
        }
        return batch;
    }

    private void applyOneByOne(Keyspace target) {
        for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
            if (e.getValue() == DELETED) {
                target.delete(e.getKey());
            } else {
                target.put(e.getKey(), e.getValue(), expiries.getOrDefault(e.getKey(), Store.NO_EXPIRY));
            }
        }
        for (Map.Entry<byte[], Long> e : expiries.entrySet()) {
            if (!writes.containsKey(e.getKey())) { // an expiry change of a value the store holds
                if (e.getValue() == Store.NO_EXPIRY) {
                    target.persist(e.getKey());
                } else {
                    target.expireAt(e.getKey(), e.getValue());
                }
            }
        }
    }
}
