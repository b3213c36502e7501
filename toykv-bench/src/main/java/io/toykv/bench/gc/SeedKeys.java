package io.toykv.bench.gc;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

/**
 * The keys of the original toy-kv benchmark: ids 0..n-1 shuffled by Fisher-Yates from the end with
 * {@code new Random(42)}, each written as {@code %08x} (8 bytes).
 */
final class SeedKeys {
    private SeedKeys() {
    }

    static byte[][] shuffled(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        Random r = new Random(42);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = String.format(Locale.ROOT, "%08x", ids[i]).getBytes(StandardCharsets.US_ASCII);
        }
        return keys;
    }
}
