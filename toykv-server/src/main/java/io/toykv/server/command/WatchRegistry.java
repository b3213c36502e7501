package io.toykv.server.command;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which clients WATCH which keys, server-wide, so that a write can mark its key's watchers dirty
 * (Redis's {@code touchWatchedKey}). A watched key is a key of one database: a write to the same name
 * in another database leaves its watchers alone. Every write path reports here through
 * {@link CommandKeyspace}; while no key is watched a report costs one volatile read.
 *
 * <p>Ordering: a writer reports after its write is applied. A WATCH registered before the report
 * is marked dirty; one registered after it reads the written value, which is what it watches from.
 *
 * <p>Thread-safety: any method from any thread, except that {@link #watch} and {@link #unwatchAll}
 * for one client's {@link WatchedKeys} come only from that client's thread.
 */
final class WatchRegistry {
    /** A key of database {@code db}, by its bytes, for hashing. */
    record Key(int db, byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && db == k.db && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return 31 * db + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return db + ":" + Args.printable(bytes, 64);
        }
    }

    /** Whether a watched key exists in a keyspace about to be emptied. */
    @FunctionalInterface
    interface KeyExists {
        boolean test(int db, byte[] key);
    }

    private final ConcurrentHashMap<Key, Set<WatchedKeys>> watchers = new ConcurrentHashMap<>();
    /** Entries in {@link #watchers}: zero keeps every write's report to this one read. */
    private final AtomicInteger watchedKeys = new AtomicInteger();

    /**
     * Adds {@code key} of database {@code db} to the client's watched keys; false if it was watched
     * already or the client is closed.
     */
    boolean watch(WatchedKeys client, int db, byte[] key) {
        Key k = new Key(db, key.clone());
        synchronized (client) {
            if (client.closed || !client.keys.add(k)) {
                return false;
            }
            register(client, k);
        }
        return true;
    }

    private void register(WatchedKeys client, Key k) {
        watchers.compute(k, (kk, set) -> {
            if (set == null) {
                set = ConcurrentHashMap.newKeySet();
                watchedKeys.incrementAndGet();
            }
            set.add(client);
            return set;
        });
    }

    /** Forgets the client's watched keys (its dirty mark stays until the caller clears it). */
    void unwatchAll(WatchedKeys client) {
        unwatchAll(client, false);
    }

    /** The client is gone: forgets its keys, and any it would watch later. */
    void close(WatchedKeys client) {
        unwatchAll(client, true);
    }

    private void unwatchAll(WatchedKeys client, boolean close) {
        synchronized (client) {
            client.closed |= close;
            if (client.keys.isEmpty()) {
                return;
            }
            for (Key k : client.keys) {
                unregister(client, k);
            }
            client.keys.clear();
        }
    }

    private void unregister(WatchedKeys client, Key k) {
        watchers.computeIfPresent(k, (kk, set) -> {
            set.remove(client);
            if (set.isEmpty()) {
                watchedKeys.decrementAndGet();
                return null;
            }
            return set;
        });
    }

    /** A write changed (set or deleted) {@code key} of database {@code db}: its watchers' EXECs will fail. */
    void touched(int db, byte[] key) {
        if (watchedKeys.get() == 0) {
            return;
        }
        Set<WatchedKeys> set = watchers.get(new Key(db, key));
        if (set != null) {
            set.forEach(WatchedKeys::markDirty);
        }
    }

    /**
     * {@code key} expired and is gone: the same as a change for its watchers (Redis: a key that expires
     * while watched makes EXEC fail). Reached through {@link Dispatcher#keyExpired}. EXEC does not rely
     * on it: it also fails once the clock reaches the expiry a watched key had when
     * watched ({@link Transaction#watchedKeyExpired}), whether or not the key was dropped yet.
     */
    void expired(int db, byte[] key) {
        touched(db, key);
    }

    /**
     * Databases are about to be emptied (or swapped): as Redis, the watchers of each watched key for
     * which {@code exists} says yes are marked; watchers of absent keys, and of keys of databases the
     * change leaves alone, are not (nothing of theirs changes). Called before the flush, under the
     * shared lock, so no EXEC runs in between; a key created after the check is marked by its own
     * write's report.
     */
    void flushing(KeyExists exists) {
        if (watchedKeys.get() == 0) {
            return;
        }
        watchers.forEach((key, set) -> {
            if (exists.test(key.db(), key.bytes())) {
                set.forEach(WatchedKeys::markDirty);
            }
        });
    }

    /** Keys watched by at least one client. */
    int watchedKeyCount() {
        return watchedKeys.get();
    }
}
