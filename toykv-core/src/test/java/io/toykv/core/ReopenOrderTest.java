package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index rebuilt at open and the merged scan order keys by their whole bytes, although both compare
 * eight-byte prefixes first: keys that share a prefix, keys that differ only by trailing zero bytes
 * (equal prefixes, different lengths), the empty key, and keys written many times in shuffled order.
 */
class ReopenOrderTest {
    @TempDir
    Path dir;

    private static final byte[][] TRICKY = {
        new byte[0],
        {0},
        {0, 0},
        {'a', 'b'},
        {'a', 'b', 0},
        {'a', 'b', 0, 0, 0, 0, 0, 0},
        {'a', 'b', 0, 0, 0, 0, 0, 0, 0},
        {'a', 'b', 0, 0, 0, 0, 0, 0, 1},
        "prefix00".getBytes(StandardCharsets.US_ASCII),
        "prefix00a".getBytes(StandardCharsets.US_ASCII),
        "prefix00b".getBytes(StandardCharsets.US_ASCII),
        "prefix00ab".getBytes(StandardCharsets.US_ASCII),
        "prefix01".getBytes(StandardCharsets.US_ASCII),
        {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
        {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0},
        {(byte) 0x80},
        {(byte) 0x7F, (byte) 0xFF},
    };

    @Test
    void reopenKeepsTheLastWriteOfEachKeyAmongKeysSharingPrefixes() throws Exception {
        Random rnd = new Random(7);
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        List<byte[]> keys = new ArrayList<>(Arrays.asList(TRICKY));
        for (int i = 0; i < 300; i++) {
            byte[] k = new byte[8 + rnd.nextInt(6)];
            System.arraycopy("sharedpx".getBytes(StandardCharsets.US_ASCII), 0, k, 0, 8);
            for (int j = 8; j < k.length; j++) {
                k[j] = (byte) rnd.nextInt(3); // few distinct tails, zeros among them
            }
            keys.add(k);
        }
        StoreOptions options = StoreModelTest.smallFiles().autoCompaction(false);
        try (Store store = Store.open(dir, options)) {
            for (int op = 0; op < 5000; op++) {
                byte[] key = keys.get(rnd.nextInt(keys.size()));
                if (rnd.nextInt(5) == 0) {
                    store.delete(key);
                    model.remove(key);
                } else {
                    byte[] value = new byte[1 + rnd.nextInt(40)];
                    rnd.nextBytes(value);
                    store.put(key, value);
                    model.put(key, value);
                }
            }
            assertScanMatches(store, model);
        }
        try (Store store = Store.open(dir, options)) {
            assertEquals(model.size(), store.size());
            for (byte[] key : keys) {
                assertArrayEquals(model.get(key), store.get(key), Arrays.toString(key));
            }
            assertScanMatches(store, model);
        }
    }

    private static void assertScanMatches(Store store, TreeMap<byte[], byte[]> model) {
        List<Map.Entry<byte[], byte[]>> expected = new ArrayList<>(model.entrySet());
        int i = 0;
        try (ScanIterator it = store.scan(null, null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                assertArrayEquals(expected.get(i).getKey(), e.key(), "key " + i);
                assertArrayEquals(expected.get(i).getValue(), e.value(), "value " + i);
                i++;
            }
        }
        assertEquals(expected.size(), i);
    }
}
