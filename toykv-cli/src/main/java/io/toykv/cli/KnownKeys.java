package io.toykv.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Keys this session has seen in replies (scan pages, found gets, stored puts), offered by Tab without
 * asking the server. Bounded: past {@link #CAPACITY} the oldest key is forgotten. Only keys that are
 * valid UTF-8 are kept, since only those can be typed back. Thread-safe.
 */
final class KnownKeys {
    static final int CAPACITY = 10_000;

    private final LinkedHashSet<String> keys = new LinkedHashSet<>();

    synchronized void add(byte[] key) {
        if (!Utf8.isValid(key)) {
            return;
        }
        String k = new String(key, StandardCharsets.UTF_8);
        keys.remove(k);
        keys.add(k);
        if (keys.size() > CAPACITY) {
            Iterator<String> oldest = keys.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    synchronized void remove(byte[] key) {
        keys.remove(new String(key, StandardCharsets.UTF_8));
    }

    synchronized List<String> snapshot() {
        return new ArrayList<>(keys);
    }
}
