package io.toykv.core;

import io.toykv.core.engine.BatchOp;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Changes to several databases of a {@link Databases}, applied together by {@link Databases#apply}: all
 * or nothing across the databases. For each database, a clear if {@link #clear} was called, then its
 * puts, deletes and expiry changes in the order added (a clear drops the changes added to that database
 * before it). Every change is absolute (a value, a deletion, an expiry time), so that it can be redone
 * after a crash: a put keeps no expiry ({@link Store#KEEP_EXPIRY} is refused). Keys and values are
 * copied as they are added. Not thread-safe.
 *
 * <p>A {@link #swap} takes effect where it is added, as Redis's SWAPDB in a transaction: a change added
 * after {@code swap(a, b)} to database {@code a} is a change of the keys that database {@code b} held,
 * and once applied, {@code a} holds {@code b}'s keys (with their changes) and {@code b} holds {@code a}'s.
 * So the changes are kept by the keyspace they change, named by the number it had before the changes
 * (its {@link #databases}), with the numbers the keyspaces end at ({@link #keyspaceAt}).
 */
public final class DatabaseChanges {
    /** The changes of each database, by number. */
    private final Map<Integer, WriteBatch> batches = new TreeMap<>();

    private final Set<Integer> cleared = new HashSet<>();
    /**
     * For each database number a swap named, the number, before the changes, of the keyspace it shows
     * at this point of the changes; a number absent shows its own.
     */
    private final Map<Integer, Integer> shown = new TreeMap<>();

    private static void checkNumber(int db) {
        if (db < 0) {
            throw new IllegalArgumentException("database " + db + " is negative");
        }
    }

    /** The changes of the keyspace database {@code db} shows at this point of the changes. */
    private WriteBatch of(int db) {
        checkNumber(db);
        return batches.computeIfAbsent(keyspaceAt(db), n -> new WriteBatch());
    }

    /**
     * Sets {@code key} of database {@code db} to {@code value}, expiring at {@code expireAtMillis} or
     * {@link Store#NO_EXPIRY}; a time that has passed when the changes are applied deletes the key.
     *
     * @throws IllegalArgumentException {@code expireAtMillis} is {@link Store#KEEP_EXPIRY}, 0, or another negative value
     */
    public DatabaseChanges put(int db, byte[] key, byte[] value, long expireAtMillis) {
        if (expireAtMillis == Store.KEEP_EXPIRY) {
            throw new IllegalArgumentException("a put of several databases' changes must name its expiry, not keep it");
        }
        of(db).put(key, value, expireAtMillis);
        return this;
    }

    /** Removes {@code key} of database {@code db} (nothing if absent). */
    public DatabaseChanges delete(int db, byte[] key) {
        of(db).delete(key);
        return this;
    }

    /** Sets the expiry of {@code key} of database {@code db} as {@link WriteBatch#expireAt} does. */
    public DatabaseChanges expireAt(int db, byte[] key, long expireAtMillis) {
        of(db).expireAt(key, expireAtMillis);
        return this;
    }

    /** Removes the expiry of {@code key} of database {@code db} as {@link WriteBatch#persist} does. */
    public DatabaseChanges persist(int db, byte[] key) {
        of(db).persist(key);
        return this;
    }

    /** Removes every key of database {@code db} before its changes; the changes added to it so far are dropped. */
    public DatabaseChanges clear(int db) {
        of(db).clear();
        cleared.add(keyspaceAt(db));
        return this;
    }

    /**
     * Swaps databases {@code a} and {@code b} at this point of the changes (Redis's SWAPDB): the changes
     * added later to {@code a} change the keys {@code b} holds here, and the other way round; once
     * applied, {@code a} holds what {@code b} holds here, with its later changes, and {@code b} what
     * {@code a} does. Swapping a database with itself does nothing.
     */
    public DatabaseChanges swap(int a, int b) {
        checkNumber(a);
        checkNumber(b);
        int keyspaceOfA = keyspaceAt(a);
        shown.put(a, keyspaceAt(b));
        shown.put(b, keyspaceOfA);
        return this;
    }

    /** Whether there is nothing to apply. */
    public boolean isEmpty() {
        if (swaps()) {
            return false;
        }
        for (Map.Entry<Integer, WriteBatch> e : batches.entrySet()) {
            if (!e.getValue().isEmpty() || cleared.contains(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    /** The keyspaces changed, each by its number before the changes, in number order. */
    Set<Integer> databases() {
        return Collections.unmodifiableSet(batches.keySet());
    }

    /**
     * The number, before the changes, of the keyspace that database {@code db} holds after the swaps
     * added so far (itself, without swaps).
     */
    int keyspaceAt(int db) {
        return shown.getOrDefault(db, db);
    }

    /** The database numbers a swap named, in number order (some may show their own keyspace again). */
    Set<Integer> swapped() {
        return Collections.unmodifiableSet(shown.keySet());
    }

    /** Whether a database ends with another's keyspace. */
    boolean swaps() {
        for (Map.Entry<Integer, Integer> e : shown.entrySet()) {
            if (!e.getKey().equals(e.getValue())) {
                return true;
            }
        }
        return false;
    }

    boolean clears(int db) {
        return cleared.contains(db);
    }

    List<BatchOp> ops(int db) {
        WriteBatch batch = batches.get(db);
        return batch == null ? List.of() : batch.ops();
    }

    /** {@code ops} as a batch of the public API (their expiry times in its terms). */
    static WriteBatch batchOf(List<BatchOp> ops) {
        WriteBatch batch = new WriteBatch();
        for (BatchOp op : ops) {
            switch (op.kind()) {
                case PUT -> batch.put(op.key(), op.value(), apiExpiry(op.expireAt()));
                case DELETE -> batch.delete(op.key());
                case EXPIRE -> {
                    if (op.expireAt() == 0) {
                        batch.persist(op.key());
                    } else {
                        batch.expireAt(op.key(), op.expireAt());
                    }
                }
            }
        }
        return batch;
    }

    /** A put's engine expiry in the terms of {@link Store#put(byte[], byte[], long)}. */
    static long apiExpiry(long engineExpiry) {
        if (engineExpiry == 0) {
            return Store.NO_EXPIRY;
        }
        if (engineExpiry < 0) {
            throw new IllegalArgumentException("a put of several databases' changes must name its expiry, not keep it");
        }
        return engineExpiry;
    }

    /** Applies {@code ops} one by one to {@code store}: for a batch too large for {@link Store#apply}. */
    static void applyOneByOne(Store store, List<BatchOp> ops) {
        for (BatchOp op : ops) {
            switch (op.kind()) {
                case PUT -> store.put(op.key(), op.value(), apiExpiry(op.expireAt()));
                case DELETE -> store.delete(op.key());
                case EXPIRE -> {
                    if (op.expireAt() == 0) {
                        store.persist(op.key());
                    } else {
                        store.expireAt(op.key(), op.expireAt());
                    }
                }
            }
        }
    }
}
