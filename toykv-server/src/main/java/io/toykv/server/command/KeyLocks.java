package io.toykv.server.command;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks over keys: writes through the server hold the stripe of the key they change, so a
 * read-then-write command (SET NX/XX/GET) is atomic against other writes to that key. ReentrantLock
 * rather than synchronized, so a virtual thread waiting for a stripe does not pin its carrier.
 */
final class KeyLocks {
    static final int STRIPES = 1024;

    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    KeyLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    ReentrantLock forKey(byte[] key) {
        return locks[stripe(key)];
    }

    private static int stripe(byte[] key) {
        int h = Arrays.hashCode(key);
        h ^= h >>> 16;
        return h & (STRIPES - 1);
    }

    /** Runs {@code body} holding the stripe of {@code key}: a read-modify-write of that key. */
    void withKey(byte[] key, Runnable body) {
        ReentrantLock lock = forKey(key);
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code body} holding the stripes of all {@code keys} (RENAME, COPY, MSETNX). The stripes are
     * taken in index order, each once, so two such calls over overlapping keys cannot deadlock.
     */
    void withKeys(List<byte[]> keys, Runnable body) {
        int[] stripes =
                keys.stream().mapToInt(KeyLocks::stripe).sorted().distinct().toArray();
        int held = 0;
        try {
            for (int s : stripes) {
                locks[s].lock();
                held++;
            }
            body.run();
        } finally {
            for (int i = held - 1; i >= 0; i--) {
                locks[stripes[i]].unlock();
            }
        }
    }
}
