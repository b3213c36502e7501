package io.toykv.server.command;

import java.util.Set;
import java.util.concurrent.locks.StampedLock;

/**
 * What makes EXEC isolated: every command that reads or writes keys runs holding this lock shared
 * (the others, {@link #needsNoLock}, need not), EXEC runs its queued commands holding it
 * exclusively, so no other client's command (a reader's GET, MGET, SCAN or KEYS included) runs
 * between two of a transaction's commands or sees part of its writes.
 *
 * <p>A {@link StampedLock}, the cheapest of the JDK's read-write locks: a shared hold is one CAS on
 * the lock word to take and one to give back, with no per-thread bookkeeping (ReentrantReadWriteLock
 * counts each reader's holds). It is not reentrant, so the commands EXEC runs do not take it again.
 * A waiting EXEC queues new readers behind it, so EXECs are not starved by a stream of reads; the
 * price is that an EXEC waits for the longest command in flight (a KEYS over a large store), and every
 * client waits for the EXEC, as every Redis client waits for any command.
 */
final class IsolationLock {
    /**
     * Commands that neither read nor write the keyspace: they cannot see half a transaction, so they
     * run without the lock (a PING is answered while an EXEC runs).
     */
    private static final Set<String> KEYSPACE_FREE = Set.of(
            "ping", "echo", "quit", "select", "auth", "hello", "client", "command", "config", "multi", "discard",
            "unwatch", "reset");

    /**
     * Commands that run holding the lock exclusively, as EXEC does: those that change several
     * databases or a whole one (MOVE, FLUSHALL, FLUSHDB, SWAPDB). Their changes are redone after a
     * crash (the databases' redo log, a store's clear mark), which would undo a write of another client
     * made while they run; no reader sees a database half cleared; and no command reads a database's
     * keys before a SWAPDB and writes them after it (an INCR would write into the other database).
     */
    private static final Set<String> EXCLUSIVE = Set.of("move", "flushall", "flushdb", "swapdb");

    private final StampedLock lock = new StampedLock();

    static boolean needsNoLock(CommandSpec spec) {
        return KEYSPACE_FREE.contains(spec.name());
    }

    static boolean needsExclusive(CommandSpec spec) {
        return EXCLUSIVE.contains(spec.name());
    }

    /** Takes the lock shared (any command but EXEC); give the stamp to {@link #leaveShared}. */
    long enterShared() {
        return lock.readLock();
    }

    void leaveShared(long stamp) {
        lock.unlockRead(stamp);
    }

    /** Runs {@code task} holding the lock exclusively (EXEC's commands, one after another; MOVE, FLUSHALL, FLUSHDB). */
    void exclusive(Runnable task) {
        long stamp = lock.writeLock();
        try {
            task.run();
        } finally {
            lock.unlockWrite(stamp);
        }
    }
}
