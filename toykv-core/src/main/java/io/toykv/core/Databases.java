package io.toykv.core;

import io.toykv.core.engine.DatabaseMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A store's numbered databases (Redis's SELECT): each database is its own keyspace, a {@link Store}
 * of its own. Database 0 is the store in the directory itself, so a store made without databases
 * opens with its keys in database 0, and {@code Store.open(dir)} still opens database 0 alone. Every
 * other database lives in {@code databases/db-d} under the store directory and is opened when first
 * used (a database never used has no files).
 *
 * <p>Which directory holds which database is written in {@link DatabaseMap} ({@code databases.map}),
 * changed only by {@link #swap}, in one atomic, durable file replacement.
 *
 * <p>Thread-safe; {@link #database} takes no lock once the database is open. It returns the store that
 * holds a database at the time of the call:
 * an operation already running on it when a {@link #swap} happens completes on that store.
 */
public final class Databases implements AutoCloseable {
    /** Redis's default number of databases. */
    public static final int DEFAULT_COUNT = 16;

    /** The most databases a directory may hold. */
    public static final int MAX_COUNT = DatabaseMap.MAX_DATABASES;

    private final Path dir;
    private final StoreOptions options;
    private final int count;
    /** Held while a key moves, so that two moves never interleave. */
    private final Object moveLock = new Object();
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

    private Databases(Path dir, StoreOptions options, Store root, int count, int[] map) {
        this.dir = dir;
        this.options = options;
        this.count = count;
        this.map = map;
        this.open = new Store[map.length];
        this.open[0] = root;
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
        try {
            // If database 0 was swapped away, the store in dir stays open (it holds the lock) under its
            // directory number 0, whichever database that is.
            return new Databases(dir, options, root, count, DatabaseMap.read(dir, count));
        } catch (IOException | RuntimeException e) {
            root.close();
            throw e;
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
                open[d] = Store.open(DatabaseMap.directory(dir, d), options);
                publish();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open database " + n + ": " + e.getMessage(), e);
            }
        }
        return open[d];
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
        if (a == b) {
            return;
        }
        int[] next = map.clone();
        next[a] = map[b];
        next[b] = map[a];
        try {
            DatabaseMap.write(dir, next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot swap databases " + a + " and " + b + ": " + e.getMessage(), e);
        }
        System.arraycopy(next, 0, map, 0, map.length);
        publish();
    }

    /**
     * Moves {@code key} from database {@code from} to {@code to} with its expiry (Redis's MOVE): only
     * if it is present in {@code from} and absent from {@code to}. Returns whether it moved. Atomic with
     * respect to other callers of move and to writers of the key in {@code to}; the key is written to {@code to} before it is deleted from
     * {@code from}, so a crash between the two leaves it in both, never in neither.
     *
     * @throws IllegalArgumentException from equals to, or either is out of range
     */
    public boolean move(byte[] key, int from, int to) {
        if (from == to) {
            throw new IllegalArgumentException("source and destination databases are the same");
        }
        Store source;
        Store target;
        synchronized (this) {
            source = database(from);
            target = database(to);
        }
        synchronized (moveLock) {
            byte[] value = source.get(key);
            if (value == null) {
                return false;
            }
            long expiry = source.expiry(key);
            if (expiry == Store.NO_KEY) {
                return false; // expired between the two reads
            }
            if (!target.putIfAbsent(key, value, expiry)) {
                return false;
            }
            source.delete(key);
            return true;
        }
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

    /** Removes every key of every database (Redis's FLUSHALL); databases never used stay without files. */
    public synchronized void clearAll() {
        for (int n = 0; n < count; n++) {
            if (open[map[n]] != null || Files.exists(DatabaseMap.directory(dir, map[n]))) {
                database(n).clear();
            }
        }
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
        if (failure != null) {
            throw failure;
        }
    }
}
