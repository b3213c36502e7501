package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys with an expiry: absent once it passes, changed without copying the value, durable, and removed. */
class ExpiryTest {
    static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T0);

    private StoreOptions options() {
        return StoreModelTest.smallFiles().clock(clock).activeExpiry(false).autoCompaction(false);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> scanKeys(Store s) {
        List<String> out = new ArrayList<>();
        try (ScanIterator it = s.scan(null, null)) {
            while (it.hasNext()) {
                out.add(new String(it.next().key(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void aKeyIsAbsentToEveryCallOnceItsExpiryPasses() throws IOException {
        try (Store s = Store.open(dir, options())) {
            s.put(b("k"), b("v"), T0 + 1000);
            s.put(b("other"), b("w"));
            assertArrayEquals(b("v"), s.get(b("k")));
            assertEquals(T0 + 1000, s.expiry(b("k")));
            assertEquals(Store.NO_EXPIRY, s.expiry(b("other")));
            assertEquals(Store.NO_KEY, s.expiry(b("none")));
            assertEquals(2, s.size());
            assertEquals(1, s.expiringKeys());
            clock.advance(999);
            assertArrayEquals(b("v"), s.get(b("k")), "one millisecond before");
            clock.advance(1);
            assertNull(s.get(b("k")), "at the expiry");
            assertEquals(Store.NO_KEY, s.expiry(b("k")));
            assertEquals(1, s.size());
            assertEquals(0, s.expiringKeys(), "an expired key is not counted, removed or not");
            assertEquals(List.of("other"), scanKeys(s));
            assertFalse(s.expireAt(b("k"), T0 + 5000), "an expired key has no expiry to change");
            assertFalse(s.persist(b("k")));
            assertFalse(s.putIfPresent(b("k"), b("x"), Store.NO_EXPIRY));
            assertFalse(s.delete(b("k")), "an expired key was not there to delete");
            assertEquals(1, s.size());
        }
    }

    @Test
    void aPutWithoutExpiryRemovesItAndKeepExpiryKeepsIt() throws IOException {
        try (Store s = Store.open(dir, options())) {
            s.put(b("k"), b("1"), T0 + 1000);
            s.put(b("k"), b("2"), Store.KEEP_EXPIRY);
            assertEquals(T0 + 1000, s.expiry(b("k")), "KEEPTTL");
            assertArrayEquals(b("2"), s.get(b("k")));
            s.put(b("k"), b("3"));
            assertEquals(Store.NO_EXPIRY, s.expiry(b("k")), "a plain SET drops the expiry");
            s.put(b("new"), b("v"), Store.KEEP_EXPIRY);
            assertEquals(Store.NO_EXPIRY, s.expiry(b("new")), "nothing to keep on an absent key");
            s.put(b("k"), b("4"), T0 + 10);
            s.put(b("k"), b("5"), Store.NO_EXPIRY);
            assertEquals(Store.NO_EXPIRY, s.expiry(b("k")));
            assertThrows(IllegalArgumentException.class, () -> s.put(b("k"), b("v"), 0));
            assertThrows(IllegalArgumentException.class, () -> s.put(b("k"), b("v"), -4));
        }
    }

    @Test
    void aTimeThatHasPassedDeletesTheKey() throws IOException {
        try (Store s = Store.open(dir, options())) {
            s.put(b("k"), b("v"));
            assertTrue(s.expireAt(b("k"), T0 - 1));
            assertNull(s.get(b("k")));
            assertEquals(0, s.size());
            s.put(b("k"), b("v"));
            s.put(b("k"), b("w"), T0);
            assertNull(s.get(b("k")), "a put that expires now leaves the key absent");
            s.put(b("absent"), b("v"), T0 - 5);
            assertNull(s.get(b("absent")));
            assertEquals(0, s.size());
            assertFalse(s.expireAt(b("absent"), T0 + 100), "absent: nothing to expire");
        }
    }

    @Test
    void changingAnExpiryDoesNotCopyTheValue() throws IOException {
        try (Store s = Store.open(dir, options())) {
            s.put(b("k"), new byte[1000]);
            long values = s.stats().valuesLogBytes() + s.stats().bufferBytes();
            long keys = s.stats().keysLogBytes();
            for (int i = 1; i <= 50; i++) {
                assertTrue(s.expireAt(b("k"), T0 + 1000 * i));
                assertTrue(s.persist(b("k")));
            }
            assertFalse(s.persist(b("k")), "no expiry left to remove");
            assertEquals(values, s.stats().valuesLogBytes() + s.stats().bufferBytes(), "values log unchanged");
            assertTrue(s.stats().keysLogBytes() > keys, "the changes are key records");
            assertArrayEquals(new byte[1000], s.get(b("k")));
        }
    }

    @Test
    void expiriesSurviveCloseAKillARewriteAndCollection() throws IOException {
        StoreOptions o = options().shards(1);
        byte[] filler = new byte[3000];
        Store s = Store.open(dir, o);
        for (int i = 0; i < 100; i++) {
            s.put(b("e" + i), b("v" + i), T0 + 10_000 + i);
        }
        for (int i = 0; i < 100; i += 2) {
            assertTrue(s.persist(b("e" + i)));
        }
        assertTrue(s.expireAt(b("e1"), T0 + 50_000));
        s.put(b("soon"), b("x"), T0 + 5);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 150; i++) {
                s.put(b("f" + i), filler); // garbage around the expiring keys' values
            }
        }
        s.compact(); // moves the expiring values and rewrites the keys log
        assertTrue(s.stats().gcBytesWritten() > 0);
        assertTrue(s.stats().keysLogCompactions() > 0);
        checkExpiries(s);
        s.close();
        try (Store again = Store.open(dir, o)) {
            checkExpiries(again);
        }
        Store killed = Store.open(dir, o);
        assertTrue(killed.expireAt(b("e3"), T0 + 60_000)); // in the keys log's page cache only
        killed.abandon();
        clock.advance(10);
        try (Store again = Store.open(dir, o)) {
            assertEquals(T0 + 60_000, again.expiry(b("e3")));
            assertNull(again.get(b("soon")), "expired while closed: dropped at open");
            assertEquals(100 + 150, again.size());
            clock.advance(10_000 + 5);
            assertEquals(Store.NO_KEY, again.expiry(b("e5")));
            assertEquals(Store.NO_EXPIRY, again.expiry(b("e4")));
        }
    }

    private static void checkExpiries(Store s) {
        for (int i = 0; i < 100; i++) {
            long expected = i == 1 ? T0 + 50_000 : i % 2 == 0 ? Store.NO_EXPIRY : T0 + 10_000 + i;
            assertEquals(expected, s.expiry(b("e" + i)), "e" + i);
            assertArrayEquals(b("v" + i), s.get(b("e" + i)));
        }
        assertEquals(T0 + 5, s.expiry(b("soon")));
    }

    @Test
    void theRepairCopiesExpiriesAndLeavesExpiredKeysOut() throws IOException {
        Path store = dir.resolve("store");
        try (Store s = Store.open(store, options())) {
            s.put(b("later"), b("1"), T0 + 1000);
            s.put(b("sooner"), b("2"), T0 + 10);
            s.put(b("never"), b("3"));
        }
        clock.advance(10);
        StoreRepair.Report r = StoreRepair.repair(store, dir.resolve("out"), options());
        assertTrue(r.lostNothing(), r.toString());
        try (Store s = Store.open(dir.resolve("out"), options())) {
            assertEquals(T0 + 1000, s.expiry(b("later")));
            assertEquals(Store.NO_EXPIRY, s.expiry(b("never")));
            assertNull(s.get(b("sooner")));
            assertEquals(2, s.size());
            assertEquals(2, s.indexedKeys(), "the expired key was not copied");
        }
    }

    @Test
    void expiredKeysNeverComeBackAfterReopen() throws IOException {
        StoreOptions o = options();
        try (Store s = Store.open(dir, o)) {
            for (int i = 0; i < 200; i++) {
                s.put(b("k" + i), b("v"), T0 + i);
            }
            clock.advance(100);
            assertEquals(99, s.size(), "k0 was never there (its expiry had passed), k1 to k100 expired");
            assertEquals(100, s.expireDue(1000), "removed with DELETE records");
        }
        ManualClock earlier = new ManualClock(T0 - 1000);
        try (Store s = Store.open(dir, o.clock(earlier))) {
            assertEquals(99, s.size(), "removed keys stay removed even if the clock goes back");
            assertNull(s.get(b("k50")));
        }
    }

    @Test
    void theSweepRemovesAtMostItsRoundPerShardAndGivesTheIndexBack() throws IOException {
        StoreOptions o = options().shards(1);
        try (Store s = Store.open(dir, o)) {
            for (int i = 0; i < 1000; i++) {
                s.put(b("k" + i), new byte[500], T0 + 1 + i % 10);
            }
            s.put(b("stays"), b("v"));
            long indexBefore = s.stats().indexBytes();
            clock.advance(10);
            assertEquals(1, s.size(), "expired keys do not count, removed or not");
            assertEquals(1001, s.indexedKeys(), "nothing removed yet");
            assertEquals(100, s.expireDue(100), "a round removes at most its bound");
            assertEquals(901, s.indexedKeys());
            long rounds = 1;
            while (s.expireDue(100) > 0) {
                rounds++;
            }
            assertEquals(10, rounds, "1000 keys at 100 a round");
            assertEquals(1, s.indexedKeys());
            assertTrue(
                    s.stats().indexBytes() < indexBefore / 4,
                    "index memory given back: " + s.stats().indexBytes() + " of " + indexBefore);
            long space = s.stats().valuesLogBytes();
            s.compact();
            assertTrue(
                    s.stats().gcBytesReclaimed() > 0 && s.stats().valuesLogBytes() < space,
                    "disk space given back by collection: " + s.stats().valuesLogBytes() + " of " + space);
            assertArrayEquals(b("v"), s.get(b("stays")));
        }
    }

    @Test
    void theBackgroundThreadRemovesExpiredKeysNobodyTouches() throws Exception {
        try (Store s = Store.open(dir, options().activeExpiry(true))) {
            for (int i = 0; i < 2000; i++) {
                s.put(b("k" + i), b("v"), T0 + 1);
            }
            assertEquals(2000, s.indexedKeys());
            clock.advance(1);
            // Waits for the mechanism, not for a time: the thread must get there by itself.
            while (s.indexedKeys() > 0) {
                Thread.sleep(10);
            }
            assertEquals(0, s.size());
        }
    }
}
