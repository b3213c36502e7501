package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Seeded random operations checked against a TreeMap, with close and reopen in between. */
class StoreModelTest {
    @TempDir
    Path dir;

    /** Small files so that buffer flushes, segment rolls and keys-file rolls all happen often. */
    static StoreOptions smallFiles() {
        return StoreOptions.defaults()
                .shards(3)
                .bufferSize(64 * 1024)
                .segmentSize(256 * 1024)
                .keysFileSize(64 * 1024)
                .maxValueSize(8000)
                .syncMode(SyncMode.NEVER);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void randomOperationsMatchTreeMap(long seed) throws Exception {
        Random rnd = new Random(seed);
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        Store store = Store.open(dir, smallFiles());
        try {
            for (int round = 0; round < 6; round++) {
                for (int op = 0; op < 3000; op++) {
                    byte[] key = randomKey(rnd);
                    int what = rnd.nextInt(100);
                    String ctx = "seed " + seed + " round " + round + " op " + op;
                    if (what < 55) {
                        byte[] value = new byte[rnd.nextInt(10) == 0 ? rnd.nextInt(8000) : rnd.nextInt(300)];
                        rnd.nextBytes(value);
                        store.put(key, value);
                        model.put(key, value);
                    } else if (what < 75) {
                        assertEquals(model.remove(key) != null, store.delete(key), ctx);
                    } else if (what < 97) {
                        assertArrayEquals(model.get(key), store.get(key), ctx);
                    } else {
                        byte[] a = rnd.nextBoolean() ? null : randomKey(rnd);
                        byte[] b = rnd.nextBoolean() ? null : randomKey(rnd);
                        assertScan(store, model, a, b, ctx);
                    }
                }
                assertEquals(model.size(), store.size(), "seed " + seed);
                assertScan(store, model, null, null, "seed " + seed + " full scan");
                store.close();
                store = Store.open(dir, smallFiles());
                assertEquals(model.size(), store.size(), "seed " + seed + " after reopen");
                for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
                    assertArrayEquals(e.getValue(), store.get(e.getKey()), "seed " + seed + " after reopen");
                }
            }
        } finally {
            store.close();
        }
    }

    static byte[] randomKey(Random rnd) {
        // A small key space so overwrites and deletes hit existing keys; varied lengths and bytes.
        int id = rnd.nextInt(2000);
        int len = 1 + id % 13;
        byte[] k = new byte[len];
        Random r = new Random(id);
        r.nextBytes(k);
        return k;
    }

    static void assertScan(Store store, TreeMap<byte[], byte[]> model, byte[] from, byte[] to, String ctx) {
        Map<byte[], byte[]> expected;
        if (from != null && to != null && Arrays.compareUnsigned(from, to) > 0) {
            expected = Map.of();
        } else if (from == null && to == null) {
            expected = model;
        } else if (from == null) {
            expected = model.headMap(to);
        } else if (to == null) {
            expected = model.tailMap(from, true);
        } else {
            expected = model.subMap(from, to);
        }
        List<Entry> actual = new ArrayList<>();
        try (ScanIterator it = store.scan(from, to)) {
            it.forEachRemaining(actual::add);
        }
        assertEquals(expected.size(), actual.size(), ctx + " scan size");
        int i = 0;
        for (Map.Entry<byte[], byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getKey(), actual.get(i).key(), ctx + " scan key " + i);
            assertArrayEquals(e.getValue(), actual.get(i).value(), ctx + " scan value " + i);
            i++;
        }
    }
}
