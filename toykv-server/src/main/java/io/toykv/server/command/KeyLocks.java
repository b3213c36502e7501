package io.toykv.server.command;

import java.util.Arrays;
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
        int h = Arrays.hashCode(key);
        h ^= h >>> 16;
        return locks[h & (STRIPES - 1)];
    }
}
