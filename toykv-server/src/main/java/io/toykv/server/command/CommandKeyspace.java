package io.toykv.server.command;

import io.toykv.core.DatabaseChanges;
import io.toykv.core.ScanIterator;
import io.toykv.core.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
    private final KeyspaceSet databases;
    private final WatchRegistry watches;
    /**
     * During EXEC, the writes collected so far, one {@link TransactionWrites} per database the
     * transaction wrote to (a transaction may SELECT); null outside EXEC.
     */
    private Map<Integer, TransactionWrites> transaction;

    /** {@code store} is the selected database's keyspace ({@link SelectedKeyspace}) over {@code databases}. */
    CommandKeyspace(Keyspace store, KeyspaceSet databases, WatchRegistry watches) {
        this.store = store;
        this.databases = databases;
        this.watches = watches;
    }

    /** EXEC, holding the isolation lock exclusively: from now the commands' writes are collected. */
    void begin() {
        transaction = new TreeMap<>();
    }

    /** EXEC, holding the isolation lock exclusively, after its commands: applies their writes. */
    void commit() {
        try {
            applyPending();
        } finally {
            transaction = null;
        }
    }

    /**
     * Applies the writes collected so far, in EXEC, and goes on collecting: before a command that works
     * on the databases themselves (MOVE, SWAPDB, COPY ... DB, FLUSHALL), so that it sees them. Outside
     * EXEC, nothing to do.
     */
    void applyPending() {
        if (transaction == null) {
            return;
        }
        List<Map.Entry<Integer, TransactionWrites>> written = new ArrayList<>();
        for (Map.Entry<Integer, TransactionWrites> e : transaction.entrySet()) {
            if (!e.getValue().isEmpty()) {
                written.add(e);
            }
        }
        try {
            boolean redoLog = databases.count() > 1; // the server has the databases' redo log
            if (written.size() == 1 && !(written.get(0).getValue().clearsAndWrites() && redoLog)) {
                // One database: its store's atomic batch, the cheap path. A FLUSHDB or FLUSHALL followed
                // by writes would be two durable steps there (the clear, then the batch), and writes
                // past one batch's size many: the redo log makes them one, where the server has it.
                Map.Entry<Integer, TransactionWrites> e = written.get(0);
                if (!e.getValue().applyTo(e.getKey(), databases.keyspace(e.getKey()), watches, !redoLog)) {
                    applyAcrossDatabases(written);
                }
            } else if (!written.isEmpty()) {
                applyAcrossDatabases(written);
            }
        } finally {
            transaction.clear();
        }
    }

    /** The writes of several databases as one set of changes, all or nothing (the databases' redo log). */
    private void applyAcrossDatabases(List<Map.Entry<Integer, TransactionWrites>> written) {
        DatabaseChanges changes = new DatabaseChanges();
        for (Map.Entry<Integer, TransactionWrites> e : written) {
            e.getValue().flushing(e.getKey(), databases.keyspace(e.getKey()), watches);
            e.getValue().addTo(e.getKey(), changes);
        }
        try {
            databases.apply(changes);
        } finally {
            for (Map.Entry<Integer, TransactionWrites> e : written) {
                e.getValue().touched(e.getKey(), watches); // also after a failure: what was applied is unknown
            }
        }
    }

    /** Whether EXEC is collecting writes: commands on the databases then work on {@link #collected}. */
    boolean collecting() {
        return transaction != null;
    }

    /** In EXEC, whether the transaction has touched database {@code db} so far. */
    boolean collecting(int db) {
        return transaction != null && transaction.containsKey(db);
    }

    /** In EXEC, the collected writes of database {@code db}, seen over its store (MOVE and FLUSHALL in EXEC). */
    Keyspace collected(int db) {
        return transaction.computeIfAbsent(db, n -> new TransactionWrites(databases.keyspace(n)));
    }

    /** The current database's collected writes, in EXEC; null outside it. */
    private TransactionWrites tx() {
        if (transaction == null) {
            return null;
        }
        return (TransactionWrites) collected(SelectedKeyspace.currentDatabase());
    }

    @Override
    public void put(byte[] key, byte[] value) {
        TransactionWrites transaction = tx();
        if (transaction != null) {
            transaction.put(key, value);
            return;
        }
        try {
            store.put(key, value);
        } finally {
            touched(key); // also when the put failed half-way: a spurious abort is safe
        }
    }

    /** Tells the watchers of {@code key} in the selected database that it changed. */
    private void touched(byte[] key) {
        watches.touched(SelectedKeyspace.currentDatabase(), key);
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
        TransactionWrites transaction = tx();
        return transaction != null ? transaction.get(key) : store.get(key);
    }

    @Override
    public boolean delete(byte[] key) {
        TransactionWrites transaction = tx();
        if (transaction != null) {
            return transaction.delete(key);
        }
        boolean changed = true; // unless the store says the key was absent (as Redis, no change then)
        try {
            changed = store.delete(key);
            return changed;
        } finally {
            if (changed) {
                touched(key);
            }
        }
    }

    @Override
    public ScanIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        TransactionWrites transaction = tx();
        return transaction != null
                ? transaction.scan(fromInclusive, toExclusive)
                : store.scan(fromInclusive, toExclusive);
    }

    @Override
    public long size() {
        TransactionWrites transaction = tx();
        return transaction != null ? transaction.size() : store.size();
    }

    @Override
    public void clear() {
        TransactionWrites transaction = tx();
        if (transaction != null) {
            transaction.clear();
            return;
        }
        int db = SelectedKeyspace.currentDatabase();
        watches.flushing((watchedDb, key) -> watchedDb == db && store.get(key) != null);
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
        TransactionWrites transaction = tx();
        if (transaction != null) {
            transaction.put(key, value, expireAtMillis);
            return;
        }
        try {
            store.put(key, value, expireAtMillis);
        } finally {
            touched(key);
        }
    }

    @Override
    public boolean putIfAbsent(byte[] key, byte[] value, long expireAtMillis) {
        TransactionWrites transaction = tx();
        if (transaction != null) {
            return transaction.putIfAbsent(key, value, expireAtMillis);
        }
        return reported(key, () -> store.putIfAbsent(key, value, expireAtMillis));
    }

    @Override
    public boolean putIfPresent(byte[] key, byte[] value, long expireAtMillis) {
        TransactionWrites transaction = tx();
        if (transaction != null) {
            return transaction.putIfPresent(key, value, expireAtMillis);
        }
        return reported(key, () -> store.putIfPresent(key, value, expireAtMillis));
    }

    @Override
    public boolean expireAt(byte[] key, long expireAtMillis) {
        TransactionWrites transaction = tx();
        if (transaction != null) {
            return transaction.expireAt(key, expireAtMillis);
        }
        return reported(key, () -> store.expireAt(key, expireAtMillis));
    }

    @Override
    public boolean persist(byte[] key) {
        TransactionWrites transaction = tx();
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
                touched(key);
            }
        }
    }

    @Override
    public long expiry(byte[] key) {
        TransactionWrites transaction = tx();
        return transaction != null ? transaction.expiry(key) : store.expiry(key);
    }

    @Override
    public long version(byte[] key) {
        return store.version(key);
    }

    @Override
    public long expiringKeys() {
        TransactionWrites transaction = tx();
        return transaction != null ? transaction.expiringKeys() : store.expiringKeys();
    }

    @Override
    public boolean applyAtomically(WriteBatch batch) {
        return store.applyAtomically(batch);
    }
}
