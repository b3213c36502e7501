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
        r.watch(one, b("k"));
        r.watch(two, b("k"));
        r.watch(other, b("j"));
        r.touched(b("k"));
        assertTrue(one.dirty());
        assertTrue(two.dirty());
        assertFalse(other.dirty());
        assertEquals(2, r.watchedKeyCount());
    }

    @Test
    void watchingTwiceRegistersOnceAndUnwatchEmptiesTheRegistry() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys w = new WatchedKeys();
        assertTrue(r.watch(w, b("k")));
        assertFalse(r.watch(w, b("k")));
        r.watch(w, b("j"));
        r.unwatchAll(w);
        assertEquals(0, r.watchedKeyCount());
        r.touched(b("k"));
        assertFalse(w.dirty());
    }

    @Test
    void theWatchedKeyIsCopied() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys w = new WatchedKeys();
        byte[] key = b("k");
        r.watch(w, key);
        key[0] = 'x';
        r.touched(b("k"));
        assertTrue(w.dirty());
    }

    @Test
    void flushMarksOnlyWatchersOfExistingKeys() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys present = new WatchedKeys();
        WatchedKeys absent = new WatchedKeys();
        r.watch(present, b("here"));
        r.watch(absent, b("gone"));
        Set<String> existing = Set.of("here");
        r.flushing(k -> existing.contains(new String(k, StandardCharsets.UTF_8)));
        assertTrue(present.dirty());
        assertFalse(absent.dirty());
    }

    @Test
    void expiryIsAChangeForWatchers() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys w = new WatchedKeys();
        r.watch(w, b("k"));
        r.expired(b("k"));
        assertTrue(w.dirty());
    }

    @Test
    void aClosedClientRegistersNothingMore() {
        WatchRegistry r = new WatchRegistry();
        WatchedKeys w = new WatchedKeys();
        r.watch(w, b("k"));
        r.close(w);
        assertEquals(0, r.watchedKeyCount());
        assertFalse(r.watch(w, b("late")), "a WATCH still running when its client was evicted");
        assertEquals(0, r.watchedKeyCount());
    }
}
