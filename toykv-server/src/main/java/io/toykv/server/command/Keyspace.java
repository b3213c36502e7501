package io.toykv.server.command;

import io.toykv.core.ScanIterator;
import io.toykv.core.WriteBatch;
import java.util.Map;

/**
 * The store as the commands see it: the subset of {@link io.toykv.core.Store} they use, so a test can
 * put a failing or instrumented store behind the server. Exceptions are the store's: bad key or value
 * {@link IllegalArgumentException}, I/O failure {@link java.io.UncheckedIOException}, closed store
 * {@link IllegalStateException}.
 */
public interface Keyspace {

    void put(byte[] key, byte[] value);

    /** Throws the {@link IllegalArgumentException} {@link #put} would throw for this pair, if any. */
    void check(byte[] key, byte[] value);

    /**
     * The longest value {@link #put} takes, for the commands that build a value (APPEND, SETRANGE) to
     * refuse one past it with Redis's error before building it.
     */
    default long maxValueSize() {
        return Integer.MAX_VALUE;
    }

    /** The value, or null when the key is absent. */
    byte[] get(byte[] key);

    /** Whether the key was present. */
    boolean delete(byte[] key);

    /** Entries with {@code from <= key < to} in unsigned key order; null bounds are open. */
    ScanIterator scan(byte[] fromInclusive, byte[] toExclusive);

    /** Live keys, in constant time. */
    long size();

    /** Removes every key. */
    void clear();

    /** Forces written data to the device. */
    void sync();

    /** The store's counters by snake_case name, for INFO. */
    Map<String, Object> stats();

    // Expiry, as io.toykv.core.Store defines it: times are milliseconds since the epoch by now(); the
    // constants are Store.NO_EXPIRY, Store.KEEP_EXPIRY and Store.NO_KEY; a time that passed deletes.

    /** The clock expiry times are compared with, in milliseconds since the epoch. */
    long now();

    /** A put with an expiry time, {@code Store.NO_EXPIRY} or {@code Store.KEEP_EXPIRY}. */
    void put(byte[] key, byte[] value, long expireAtMillis);

    /** Puts only if the key is absent, atomically against every other write; whether it put. */
    boolean putIfAbsent(byte[] key, byte[] value, long expireAtMillis);

    /** Puts only if the key is present, atomically against every other write; whether it put. */
    boolean putIfPresent(byte[] key, byte[] value, long expireAtMillis);

    /** Sets the key's expiry without rewriting its value; false if the key is absent. */
    boolean expireAt(byte[] key, long expireAtMillis);

    /** Removes the key's expiry; whether it had one. */
    boolean persist(byte[] key);

    /** The key's expiry time, {@code Store.NO_EXPIRY} if it has none, {@code Store.NO_KEY} if absent. */
    long expiry(byte[] key);

    /** A number that changes whenever the key changes, its expiry passing included (for WATCH). */
    long version(byte[] key);

    /** Live keys that have an expiry. */
    long expiringKeys();

    /**
     * Applies {@code batch} all or nothing, as {@link io.toykv.core.Store#apply} does, and returns true;
     * or returns false, having done nothing, when this keyspace cannot (the caller then applies the
     * changes one by one).
     *
     * @throws IllegalArgumentException the batch is too large for one atomic batch; nothing was applied
     */
    default boolean applyAtomically(WriteBatch batch) {
        return false;
    }
}
