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
 */
public final class DatabaseChanges {
    /** The changes of each database, by number. */
    private final Map<Integer, WriteBatch> batches = new TreeMap<>();

    private final Set<Integer> cleared = new HashSet<>();

    private WriteBatch of(int db) {
        if (db < 0) {
            throw new IllegalArgumentException("database " + db + " is negative");
        }
        return batches.computeIfAbsent(db, n -> new WriteBatch());
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
        cleared.add(db);
        return this;
    }

    /** Whether there is nothing to apply. */
    public boolean isEmpty() {
        for (Map.Entry<Integer, WriteBatch> e : batches.entrySet()) {
            if (!e.getValue().isEmpty() || cleared.contains(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    /** The databases named, in number order. */
    Set<Integer> databases() {
        return Collections.unmodifiableSet(batches.keySet());
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
