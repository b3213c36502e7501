package io.toykv.server.command;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The short values that APPEND and SETRANGE changed in place, which Redis keeps in its {@code raw}
 * encoding where a SET of the same text would give {@code int} or {@code embstr}: OBJECT ENCODING asks
 * here before it judges by the text. A value is remembered with its database, key and bytes, so any
 * later write of other bytes to the key ends it without every write reporting here; values longer than
 * {@link #SHORT} are {@code raw} by their length alone and are not kept.
 *
 * <p>Bounded: the latest {@link #CAPACITY} such writes are kept (a key deleted meanwhile stays until
 * pushed out); past them, and after a restart (as after Redis's reload), the text decides. Thread-safe.
 */
final class RawEncodedValues {
    /** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer values are raw whatever wrote them. */
    static final int SHORT = 44;

    static final int CAPACITY = 16_384;

    private final Map<WatchRegistry.Key, byte[]> values = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<WatchRegistry.Key, byte[]> eldest) {
            return size() > CAPACITY;
        }
    };

    /** APPEND or SETRANGE changed {@code key} of database {@code db} in place to {@code value}. */
    synchronized void changedInPlace(int db, byte[] key, byte[] value) {
        WatchRegistry.Key k = new WatchRegistry.Key(db, key.clone());
        values.remove(k); // re-inserted last: the newest write is the last pushed out
        if (value.length <= SHORT) {
            values.put(k, value.clone());
        }
    }

    /** Whether {@code value}, the value of {@code key} in {@code db}, is one APPEND or SETRANGE wrote. */
    synchronized boolean isRaw(int db, byte[] key, byte[] value) {
        WatchRegistry.Key k = new WatchRegistry.Key(db, key);
        byte[] written = values.get(k);
        if (written == null) {
            return false;
        }
        if (!Arrays.equals(written, value)) {
            values.remove(k); // written since: forget it
            return false;
        }
        return true;
    }

    synchronized int size() {
        return values.size();
    }
}
