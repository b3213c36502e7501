package io.toykv.server.command;

import io.toykv.core.DatabaseChanges;
import io.toykv.core.ScanIterator;
import io.toykv.core.WriteBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The keyspace every command sees. Outside EXEC it is the store's, with each write reported to the
 * {@link WatchRegistry} once applied, so that WATCH sees the changes of every command without each
 * command knowing about WATCH. During EXEC it is that transaction's {@link TransactionWrites}, which
 * collects the writes and applies them at the end ({@link #commit}), with the transaction's SWAPDBs
 * ({@link #swapCollected}), as one set of changes.
 *
 * <p>{@link #transaction} and the swap fields are guarded by the {@link IsolationLock}: EXEC sets and
 * clears them holding the lock exclusively, every command reads them holding the lock shared or
 * (EXEC's) exclusively.
 */
final class CommandKeyspace implements Keyspace {
    private final Keyspace store;
    private final KeyspaceSet databases;
    private final WatchRegistry watches;
    /**
     * During EXEC, the writes collected so far, one {@link TransactionWrites} per keyspace the
     * transaction wrote to (a transaction may SELECT), by the number of its database when EXEC began;
     * null outside EXEC.
     */
    private Map<Integer, TransactionWrites> transaction;
    /**
     * During EXEC, for each database a SWAPDB of the transaction named, the keyspace it shows now (by
     * its number when EXEC began); a number absent shows its own.
     */
    private Map<Integer, Integer> shown;
    /** During EXEC, the transaction's SWAPDBs in order: applied with its writes, as one set of changes. */
    private List<int[]> swaps;
    /**
     * During EXEC, for each keyspace a SWAPDB moved, every database number it was shown under: its
     * watchers are told of the transaction's changes to it under each (a superset of Redis's, which
     * tells the number it had at each write; a spurious abort of a watcher is safe).
     */
    private Map<Integer, Set<Integer>> shownAs;

    /** {@code store} is the selected database's keyspace ({@link SelectedKeyspace}) over {@code databases}. */
    CommandKeyspace(Keyspace store, KeyspaceSet databases, WatchRegistry watches) {
        this.store = store;
        this.databases = databases;
        this.watches = watches;
    }

    /** EXEC, holding the isolation lock exclusively: from now the commands' writes are collected. */
    void begin() {
        transaction = new TreeMap<>();
        shown = new HashMap<>();
        swaps = new ArrayList<>();
        shownAs = new HashMap<>();
    }

    /** EXEC, holding the isolation lock exclusively, after its commands: applies their writes and swaps. */
    void commit() {
        try {
            List<Map.Entry<Integer, TransactionWrites>> written = new ArrayList<>();
            for (Map.Entry<Integer, TransactionWrites> e : transaction.entrySet()) {
                if (!e.getValue().isEmpty()) {
                    written.add(e);
                }
            }
            boolean redoLog = databases.count() > 1; // the server has the databases' redo log
            if (swaps.isEmpty()
                    && written.size() == 1
                    && !(written.get(0).getValue().clearsAndWrites() && redoLog)) {
                // One database: its store's atomic batch, the cheap path. A FLUSHDB or FLUSHALL followed
                // by writes would be two durable steps there (the clear, then the batch), and writes
                // past one batch's size many: the redo log makes them one, where the server has it.
                Map.Entry<Integer, TransactionWrites> e = written.get(0);
                if (!e.getValue().applyTo(e.getKey(), databases.keyspace(e.getKey()), watches, !redoLog)) {
                    applyAcrossDatabases(written);
                }
            } else if (!written.isEmpty() || !swaps.isEmpty()) {
                applyAcrossDatabases(written);
            }
        } finally {
            transaction = null;
            shown = null;
            swaps = null;
            shownAs = null;
        }
    }

    /**
     * The writes of several databases, and the transaction's swaps, as one set of changes, all or
     * nothing (the databases' redo log).
     */
    private void applyAcrossDatabases(List<Map.Entry<Integer, TransactionWrites>> written) {
        DatabaseChanges changes = new DatabaseChanges();
        for (Map.Entry<Integer, TransactionWrites> e : written) {
            for (int db : numbersOf(e.getKey())) {
                e.getValue().flushing(db, databases.keyspace(e.getKey()), watches);
            }
            e.getValue().addTo(e.getKey(), changes);
        }
        // After every write: DatabaseChanges keeps the writes added before a swap with the keyspace
        // they were added to, which is how they were collected (by keyspace, not by database number).
        for (int[] swap : swaps) {
            changes.swap(swap[0], swap[1]);
        }
        try {
            databases.apply(changes);
        } finally {
            for (Map.Entry<Integer, TransactionWrites> e : written) {
                for (int db : numbersOf(e.getKey())) {
                    e.getValue().touched(db, watches); // also after a failure: what was applied is unknown
                }
            }
        }
    }

    /** The database numbers keyspace {@code keyspace} was shown under in this EXEC, its own first. */
    private Set<Integer> numbersOf(int keyspace) {
        Set<Integer> numbers = new TreeSet<>(shownAs.getOrDefault(keyspace, Set.of()));
        numbers.add(keyspace);
        return numbers;
    }

    /** Whether EXEC is collecting writes: commands on the databases then work on {@link #collected}. */
    boolean collecting() {
        return transaction != null;
    }

    /** In EXEC, the number (when EXEC began) of the keyspace database {@code db} shows now. */
    private int keyspaceOf(int db) {
        return shown.getOrDefault(db, db);
    }

    /**
     * The keyspace database {@code db} shows the commands (in EXEC, the transaction's writes over the
     * keyspace a SWAPDB of it put there), or null when it has no keys (a database never used is not made).
     */
    Keyspace shown(int db) {
        int keyspace = db;
        if (transaction != null) {
            keyspace = keyspaceOf(db);
            TransactionWrites written = transaction.get(keyspace);
            if (written != null) {
                return written;
            }
        }
        return databases.size(keyspace) > 0 ? databases.keyspace(keyspace) : null;
    }

    /** In EXEC, the collected writes of database {@code db}, seen over its store (MOVE and FLUSHALL in EXEC). */
    Keyspace collected(int db) {
        return collectedKeyspace(keyspaceOf(db));
    }

    private TransactionWrites collectedKeyspace(int keyspace) {
        return transaction.computeIfAbsent(keyspace, n -> new TransactionWrites(databases.keyspace(n)));
    }

    /** FLUSHALL in EXEC: every keyspace with keys, or written by the transaction, is cleared in it. */
    void clearAllCollected() {
        for (int keyspace = 0; keyspace < databases.count(); keyspace++) {
            if (transaction.containsKey(keyspace) || databases.size(keyspace) > 0) {
                collectedKeyspace(keyspace).clear();
            }
        }
    }

    /**
     * SWAPDB in EXEC: from now database {@code a} shows the keyspace {@code b} showed, and the other way
     * round; the swap is applied with the transaction's writes, in the same set of changes.
     */
    void swapCollected(int a, int b) {
        int keyspaceOfA = keyspaceOf(a);
        int keyspaceOfB = keyspaceOf(b);
        shown.put(a, keyspaceOfB);
        shown.put(b, keyspaceOfA);
        shownAs.computeIfAbsent(keyspaceOfB, n -> new HashSet<>()).add(a);
        shownAs.computeIfAbsent(keyspaceOfA, n -> new HashSet<>()).add(b);
        swaps.add(new int[] {a, b});
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
