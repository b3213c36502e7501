package io.toykv.server.command;

import io.toykv.core.DatabaseChanges;

/**
 * The server's numbered databases (SELECT), each a {@link Keyspace}. Implementations are thread-safe.
 */
public interface KeyspaceSet {

    /** How many databases there are: numbers 0..count-1. */
    int count();

    /** Database {@code db}'s keyspace, at the time of the call (a later {@link #swap} is not followed). */
    Keyspace keyspace(int db);

    /** Number of keys in database {@code db}; 0 for a database never used, without creating it. */
    long size(int db);

    /** Exchanges the keys of two databases (SWAPDB), atomically and durably. */
    void swap(int a, int b);

    /** Moves {@code key} from database {@code from} to {@code to} if absent there (MOVE); returns whether it moved. */
    boolean move(byte[] key, int from, int to);

    /**
     * Copies {@code source} of database {@code from} to {@code destination} of database {@code to} with
     * its expiry (COPY); over a present destination only if {@code replace}. Returns whether it copied.
     */
    boolean copy(byte[] source, int from, byte[] destination, int to, boolean replace);

    /** Removes every key of every database (FLUSHALL), all or nothing. */
    void clearAll();

    /**
     * Applies changes to several databases all or nothing (an EXEC that wrote to more than one); the
     * caller keeps every other writer out until it returns (the isolation lock, exclusively).
     */
    void apply(DatabaseChanges changes);
}
