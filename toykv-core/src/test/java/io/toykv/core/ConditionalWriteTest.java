package io.toykv.core;

import static io.toykv.core.ExpiryTest.T0;
import static io.toykv.core.ExpiryTest.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Put-if-absent, put-if-present and key versions: the server's SET NX, SET XX and WATCH. */
class ConditionalWriteTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T0);

    private StoreOptions options() {
        return StoreOptions.defaults().clock(clock).activeExpiry(false);
    }

    @Test
    void putIfAbsentWritesOnlyAnAbsentOrExpiredKey() throws IOException {
        try (Store s = Store.open(dir, options())) {
            assertTrue(s.putIfAbsent(b("k"), b("1"), Store.NO_EXPIRY));
            assertFalse(s.putIfAbsent(b("k"), b("2"), T0 + 10));
            assertArrayEquals(b("1"), s.get(b("k")));
            assertEquals(Store.NO_EXPIRY, s.expiry(b("k")), "the refused put changed nothing");
            s.expireAt(b("k"), T0 + 5);
            clock.advance(5);
            assertTrue(s.putIfAbsent(b("k"), b("3"), Store.NO_EXPIRY), "an expired key is absent");
            assertArrayEquals(b("3"), s.get(b("k")));
            assertEquals(Store.NO_EXPIRY, s.expiry(b("k")));
        }
    }

    @Test
    void putIfPresentWritesOnlyAPresentKeyAndCanKeepItsExpiry() throws IOException {
        try (Store s = Store.open(dir, options())) {
            assertFalse(s.putIfPresent(b("k"), b("1"), Store.NO_EXPIRY));
            assertNull(s.get(b("k")));
            assertEquals(0, s.size());
            s.put(b("k"), b("1"), T0 + 100);
            assertTrue(s.putIfPresent(b("k"), b("2"), Store.KEEP_EXPIRY));
            assertArrayEquals(b("2"), s.get(b("k")));
            assertEquals(T0 + 100, s.expiry(b("k")), "SET XX KEEPTTL");
            assertTrue(s.putIfPresent(b("k"), b("3"), Store.NO_EXPIRY));
            assertEquals(Store.NO_EXPIRY, s.expiry(b("k")));
            s.expireAt(b("k"), T0 + 1);
            clock.advance(1);
            assertFalse(s.putIfPresent(b("k"), b("4"), Store.NO_EXPIRY), "an expired key is not present");
            assertNull(s.get(b("k")));
        }
    }

    @Test
    void exactlyOneOfManyRacingPutIfAbsentWins() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Store s = Store.open(dir, options())) {
            for (int round = 0; round < 100; round++) {
                byte[] key = b("race" + round);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Boolean>> won = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    byte[] value = b("writer" + t);
                    won.add(pool.submit(() -> {
                        start.await();
                        return s.putIfAbsent(key, value, Store.NO_EXPIRY);
                    }));
                }
                int winners = 0;
                int winner = -1;
                for (int t = 0; t < threads; t++) {
                    if (won.get(t).get()) {
                        winners++;
                        winner = t;
                    }
                }
                assertEquals(1, winners, "round " + round);
                assertArrayEquals(b("writer" + winner), s.get(key), "the winner's value stays");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aVersionChangesWithEveryChangeOfItsKeyAndOnlyThen() throws IOException {
        try (Store s = Store.open(dir, options())) {
            byte[] k = b("watched");
            long v = s.version(k);
            s.get(k);
            s.expiry(k);
            assertFalse(s.putIfPresent(k, b("x"), Store.NO_EXPIRY));
            assertFalse(s.persist(k));
            assertFalse(s.delete(k));
            assertEquals(v, s.version(k), "reads and refused writes change nothing");
            s.put(k, b("1"));
            v = changed(s, k, v, "put");
            assertFalse(s.putIfAbsent(k, b("2"), Store.NO_EXPIRY));
            assertEquals(v, s.version(k));
            s.putIfPresent(k, b("2"), Store.NO_EXPIRY);
            v = changed(s, k, v, "put if present");
            s.expireAt(k, T0 + 50);
            v = changed(s, k, v, "expireAt");
            s.persist(k);
            v = changed(s, k, v, "persist");
            s.expireAt(k, T0 + 10);
            v = changed(s, k, v, "expireAt");
            clock.advance(10);
            v = changed(s, k, v, "the expiry passing, with nothing having removed the key");
            assertEquals(v, s.version(k), "stable once removed");
            s.put(k, b("3"));
            v = changed(s, k, v, "put");
            s.delete(k);
            v = changed(s, k, v, "delete");
            s.put(k, b("4"));
            v = changed(s, k, v, "put");
            s.clear();
            changed(s, k, v, "clear");
        }
    }

    private static long changed(Store s, byte[] k, long before, String what) {
        long now = s.version(k);
        assertNotEquals(before, now, what + " must change the version");
        return now;
    }
}
