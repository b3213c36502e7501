package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AtomicPartTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static AtomicPart sample() {
        AtomicPart p = new AtomicPart(200);
        p.add(KeyRecord.PUT, b("a"), 30, 1L << 40 | 4096, 0);
        p.add(KeyRecord.DELETE, b(""), 0, 0, 0);
        p.add(KeyRecord.PUT_EXPIRING, b("key"), 7, 12, 1_700_000_000_000L);
        return p;
    }

    @Test
    void entriesDecodeAsTheyWereAdded() {
        AtomicPart p = sample();
        assertEquals(3, p.count());
        assertEquals(
                AtomicPart.entrySize(KeyRecord.PUT, 1)
                        + AtomicPart.entrySize(KeyRecord.DELETE, 0)
                        + AtomicPart.entrySize(KeyRecord.PUT_EXPIRING, 3),
                p.length());
        List<KeyRecord> e = AtomicPart.decode(Arrays.copyOf(p.body(), p.length()), 3);
        assertEquals(KeyRecord.PUT, e.get(0).kind());
        assertArrayEquals(b("a"), e.get(0).key());
        assertEquals(30, e.get(0).valueLength());
        assertEquals(1L << 40 | 4096, e.get(0).address());
        assertEquals(KeyRecord.DELETE, e.get(1).kind());
        assertEquals(0, e.get(1).key().length);
        assertEquals(1_700_000_000_000L, e.get(2).expireAt());
        assertTrue(AtomicPart.entrySize(KeyRecord.PUT_EXPIRING, 3) <= AtomicPart.entryBound(3));
    }

    @Test
    void everyTruncationOfABodyIsRefused() {
        AtomicPart p = sample();
        for (int n = 0; n < p.length(); n++) {
            byte[] cut = Arrays.copyOf(p.body(), n);
            assertThrows(IllegalArgumentException.class, () -> AtomicPart.decode(cut, 3), "cut at " + n);
        }
    }

    @Test
    void malformedBodiesAreRefused() {
        AtomicPart p = sample();
        byte[] body = Arrays.copyOf(p.body(), p.length());
        assertThrows(IllegalArgumentException.class, () -> AtomicPart.decode(body, 2), "bytes left over");
        assertThrows(IllegalArgumentException.class, () -> AtomicPart.decode(body, 4), "an entry missing");
        byte[] badKind = body.clone();
        badKind[0] = KeyRecord.CLEAR;
        assertThrows(IllegalArgumentException.class, () -> AtomicPart.decode(badKind, 3));
        byte[] badLength = body.clone();
        Arrays.fill(badLength, 4, 8, (byte) 0); // the first entry's value length: 0
        assertThrows(IllegalArgumentException.class, () -> AtomicPart.decode(badLength, 3));
        byte[] negativeAddress = body.clone();
        negativeAddress[15] = (byte) 0x80; // the top byte of the first entry's address
        assertThrows(IllegalArgumentException.class, () -> AtomicPart.decode(negativeAddress, 3));
        byte[] noExpiry = body.clone();
        Arrays.fill(noExpiry, noExpiry.length - 8, noExpiry.length, (byte) 0);
        assertThrows(IllegalArgumentException.class, () -> AtomicPart.decode(noExpiry, 3));
        byte[] longKey = body.clone();
        longKey[1] = (byte) 0xFF;
        longKey[2] = (byte) 0xFF;
        assertThrows(IllegalArgumentException.class, () -> AtomicPart.decode(longKey, 3));
    }

    @Test
    void onlyPutsAndDeletesGoInAPart() {
        assertThrows(IllegalArgumentException.class, () -> new AtomicPart(100).add(KeyRecord.BATCH, b("k"), 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new AtomicPart(0));
        assertThrows(IllegalArgumentException.class, () -> new AtomicPart(AtomicPart.MAX_BODY + 1));
    }
}
