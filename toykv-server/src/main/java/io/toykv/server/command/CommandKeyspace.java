package io.toykv.server.command;

import io.toykv.core.ScanIterator;
import java.util.Map;

/**
 * The keyspace every command sees. Outside EXEC it is the store's, with each write reported to the
 * {@link WatchRegistry} once applied, so that WATCH sees the changes of every command without each
 * command knowing about WATCH. During EXEC it is that transaction's {@link TransactionWrites}, which
 * collects the writes and applies them at the end ({@link #commit}).
 *
 * <p>{@link #transaction} is guarded by the {@link IsolationLock}: EXEC sets and clears it holding
 * the lock exclusively, every command reads it holding the lock shared or (EXEC's) exclusively.
 */
final class CommandKeyspace implements Keyspace {
    private final Keyspace store;
    private final WatchRegistry watches;
    private TransactionWrites transaction;

    CommandKeyspace(Keyspace store, WatchRegistry watches) {
        this.store = store;
        this.watches = watches;
    }

    /** EXEC, holding the isolation lock exclusively: from now the commands' writes are collected. */
    void begin() {
        transaction = new TransactionWrites(store);
    }

    /** EXEC, holding the isolation lock exclusively, after its commands: applies their writes. */
    void commit() {
        TransactionWrites t = transaction;
        transaction = null;
        t.applyTo(store, watches);
    }

    @Override
    public void put(byte[] key, byte[] value) {
        if (transaction != null) {
            transaction.put(key, value);
            return;
        }
        try {
            store.put(key, value);
        } finally {
            watches.touched(key); // also when the put failed half-way: a spurious abort is safe
        }
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
        return transaction != null ? transaction.get(key) : store.get(key);
    }

    @Override
    public boolean delete(byte[] key) {
        if (transaction != null) {
            return transaction.delete(key);
        }
        boolean changed = true; // unless the store says the key was absent (as Redis, no change then)
        try {
            changed = store.delete(key);
            return changed;
        } finally {
            if (changed) {
                watches.touched(key);
            }
        }
    }

    @Override
    public ScanIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        return transaction != null
                ? transaction.scan(fromInclusive, toExclusive)
                : store.scan(fromInclusive, toExclusive);
    }

    @Override
    public long size() {
        return transaction != null ? transaction.size() : store.size();
    }

    @Override
    public void clear() {
        if (transaction != null) {
            transaction.clear();
            return;
        }
        watches.flushing(key -> store.get(key) != null);
        store.clear();
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
        if (transaction != null) {
            transaction.put(key, value, expireAtMillis);
            return;
        }
        try {
            store.put(key, value, expireAtMillis);
        } finally {
            watches.touched(key);
        }
    }

    @Override
    public boolean putIfAbsent(byte[] key, byte[] value, long expireAtMillis) {
        if (transaction != null) {
            return transaction.putIfAbsent(key, value, expireAtMillis);
        }
        return reported(key, () -> store.putIfAbsent(key, value, expireAtMillis));
    }

    @Override
    public boolean putIfPresent(byte[] key, byte[] value, long expireAtMillis) {
        if (transaction != null) {
            return transaction.putIfPresent(key, value, expireAtMillis);
        }
        return reported(key, () -> store.putIfPresent(key, value, expireAtMillis));
    }

    @Override
    public boolean expireAt(byte[] key, long expireAtMillis) {
        if (transaction != null) {
            return transaction.expireAt(key, expireAtMillis);
        }
        return reported(key, () -> store.expireAt(key, expireAtMillis));
    }

    @Override
    public boolean persist(byte[] key) {
        if (transaction != null) {
            return transaction.persist(key);
        }
        return reported(key, () -> store.persist(key));
    }

    /** Runs a write that says whether it changed {@code key}, and reports the key unless it said no. */
    private boolean reported(byte[] key, java.util.function.BooleanSupplier write) {
        boolean changed = true; // a write that failed half-way is reported: a spurious abort is safe
        try {
            changed = write.getAsBoolean();
            return changed;
        } finally {
            if (changed) {
                watches.touched(key);
            }
        }
    }

    @Override
    public long expiry(byte[] key) {
        return transaction != null ? transaction.expiry(key) : store.expiry(key);
    }

    @Override
    public long version(byte[] key) {
        return store.version(key);
    }

    @Override
    public long expiringKeys() {
        return transaction != null ? transaction.expiringKeys() : store.expiringKeys();
    }
}
