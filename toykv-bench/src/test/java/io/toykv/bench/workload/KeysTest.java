package io.toykv.bench.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void seedKeysAreFormatPercent08x() {
        for (long id : new long[] {0, 1, 9, 10, 255, 4096, 999_999, 0xFFFFFFFFL}) {
            assertEquals(String.format("%08x", id), new String(Keys.key(id, 8), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void sixteenByteKeysArePercent016x() {
        for (long id : new long[] {0, 42, 10_000_000, Long.MAX_VALUE}) {
            assertEquals(String.format("%016x", id), new String(Keys.key(id, 16), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void idTooLargeForKeyIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Keys.key(0x1_0000_0000L, 8));
    }

    @Test
    void shuffleIsFisherYatesFromTheEndWithRandom42() {
        int n = 10_000;
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) {
            expected[i] = i;
        }
        Random rnd = new Random(42);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = expected[i];
            expected[i] = expected[j];
            expected[j] = t;
        }
        assertArrayEquals(expected, Keys.shuffled(n, Keys.FILL_SEED));
    }

    @Test
    void shuffleMatchesCollectionsShuffle() {
        List<Integer> list = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            list.add(i);
        }
        Collections.shuffle(list, new Random(42));
        assertArrayEquals(list.stream().mapToInt(Integer::intValue).toArray(), Keys.shuffled(1000, 42));
    }

    @Test
    void shuffleIsAPermutation() {
        int[] a = Keys.shuffled(100_000, 42).clone();
        java.util.Arrays.sort(a);
        for (int i = 0; i < a.length; i++) {
            assertEquals(i, a[i]);
        }
    }

    @Test
    void valueCarriesItsId() {
        for (long id : new long[] {0, 7, 1_000_000, 0xFFFFFFFFL}) {
            byte[] v = new byte[256];
            Values.fill(id, v);
            assertEquals(id, Values.idOf(v));
        }
    }

    @Test
    void valuesOfDifferentIdsDiffer() {
        byte[] a = new byte[4096];
        byte[] b = new byte[4096];
        Values.fill(1, a);
        Values.fill(2, b);
        assertEquals(
                false,
                java.util.Arrays.equals(
                        java.util.Arrays.copyOfRange(a, 8, a.length), java.util.Arrays.copyOfRange(b, 8, b.length)));
    }
}
