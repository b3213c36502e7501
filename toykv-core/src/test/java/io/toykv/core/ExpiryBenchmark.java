package io.toykv.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How long the {@code toykv-expiry} thread takes to remove keys that expire together and are never
 * touched again: N keys (16-byte values) put with one expiry, plus as many without one; then, from the
 * moment the store's clock (a {@link ManualClock}, moved by hand once the puts are done) reaches it, the
 * time until the index holds only the keys without one, and the time a collection then takes to give the
 * values' space back. Prints the environment and the figures.
 *
 * <pre>java -cp toykv-core/target/classes:toykv-core/target/test-classes io.toykv.core.ExpiryBenchmark [n] [dir]</pre>
 *
 * It lives beside the tests because it reads the index's size, which the public API does not show.
 */
public final class ExpiryBenchmark {
    private ExpiryBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("toykv-expiry-bench");
        System.out.printf(
                Locale.ROOT,
                "java %s, %d cores, max heap %d MiB, assertions %s; %d expiring keys in %s%n",
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                ExpiryBenchmark.class.desiredAssertionStatus() ? "ON (slower)" : "off",
                n,
                dir);
        byte[] value = new byte[16];
        ManualClock clock = new ManualClock(System.currentTimeMillis());
        try (Store s =
                Store.open(dir, StoreOptions.defaults().syncMode(SyncMode.NEVER).clock(clock))) {
            long expireAt = clock.millis() + 1;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                s.put(String.format("exp:%012d", i).getBytes(StandardCharsets.US_ASCII), value, expireAt);
                s.put(String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII), value);
            }
            long putMillis = (System.nanoTime() - start) / 1_000_000;
            long indexBefore = s.stats().indexBytes();
            long expired = System.nanoTime();
            clock.advance(1);
            while (s.indexedKeys() > n) {
                Thread.sleep(1);
            }
            long removedMillis = (System.nanoTime() - expired) / 1_000_000;
            long space = s.stats().valuesLogBytes();
            long gcStart = System.nanoTime();
            s.compact();
            long gcMillis = (System.nanoTime() - gcStart) / 1_000_000;
            System.out.printf(Locale.ROOT, "puts: %d in %d ms%n", 2L * n, putMillis);
            System.out.printf(
                    Locale.ROOT,
                    "removed %d expired keys in %d ms after their expiry (%.0f keys/ms);" + " index %d -> %d bytes%n",
                    n,
                    removedMillis,
                    n / (double) Math.max(1, removedMillis),
                    indexBefore,
                    s.stats().indexBytes());
            System.out.printf(
                    Locale.ROOT,
                    "collection: values log %d -> %d bytes in %d ms%n",
                    space,
                    s.stats().valuesLogBytes(),
                    gcMillis);
        }
    }
}
