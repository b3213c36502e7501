package io.toykv.core.index;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

/**
 * The in-memory index alone, as the store uses it (four shards' indexes, one thread): N random puts of
 * new keys, then N random gets, repeated, each run printed. It isolates the index from the logs, so
 * index changes can be compared side by side without the noise of file I/O.
 *
 * <pre>java -cp toykv-core/target/classes:toykv-core/target/test-classes io.toykv.core.index.IndexBenchmark [n] [runs] [hex8|redis]</pre>
 *
 * It lives beside the index's tests, not in toykv-bench, because the index is internal: the bench
 * module uses only the store's public API.
 *
 * Key shapes: {@code hex8} is the seed workload's {@code %08x}; {@code redis} is redis-benchmark's
 * {@code key:%012d}, whose first eight bytes every key shares.
 */
public final class IndexBenchmark {
    private static final int SHARDS = 4;

    private IndexBenchmark() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String shape = args.length > 2 ? args[2] : "hex8";
        byte[][] keys = seedKeys(n);
        if (shape.equals("redis")) {
            for (int i = 0; i < n; i++) {
                keys[i] = String.format(Locale.ROOT, "key:%012d", Integer.parseInt(new String(keys[i]), 16))
                        .getBytes();
            }
        } else if (!shape.equals("hex8")) {
            throw new IllegalArgumentException("key shape must be hex8 or redis, was " + shape);
        }
        int[] length = new int[1];
        for (int run = 0; run < runs; run++) {
            SortedIndex[] shards = new SortedIndex[SHARDS];
            for (int s = 0; s < SHARDS; s++) {
                shards[s] = new SortedIndex();
            }
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                shards[shard(keys[i])].put(keys[i], i, 264, length); // a 256-byte value's record
            }
            double put = (System.nanoTime() - t) / (double) n;
            t = System.nanoTime();
            long found = 0;
            for (byte[] k : keys) {
                found += shards[shard(k)].get(k, length) >= 0 ? 1 : 0;
            }
            double get = (System.nanoTime() - t) / (double) n;
            if (found != n) {
                throw new AssertionError("found " + found + " of " + n);
            }
            System.out.printf(Locale.ROOT, "run %d (%s keys): put %.0f ns, get %.0f ns%n", run, shape, put, get);
        }
    }

    private static int shard(byte[] key) {
        return (key[key.length - 1] & 0xFF) % SHARDS;
    }

    /**
     * The seed workload's keys, as toykv-bench's {@code GcBenchmark.seedKeys} makes them: ids 0..n-1
     * shuffled (Fisher-Yates from the end, {@code new Random(42)}), each as {@code %08x}.
     */
    private static byte[][] seedKeys(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        Random rnd = new Random(42);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
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
