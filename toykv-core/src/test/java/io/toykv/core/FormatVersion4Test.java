package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.StoreManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by a build of format version 4 (keys files of version 2, no expiry records, no empty
 * key), opened by this one: every key reads back, the manifest is upgraded, and the store takes writes
 * of every kind this build has (expiry, the empty key) beside the old records, through garbage
 * collection, a keys-log rewrite and a crash.
 *
 * <p>The fixture, {@code compat/v4-store.zip}, is what commit a834e31 (the last version 4 build) left
 * after {@link #writeFixture}: two shards, small files; a keys log rewritten once (a CLEAR and BATCH
 * records) and appended to after; sealed segments with garbage; and, as a kill -9 leaves them, the
 * last puts in the buffers only.
 */
class FormatVersion4Test {
    static final StoreOptions OPTIONS = GoldenStore.OPTIONS;
    private static final int KEYS = GoldenStore.KEYS;
    private static final GoldenStore.Pairs PAIRS = new GoldenStore.Pairs("v4:", 37, 11, 150, 5);

    @TempDir
    Path dir;

    static byte[] key(int i) {
        return PAIRS.key(i);
    }

    static byte[] value(int i, int round) {
        return PAIRS.value(i, round);
    }

    /** How the fixture was made (run by the version 4 build; then the store was zipped, LOCK left out). */
    static void writeFixture(Path at) throws IOException {
        Store s = Store.open(at, OPTIONS);
        for (int i = 0; i < KEYS; i++) {
            s.put(key(i), value(i, 0));
        }
        for (int i = 0; i < KEYS; i += 3) {
            s.put(key(i), value(i, 1));
        }
        s.compact(); // moves values and rewrites the keys logs: BATCH records after a CLEAR
        for (int i = 1; i < KEYS; i += 7) {
            s.delete(key(i));
        }
        s.sync();
        for (int i = 2; i < KEYS; i += 50) {
            s.put(key(i), value(i, 2));
        }
        s.abandon();
    }

    private static Map<Integer, byte[]> fixtureContents() {
        return PAIRS.fixtureContents();
    }

    private void unzipFixture() throws IOException {
        GoldenStore.unzip(4, dir);
    }

    private int manifestVersion() throws IOException {
        return GoldenStore.manifestVersion(dir);
    }

    private static void assertContents(Store s, Map<Integer, byte[]> model) {
        PAIRS.assertContents(s, model, 0);
    }

    /** {@code others}: keys outside the model (the empty key). */
    private static void assertContents(Store s, Map<Integer, byte[]> model, int others) {
        PAIRS.assertContents(s, model, others);
    }

    @Test
    void aVersion4StoreOpensIsUpgradedAndTakesWritesOfEveryKind() throws IOException {
        unzipFixture();
        assertEquals(4, manifestVersion());
        Map<Integer, byte[]> model = fixtureContents();
        Store s = Store.open(dir, OPTIONS);
        assertEquals(StoreManifest.VERSION, manifestVersion(), "upgraded on open");
        assertContents(s, model);
        for (int i = 0; i < KEYS + 100; i += 4) {
            s.put(key(i), value(i, 3));
            model.put(i, value(i, 3));
        }
        for (int i = 5; i < KEYS; i += 11) {
            s.delete(key(i));
            model.remove(i);
        }
        assertContents(s, model);
        // Records a version 4 build never wrote, appended to its keys files.
        long far = System.currentTimeMillis() + 3_600_000_000L;
        s.put(new byte[0], value(0, 5), far);
        assertTrue(s.expireAt(key(9), far + 1));
        s.compact();
        assertContents(s, model, 1);
        for (int i = 6; i < KEYS; i += 13) {
            s.put(key(i), value(i, 4)); // buffered only, when the crash comes
            model.put(i, value(i, 4));
        }
        s.abandon();
        try (Store again = Store.open(dir, OPTIONS)) {
            assertContents(again, model, 1);
            assertArrayEquals(value(0, 5), again.get(new byte[0]));
            assertEquals(far, again.expiry(new byte[0]));
            assertEquals(far + 1, again.expiry(key(9)));
            assertEquals(Store.NO_EXPIRY, again.expiry(key(10)));
        }
    }
}
