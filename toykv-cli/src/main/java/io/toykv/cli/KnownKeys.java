package io.toykv.cli;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Keys this session has seen in replies (scan pages, found gets, stored puts), offered by Tab without
 * asking the server. Bounded: past {@link #CAPACITY} the oldest key is forgotten. Keys are any bytes
 * (the completer types invalid UTF-8 back as escapes). Thread-safe.
 */
final class KnownKeys {
    static final int CAPACITY = 10_000;

    /** Each key's bytes as ISO-8859-1 text: one char per byte, so equal keys are equal strings. */
    private final LinkedHashSet<String> keys = new LinkedHashSet<>();

    synchronized void add(byte[] key) {
        String k = new String(key, StandardCharsets.ISO_8859_1);
        keys.remove(k);
        keys.add(k);
        if (keys.size() > CAPACITY) {
            Iterator<String> oldest = keys.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    synchronized void remove(byte[] key) {
        keys.remove(new String(key, StandardCharsets.ISO_8859_1));
    }

    synchronized List<byte[]> snapshot() {
        return keys.stream().map(k -> k.getBytes(StandardCharsets.ISO_8859_1)).toList();
    }
}
