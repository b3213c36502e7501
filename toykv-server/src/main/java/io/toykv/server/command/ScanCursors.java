package io.toykv.server.command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SCAN's cursors: a decimal number below 2^63 standing for the key a scan resumes at. The store is
 * ordered by key, so a resumed scan sees every key present for the whole iteration exactly once, but a
 * key does not fit in 63 bits: the server keeps the most recent {@link #MAX_CURSORS} cursors and
 * forgets the least recently used (a forgotten cursor is {@code ERR invalid cursor}). Thread-safe.
 */
final class ScanCursors {
    static final int MAX_CURSORS = 16_384;

    private final Map<Long, byte[]> cursors = new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > MAX_CURSORS;
        }
    };

    /** A new cursor for resuming at {@code key} (inclusive). */
    synchronized long save(byte[] key) {
        while (true) {
            long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            if (cursors.putIfAbsent(id, key) == null) {
                return id;
            }
        }
    }

    /** The key a cursor resumes at, or null if unknown. */
    synchronized byte[] resumeKey(long cursor) {
        return cursors.get(cursor);
    }
}
