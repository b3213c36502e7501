package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PutBatchTest {
    private record Entry(byte[] key, int length, long address) {}

    private static List<Entry> decodeAll(PutBatch b) {
        List<Entry> out = new ArrayList<>();
        String problem = PutBatch.decode(ByteBuffer.wrap(b.body()), 0, b.length(), b.count(), (k, l, a) -> {
            out.add(new Entry(k, l, a));
            return null;
        });
        assertNull(problem);
        return out;
    }

    private static String decode(byte[] body, int count) {
        return PutBatch.decode(ByteBuffer.wrap(body), 0, body.length, count, (k, l, a) -> null);
    }

    @Test
    void entriesComeBackExactlyIncludingEdgeValues() {
        byte[] longKey = new byte[60_000];
        Arrays.fill(longKey, (byte) 0xFF);
        List<Entry> in = List.of(
                new Entry(new byte[] {0}, 1, Address.of(0, 0)),
                new Entry(new byte[] {0, 0}, 1, Address.of(1, 1)), // the previous key is its prefix
                new Entry(
                        "a".getBytes(StandardCharsets.US_ASCII),
                        274,
                        Address.of(Address.MAX_SEGMENT, Address.MAX_OFFSET)),
                new Entry(
                        "a".getBytes(StandardCharsets.US_ASCII),
                        Integer.MAX_VALUE,
                        Address.of((1L << 31) + 3, 1L << 30)), // same key again
                new Entry("ab".getBytes(StandardCharsets.US_ASCII), 300, Address.of(127, 128)),
                new Entry(longKey, 5, Address.of(128, 16_383)));
        PutBatch b = new PutBatch(PutBatch.MAX_BODY);
        for (Entry e : in) {
            assertTrue(b.add(e.key(), e.length(), e.address()));
        }
        List<Entry> out = decodeAll(b);
        assertEquals(in.size(), out.size());
        for (int i = 0; i < in.size(); i++) {
            assertArrayEquals(in.get(i).key(), out.get(i).key(), "entry " + i);
            assertEquals(in.get(i).length(), out.get(i).length(), "entry " + i);
            assertEquals(in.get(i).address(), out.get(i).address(), "entry " + i);
        }
    }

    @Test
    void sortedShortKeysPackToAboutHalfOfOrdinaryRecords() {
        PutBatch b = new PutBatch(PutBatch.MAX_BODY);
        int n = 0;
        while (b.add(
                String.format("%08x", n * 37).getBytes(StandardCharsets.US_ASCII),
                274,
                Address.of(n / 1000 + 1, n * 274L))) {
            n++;
        }
        double perEntry = b.length() / (double) n;
        assertTrue(
                perEntry < 14, "bytes per entry " + perEntry + " against " + KeyRecord.size(8) + " for a PUT record");
        assertEquals(n, decodeAll(b).size());
    }

    @Test
    void aFullBatchRefusesAndStaysAsItWas() {
        PutBatch b = new PutBatch(64);
        assertTrue(b.add(new byte[20], 1, 0));
        int length = b.length();
        assertFalse(b.add(new byte[40], 1, 0));
        assertEquals(length, b.length());
        assertEquals(1, b.count());
        assertEquals(1, decodeAll(b).size());
    }

    @Test
    void malformedBodiesAreReportedNotMisread() {
        // shared 0, suffix 1, "k", length 10, segment 1, offset 2: one good entry.
        byte[] good = {0, 1, 'k', 10, 1, 2};
        assertNull(decode(good, 1));
        assertNotNull(decode(good, 2), "more entries claimed than the body holds");
        assertNotNull(decode(Arrays.copyOf(good, 7), 1), "a byte after the last entry");
        assertNotNull(decode(new byte[] {1, 1, 'k', 10, 1, 2}, 1), "shares more than the previous key has");
        assertNull(decode(new byte[] {0, 0, 10, 1, 2}, 1), "the empty key");
        assertNotNull(
                decode(new byte[] {0, 1, 'k', 10, 1, 2, 1, 0, 10, 1, 2}, 2),
                "a key equal to the one before with no suffix");
        assertNotNull(decode(new byte[] {0, 5, 'k', 10, 1, 2}, 1), "a key running past the body");
        assertNotNull(decode(new byte[] {0, 1, 'k', 0, 1, 2}, 1), "a value length of 0");
        assertNotNull(
                decode(new byte[] {0, 1, 'k', (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10, 1, 2}, 1),
                "a value length past 2^31-1");
        assertNull(
                decode(new byte[] {0, 1, 'k', 10, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04, 2}, 1),
                "a segment id of 2^23 (ids go to 2^32-1)");
        assertNotNull(
                decode(new byte[] {0, 1, 'k', 10, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10, 2}, 1),
                "a segment id past 2^32-1");
        assertNotNull(
                decode(new byte[] {0, 1, 'k', 10, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, 1),
                "an offset past 2^31-1");
        assertNotNull(
                decode(
                        new byte[] {
                            0,
                            1,
                            'k',
                            10,
                            1,
                            (byte) 0xFF,
                            (byte) 0xFF,
                            (byte) 0xFF,
                            (byte) 0xFF,
                            (byte) 0xFF,
                            (byte) 0xFF,
                            0x01
                        },
                        1),
                "a varint longer than its field allows");
        assertNotNull(decode(new byte[] {0, 1, 'k', 10, 1, (byte) 0x80}, 1), "a varint cut off by the end");
    }

    @Test
    void theEmptyKeyEncodesFirstAndTheKeysAfterItShareNothing() {
        PutBatch b = new PutBatch(100);
        assertTrue(b.add(new byte[0], 7, Address.of(1, 8)));
        assertTrue(b.add(new byte[] {'a'}, 9, Address.of(1, 16)));
        List<byte[]> keys = new ArrayList<>();
        assertNull(PutBatch.decode(ByteBuffer.wrap(b.body()), 0, b.length(), 2, (k, l, a) -> {
            keys.add(k);
            return null;
        }));
        assertEquals(2, keys.size());
        assertArrayEquals(new byte[0], keys.get(0));
        assertArrayEquals(new byte[] {'a'}, keys.get(1));
    }

    @Test
    void theSinkCanRefuseAnEntry() {
        PutBatch b = new PutBatch(100);
        b.add(new byte[] {1}, 1, 0);
        b.add(new byte[] {2}, 1, 0);
        int[] seen = {0};
        String problem =
                PutBatch.decode(ByteBuffer.wrap(b.body()), 0, b.length(), 2, (k, l, a) -> ++seen[0] == 2 ? "no" : null);
        assertEquals("no", problem);
        assertEquals(2, seen[0]);
    }

    /** Random and mutated bodies: decoding reports or accepts, and never throws or reads past its window. */
    @Test
    void randomBytesNeverThrow() {
        Random r = new Random(3);
        PutBatch b = new PutBatch(4096);
        for (int i = 0; b.add(("key" + i).getBytes(StandardCharsets.US_ASCII), 100 + i, Address.of(i, i)); i++) {
            // fill
        }
        byte[] valid = Arrays.copyOf(b.body(), b.length());
        for (int round = 0; round < 20_000; round++) {
            byte[] body;
            if (round % 2 == 0) {
                body = new byte[r.nextInt(64)];
                r.nextBytes(body);
            } else {
                body = valid.clone();
                for (int m = 1 + r.nextInt(4); m > 0; m--) {
                    body[r.nextInt(body.length)] = (byte) r.nextInt(256);
                }
            }
            // The body sits inside a larger buffer, as in a keys file.
            ByteBuffer window = ByteBuffer.allocate(body.length + 32);
            window.put(16, body);
            int count = 1 + r.nextInt(round % 2 == 0 ? 8 : b.count() + 2);
            PutBatch.decode(window.asReadOnlyBuffer(), 16, body.length, count, (k, l, a) -> {
                assertTrue(k.length <= 65535 && l >= 1);
                return null;
            });
        }
    }
}
