package io.toykv.core;

import io.toykv.core.engine.BatchOp;
import io.toykv.core.engine.DatabaseMap;
import io.toykv.core.engine.TransactionLog;
import io.toykv.core.io.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A store's numbered databases (Redis's SELECT): each database is its own keyspace, a {@link Store}
 * of its own. Database 0 is the store in the directory itself, so a store made without databases
 * opens with its keys in database 0, and {@code Store.open(dir)} still opens database 0 alone. Every
 * other database lives in {@code databases/db-d} under the store directory and is opened when first
 * used (a database never used has no files).
 *
 * <p>Which directory holds which database is written in {@link DatabaseMap} ({@code databases.map}),
 * changed only by swaps, each set of them in one atomic, durable file replacement: by {@link #swap}, or
 * by {@link #apply} of changes with swaps ({@link DatabaseChanges#swap}), where the map after them is
 * part of the redo log's record and is written after the databases' parts.
 *
 * <p>Thread-safe; {@link #database} takes no lock once the database is open. It returns the store that
 * holds a database at the time of the call:
 * an operation already running on it when a {@link #swap} happens completes on that store.
 *
 * <p><b>Changes of several databases</b> ({@link #apply}, and {@link #move} and {@link #clearAll},
 * which use it) are all or nothing for crashes: the whole set is written to the redo log
 * {@code databases/transactions.log} ({@link TransactionLog}) and forced; then each database's part is
 * applied to its store and forced ({@link Store#apply}, {@link Store#clear}, {@link Store#sync}); then a
 * done mark is forced before the call returns. An open finds every set without its done mark and
 * applies it again, before anything reads. Invariant: once the set's record is on the device, every
 * database ends up with its part (now or at the next open); before that, none has any of it. A failure
 * after the record is durable stops writes on every open database until a reopen redoes the set, so
 * no write acknowledged after the failure can be overwritten by that redo.
 *
 * <p><b>The rule for callers:</b> a redo overwrites the keys the set names with the set's values. So
 * from the call until it returns, no other thread may write those keys (nor clear those databases):
 * such a write could be undone by the redo after a crash. The server keeps every other command out
 * (it runs these holding its isolation lock exclusively). Readers of the databases may see the set
 * applied database by database while the call runs.
 */
public final class Databases implements AutoCloseable {
    /** Redis's default number of databases. */
    public static final int DEFAULT_COUNT = 16;

    /** The most databases a directory may hold. */
    public static final int MAX_COUNT = DatabaseMap.MAX_DATABASES;

    private final Path dir;
    private final StoreOptions options;
    private final int count;
    /** Guarded by this: the failure of a set of changes the next open may redo ({@link #failed}); null if none. */
    private IOException failure;

    /** Guarded by this: the redo log of {@link #apply}. */
    private final TransactionLog log;
    /** Guarded by this: directory number of each database. */
    private final int[] map;
    /** Guarded by this: the open store of each directory number, or null. */
    private final Store[] open;
    /**
     * The open store of each database by number, or null: what {@link #database} reads without a lock
     * (every command of the server does). Replaced whole, under this, when a database opens or a swap
     * changes the map.
     */
    private volatile Store[] byNumber;

    private volatile boolean closed;

    private Databases(Path dir, StoreOptions options, Store root, int count, int[] map, TransactionLog log) {
        this.dir = dir;
        this.options = options;
        this.count = count;
        this.map = map;
        this.open = new Store[map.length];
        this.open[0] = root;
        this.log = log;
        publish();
    }

    /** Called under this (or from the constructor). */
    private void publish() {
        Store[] next = new Store[count];
        for (int n = 0; n < count; n++) {
            next[n] = open[map[n]];
        }
        byNumber = next;
    }

    /**
     * Opens the store in {@code dir} with {@code count} databases (0..count-1); database 0's store is
     * opened at once, the others when first used.
     *
     * @throws IllegalArgumentException count is not 1..{@link #MAX_COUNT}
     * @throws IOException as {@link Store#open(Path, StoreOptions)}, or {@code databases.map} is damaged
     */
    public static Databases open(Path dir, StoreOptions options, int count) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        if (count < 1 || count > DatabaseMap.MAX_DATABASES) {
            throw new IllegalArgumentException("database count " + count + " is not 1.." + DatabaseMap.MAX_DATABASES);
        }
        // The store in dir first: its lock makes this process the only one to read and write the map.
        Store root = Store.open(dir, options);
        TransactionLog log = null;
        Databases databases = null;
        try {
            log = TransactionLog.open(TransactionLog.path(dir));
            // A transaction to redo may carry a map of more databases than this open's count.
            int width = count;
            for (TransactionLog.Transaction t : log.pending()) {
                width = t.map() == null ? width : Math.max(width, t.map().length);
            }
            int[] map = DatabaseMap.read(dir, width);
            // If database 0 was swapped away, the store in dir stays open (it holds the lock) under its
            // directory number 0, whichever database that is.
            databases = new Databases(dir, options, root, count, map, log);
            databases.redo();
            return databases;
        } catch (IOException | RuntimeException e) {
            if (databases != null) {
                try {
                    databases.close();
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
            } else {
                if (log != null) {
                    log.close();
                }
                root.close();
            }
            throw e;
        }
    }

    /**
     * At open, before anything reads: applies again every set of changes of the log without its done
     * mark, in order, forces the databases, and resets the log.
     */
    private synchronized void redo() throws IOException {
        List<TransactionLog.Transaction> pending = log.pending();
        for (TransactionLog.Transaction t : pending) {
            for (TransactionLog.Part part : t.parts()) {
                int d = part.directory();
                if (d < open.length) {
                    if (open[d] == null) {
                        open[d] = openDirectory(d);
                        publish();
                    }
                    applyPart(open[d], part);
                } else {
                    // A directory past this open's count (the store was opened with more databases).
                    try (Store store = openDirectory(d)) {
                        applyPart(store, part);
                    }
                }
            }
            if (t.map() != null) {
                // Absolute: the map after the transaction, over the numbers it covers (the map is at
                // least as wide, see open; the numbers past it were not swapped since).
                int[] next = map.clone();
                System.arraycopy(t.map(), 0, next, 0, t.map().length);
                if (!Arrays.equals(next, map)) {
                    DatabaseMap.write(dir, next);
                    adopt(next);
                }
            }
        }
        if (!pending.isEmpty()) {
            System.getLogger(Databases.class.getName())
                    .log(
                            System.Logger.Level.INFO,
                            "redid " + pending.size() + " changes of several databases in " + dir
                                    + " that a crash cut short");
        }
        if (log.hasRecords()) {
            log.reset();
        }
    }

    /** One database's part of a set of changes: its clear, its changes, then a force. */
    private static void applyPart(Store store, TransactionLog.Part part) {
        if (part.clear()) {
            store.clear();
        }
        if (!part.ops().isEmpty()) {
            try {
                store.apply(DatabaseChanges.batchOf(part.ops()));
            } catch (IllegalArgumentException tooLarge) {
                // More than one atomic batch of the store holds (every change was checked before it was
                // logged): applied change by change, which the log makes all or nothing for crashes.
                DatabaseChanges.applyOneByOne(store, part.ops());
            }
        }
        store.sync();
    }

    /**
     * Applies {@code changes} to their databases, all or nothing for crashes (see the class comment,
     * with the rule that no other thread writes the keys named until this returns), swaps included:
     * readers see the databases swapped once every database has its part. When this returns the
     * changes are durable in every sync mode.
     *
     * @throws IllegalArgumentException a database is out of range, or a key or value is longer than the
     *     options allow; nothing was written
     * @throws UncheckedIOException the log or a database could not be written: if the log's record was
     *     not forced, no database changed; if it was, the next open applies the changes whole, and until
     *     then this refuses every other set of changes and every open database's store takes no more
     *     writes (as after a failed force, {@link StoreStats#writesStopped}; reads go on, and may see
     *     the changes in part): a write acknowledged in between could be overwritten by the redo
     */
    public synchronized void apply(DatabaseChanges changes) {
        Objects.requireNonNull(changes, "changes");
        refuseAfterFailure();
        for (int db : changes.swapped()) {
            check(db);
        }
        // Each keyspace's changes go to the directory it is in now; the swaps become the map after them.
        int[] next = null;
        if (changes.swaps()) {
            next = map.clone();
            for (int db : changes.swapped()) {
                next[db] = map[changes.keyspaceAt(db)];
            }
        }
        List<TransactionLog.Part> parts = new ArrayList<>();
        List<Store> stores = new ArrayList<>();
        for (int db : changes.databases()) {
            check(db);
            List<BatchOp> ops = changes.ops(db);
            for (BatchOp op : ops) {
                checkSizes(op);
            }
            if (changes.clears(db) || !ops.isEmpty()) {
                parts.add(new TransactionLog.Part(map[db], changes.clears(db), ops));
            }
        }
        if (parts.isEmpty()) {
            if (next != null) {
                writeMap(next); // swaps alone: one file replacement is all or nothing
            }
            return;
        }
        for (int db : changes.databases()) {
            if (changes.clears(db) || !changes.ops(db).isEmpty()) {
                stores.add(database(db));
            }
        }
        long sequence;
        try {
            sequence = log.append(parts, next);
        } catch (IOException e) {
            // The record's bytes may be in the file (its force failed): the next open may redo it.
            failed(e);
            throw new UncheckedIOException("cannot log changes of several databases: " + e.getMessage(), e);
        }
        try {
            for (int i = 0; i < parts.size(); i++) {
                applyPart(stores.get(i), parts.get(i));
            }
            if (next != null) {
                // After the parts, as the redo does: the map is absolute, so writing it twice is harmless.
                DatabaseMap.write(dir, next);
                adopt(next);
            }
            log.done(sequence);
        } catch (IOException e) {
            log.fail(e);
            failed(e);
            throw new UncheckedIOException("changes of several databases failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : new IOException(e);
            log.fail(cause);
            failed(cause);
            throw e;
        }
    }

    /**
     * A set of changes may be redone by the next open (its record may be in the log): from now on no
     * set of changes or swap is taken, and no database, open now or opened later, takes a write, until
     * a reopen redoes it. Under this.
     */
    private void failed(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        stopWrites(cause);
    }

    /** Refuses a change once a set of changes failed ({@link #failed}); under this. */
    private void refuseAfterFailure() {
        if (failure != null) {
            throw new UncheckedIOException(
                    "changes of several databases are refused until the databases are reopened: a set of changes"
                            + " failed (" + failure.getMessage() + ") and the next open redoes it",
                    failure);
        }
    }

    /** Replaces the map with {@code next} durably, then in memory; under this. */
    private void writeMap(int[] next) {
        try {
            DatabaseMap.write(dir, next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot swap databases: " + e.getMessage(), e);
        }
        adopt(next);
    }

    /** Takes {@code next} (durable already) as the map: the databases show their new stores. Under this. */
    private void adopt(int[] next) {
        System.arraycopy(next, 0, map, 0, map.length);
        publish();
    }

    /**
     * A logged set of changes failed before its done mark: the next open redoes it, over whatever the
     * stores would acknowledge until then. So every open store is forced (what it acknowledged before
     * stays, best effort) and then takes no more writes ({@link Store#stopWrites}) until a reopen.
     */
    private void stopWrites(IOException cause) {
        for (Store store : open) {
            if (store != null) {
                try {
                    store.sync();
                } catch (RuntimeException e) {
                    cause.addSuppressed(e);
                }
                store.stopWrites(cause);
            }
        }
    }

    /** What the store would refuse, refused before the log holds it (a logged change must apply). */
    private void checkSizes(BatchOp op) {
        if (op.key().length > options.maxKeySize()) {
            throw new IllegalArgumentException(
                    "key of " + op.key().length + " bytes exceeds maxKeySize " + options.maxKeySize());
        }
        if (op.value() != null && op.value().length > options.maxValueSize()) {
            throw new IllegalArgumentException(
                    "value of " + op.value().length + " bytes exceeds maxValueSize " + options.maxValueSize());
        }
    }

    /** How many databases there are: numbers 0..count-1 (a map written with more keeps the others as they are). */
    public int count() {
        return count;
    }

    /**
     * The store that holds database {@code n}, opened (and created) if it is not open yet.
     *
     * @throws IllegalArgumentException n is not 0..count-1
     * @throws IllegalStateException closed
     * @throws UncheckedIOException the database's store cannot be opened
     */
    public Store database(int n) {
        Store[] snapshot = byNumber;
        if (n >= 0 && n < count && snapshot[n] != null && !closed) {
            return snapshot[n];
        }
        return openDatabase(n);
    }

    private synchronized Store openDatabase(int n) {
        check(n);
        int d = map[n];
        if (open[d] == null) {
            try {
                open[d] = openDirectory(d);
                if (failure != null) {
                    open[d].stopWrites(failure); // a redo at the next open could move or overwrite its keys
                }
                publish();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open database " + n + ": " + e.getMessage(), e);
            }
        }
        return open[d];
    }

    /**
     * Opens (or creates) the store of directory number {@code d} other than 0, and forces the entries
     * that lead to it: {@code db-d} in {@code databases/} and {@code databases} in the store directory.
     * Before anything is written to it, so a power loss cannot drop a database whose writes (or whose
     * part of a set of changes) were forced and acknowledged. Forced at every first use in a process: a
     * directory created before a kill -9 may still have its entries only in the page cache.
     */
    private Store openDirectory(int d) throws IOException {
        Path path = DatabaseMap.directory(dir, d);
        Store store = Store.open(path, options);
        try {
            Directories.force(path.getParent());
            Directories.force(dir);
        } catch (IOException | RuntimeException e) {
            try {
                store.close();
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        return store;
    }

    /** Whether database {@code n} holds no keys; does not open (or create) a database never used. */
    public synchronized boolean isEmpty(int n) {
        check(n);
        int d = map[n];
        if (open[d] == null && !Files.exists(DatabaseMap.directory(dir, d))) {
            return true;
        }
        return database(n).size() == 0;
    }

    /**
     * Swaps databases {@code a} and {@code b} (Redis's SWAPDB): after it, every key of {@code a} is in
     * {@code b} and the other way round. Atomic and durable: one file replacement, forced before this
     * returns; a crash leaves the databases swapped or not.
     *
     * @throws UncheckedIOException the map could not be written; nothing was swapped
     */
    public synchronized void swap(int a, int b) {
        check(a);
        check(b);
        apply(new DatabaseChanges().swap(a, b));
    }

    /**
     * Moves {@code key} from database {@code from} to {@code to} with its expiry (Redis's MOVE): only
     * if it is present in {@code from} and absent from {@code to}. Returns whether it moved. One set of
     * changes ({@link #apply}): a crash leaves the key in one of the two databases, never in both or
     * neither. Atomic with respect to other moves, applies and clears of all; a caller must keep other
     * writers of the key out of both databases until this returns (see the class comment).
     *
     * @throws IllegalArgumentException from equals to, or either is out of range
     */
    public synchronized boolean move(byte[] key, int from, int to) {
        if (from == to) {
            throw new IllegalArgumentException("source and destination databases are the same");
        }
        Store source = database(from);
        Store target = database(to);
        byte[] value = source.get(key);
        if (value == null) {
            return false;
        }
        long expiry = source.expiry(key);
        if (expiry == Store.NO_KEY || target.get(key) != null) {
            return false; // expired between the two reads, or present in the target
        }
        apply(new DatabaseChanges().put(to, key, value, expiry).delete(from, key));
        return true;
    }

    /**
     * Copies {@code source} of database {@code from} to {@code destination} of database {@code to}, with
     * its expiry (Redis's COPY): only if the source is present, and, unless {@code replace}, the
     * destination absent. Returns whether it copied. {@code from} may equal {@code to}.
     */
    public boolean copy(byte[] source, int from, byte[] destination, int to, boolean replace) {
        Store src = database(from);
        Store target = database(to);
        byte[] value = src.get(source);
        long expiry = value == null ? Store.NO_KEY : src.expiry(source);
        if (expiry == Store.NO_KEY) {
            return false; // absent, or expired between the two reads
        }
        if (replace) {
            target.put(destination, value, expiry);
            return true;
        }
        return target.putIfAbsent(destination, value, expiry);
    }

    /**
     * Removes every key of every database (Redis's FLUSHALL), as one set of changes ({@link #apply}): a
     * crash leaves every database cleared or none. Databases never used stay without files.
     */
    public synchronized void clearAll() {
        DatabaseChanges changes = new DatabaseChanges();
        for (int n = 0; n < count; n++) {
            if (open[map[n]] != null || Files.exists(DatabaseMap.directory(dir, map[n]))) {
                changes.clear(n);
            }
        }
        apply(changes);
    }

    /** Drops every open database without flushing or forcing, as a kill -9 would leave them. For crash tests. */
    synchronized void abandon() throws IOException {
        closed = true;
        for (int d = open.length - 1; d >= 0; d--) {
            if (open[d] != null) {
                open[d].abandon();
            }
        }
        log.close();
    }

    private void check(int n) {
        if (closed) {
            throw new IllegalStateException("databases are closed");
        }
        if (n < 0 || n >= count) {
            throw new IllegalArgumentException("database " + n + " is not 0.." + (count - 1));
        }
    }

    /** Closes every open database's store, the store in the directory itself last (it holds the lock). A second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (int d = open.length - 1; d >= 0; d--) {
            if (open[d] != null) {
                try {
                    open[d].close();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        try {
            log.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = new UncheckedIOException(e);
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
