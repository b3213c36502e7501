package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WatchRegistryTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aTouchMarksEveryWatcherOfThatKeyOnly() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys one = new WatchedKeys();
        WatchedKeys two = new WatchedKeys();
        WatchedKeys other = new WatchedKeys();
        r.watch(one, 0, b("k"));
        r.watch(two, 0, b("k"));
        r.watch(other, 0, b("j"));
        r.touched(0, b("k"));
        assertTrue(one.dirty());
        assertTrue(two.dirty());
        assertFalse(other.dirty());
        assertEquals(2, r.watchedKeyCount());
    }

    @Test
    void aKeyIsWatchedInItsDatabaseOnly() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys inOne = new WatchedKeys();
        WatchedKeys inTwo = new WatchedKeys();
        r.watch(inOne, 1, b("k"));
        r.watch(inTwo, 2, b("k"));
        r.touched(2, b("k"));
        assertFalse(inOne.dirty(), "a write to the same name in another database");
        assertTrue(inTwo.dirty());
        r.expired(1, b("k"));
        assertTrue(inOne.dirty());
        assertEquals(2, r.watchedKeyCount());
    }

    @Test
    void theSameNameInTwoDatabasesIsTwoWatches() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys w = new WatchedKeys();
        assertTrue(r.watch(w, 0, b("k")));
        assertTrue(r.watch(w, 7, b("k")));
        assertTrue(w.contains(7, b("k")));
        assertFalse(w.contains(8, b("k")));
        assertEquals(2, w.size());
    }

    @Test
    void aFlushIsAskedAboutEachWatchedKeyWithItsDatabase() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys inFlushed = new WatchedKeys();
        WatchedKeys inOther = new WatchedKeys();
        r.watch(inFlushed, 3, b("k"));
        r.watch(inOther, 4, b("k"));
        r.flushing((db, k) -> db == 3);
        assertTrue(inFlushed.dirty());
        assertFalse(inOther.dirty());
    }

    @Test
    void watchingTwiceRegistersOnceAndUnwatchEmptiesTheRegistry() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys w = new WatchedKeys();
        assertTrue(r.watch(w, 0, b("k")));
        assertFalse(r.watch(w, 0, b("k")));
        r.watch(w, 0, b("j"));
        r.unwatchAll(w);
        assertEquals(0, r.watchedKeyCount());
        r.touched(0, b("k"));
        assertFalse(w.dirty());
    }

    @Test
    void theWatchedKeyIsCopied() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys w = new WatchedKeys();
        byte[] key = b("k");
        r.watch(w, 0, key);
        key[0] = 'x';
        r.touched(0, b("k"));
        assertTrue(w.dirty());
    }

    @Test
    void flushMarksOnlyWatchersOfExistingKeys() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys present = new WatchedKeys();
        WatchedKeys absent = new WatchedKeys();
        r.watch(present, 0, b("here"));
        r.watch(absent, 0, b("gone"));
        Set<String> existing = Set.of("here");
        r.flushing((db, k) -> existing.contains(new String(k, StandardCharsets.UTF_8)));
        assertTrue(present.dirty());
        assertFalse(absent.dirty());
    }

    @Test
    void expiryIsAChangeForWatchers() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys w = new WatchedKeys();
        r.watch(w, 0, b("k"));
        r.expired(0, b("k"));
        assertTrue(w.dirty());
    }

    @Test
    void aClosedClientRegistersNothingMore() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys w = new WatchedKeys();
        r.watch(w, 0, b("k"));
        r.close(w);
        assertEquals(0, r.watchedKeyCount());
        assertFalse(r.watch(w, 0, b("late")), "a WATCH still running when its client was evicted");
        assertEquals(0, r.watchedKeyCount());
    }
}
