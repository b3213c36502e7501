package io.toykv.bench.workload;

import java.util.Random;

/**
 * The seed workload's keys and orders, defined once (toykv-core issue, speed section): ids 0..N-1 shuffled
 * with {@code new java.util.Random(42)} by Fisher-Yates from the end, key = {@code String.format("%08x", id)}.
 * 16-byte keys extend the same rule to {@code %016x}.
 */
public final class Keys {
    /** Seed of the fill order, fixed by the toykv-core issue. */
    public static final long FILL_SEED = 42;

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Keys() {}

    /**
     * Ids 0..n-1 in the order of a Fisher-Yates shuffle from the end with {@code new Random(seed)}: for
     * i from n-1 down to 1, swap a[i] with a[nextInt(i + 1)]. Same order as
     * {@code Collections.shuffle(list, new Random(seed))}.
     */
    public static int[] shuffled(int n, long seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Writes {@code id} as zero-padded lower-case hex filling {@code key}; no allocation. */
    public static void fill(long id, byte[] key) {
        long v = id;
        for (int i = key.length - 1; i >= 0; i--) {
            key[i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
        if (v != 0) {
            throw new IllegalArgumentException("id " + id + " does not fit in a " + key.length + "-byte key");
        }
    }

    /** A new key for {@code id}. */
    public static byte[] key(long id, int keySize) {
        byte[] key = new byte[keySize];
        fill(id, key);
        return key;
    }
}
