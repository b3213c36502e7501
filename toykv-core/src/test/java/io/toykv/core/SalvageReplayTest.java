package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.toykv.core.log.AtomicPart;
import io.toykv.core.log.KeyRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The repair's replay of one directory's records: live keys, atomic parts noted as the open notes them,
 * and the cut at a dropped batch's part, which undoes that part and every record after it.
 */
class SalvageReplayTest {
    private static final Path FILE = Path.of("00000001.k");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static KeyRecord put(String key, int address) {
        return new KeyRecord(KeyRecord.PUT, b(key), 10, address);
    }

    private static KeyRecord delete(String key) {
        return new KeyRecord(KeyRecord.DELETE, b(key), 0, 0);
    }

    private static KeyRecord clear() {
        return new KeyRecord(KeyRecord.CLEAR, new byte[0], 0, 0);
    }

    /** An ATOMIC_PART of batch {@code id}: PUTs of {@code puts} (at address 100) and DELETEs of {@code deletes}. */
    private static KeyRecord part(long id, List<String> puts, List<String> deletes) {
        AtomicPart p = new AtomicPart(AtomicPart.MAX_BODY);
        for (String k : puts) {
            p.add(KeyRecord.PUT, b(k), 10, 100, 0);
        }
        for (String k : deletes) {
            p.add(KeyRecord.DELETE, b(k), 0, 0, 0);
        }
        return new KeyRecord(KeyRecord.ATOMIC_PART, Arrays.copyOf(p.body(), p.length()), p.count(), id);
    }

    private static void replay(SalvageReplay r, KeyRecord... records) {
        for (KeyRecord k : records) {
            assertNull(r.accept(k, FILE, 0));
        }
    }

    private static long addressOf(SalvageReplay r, String key) {
        long[] v = r.live().get(ByteBuffer.wrap(b(key)));
        return v == null ? -1 : v[0];
    }

    @Test
    void aCutUndoesTheDroppedPartAndEveryRecordAfterIt() {
        SalvageReplay r = new SalvageReplay(null, id -> true);
        replay(r, put("a", 1), put("b", 2), part(7, List.of("a"), List.of("b")), put("c", 3), put("b", 4), delete("a"));
        assertArrayEquals(new long[] {7}, r.committedParts());
        assertArrayEquals(new long[] {7}, r.partsInOrder());
        assertEquals(-1, addressOf(r, "a"));
        assertEquals(7, r.cutAt(id -> id == 7));
        assertEquals(5, r.changesCut());
        assertEquals(1, addressOf(r, "a"));
        assertEquals(2, addressOf(r, "b"));
        assertEquals(-1, addressOf(r, "c"));
        assertEquals(2, r.live().size());
    }

    @Test
    void aCutAtALaterPartKeepsTheEarlierOne() {
        SalvageReplay r = new SalvageReplay(null, id -> true);
        replay(r, part(3, List.of("a"), List.of()), put("b", 2), part(4, List.of("c"), List.of()), put("a", 5));
        assertEquals(4, r.cutAt(id -> id == 4));
        assertEquals(100, addressOf(r, "a"));
        assertEquals(2, addressOf(r, "b"));
        assertEquals(-1, addressOf(r, "c"));
    }

    @Test
    void nothingIsCutWithoutADroppedPart() {
        SalvageReplay r = new SalvageReplay(null, id -> true);
        replay(r, put("a", 1), part(7, List.of("b"), List.of()));
        assertEquals(0, r.cutAt(id -> id == 8));
        assertEquals(2, r.live().size());
    }

    @Test
    void aPartOfABatchThatDidNotCommitIsSkippedButNotedInOrder() {
        SalvageReplay r = new SalvageReplay(null, id -> id != 9);
        replay(r, part(9, List.of("a"), List.of()), part(10, List.of("b"), List.of()));
        assertEquals(-1, addressOf(r, "a"));
        assertEquals(100, addressOf(r, "b"));
        assertArrayEquals(new long[] {10}, r.committedParts());
        assertArrayEquals(new long[] {9, 10}, r.partsInOrder());
        assertEquals(9, r.cutAt(id -> id == 9));
        assertEquals(0, r.live().size());
    }

    @Test
    void aClearForgetsThePartsBeforeItForTheCutNotForTheCount() {
        SalvageReplay r = new SalvageReplay(null, id -> true);
        replay(r, part(7, List.of("a"), List.of()), clear(), put("b", 2));
        assertArrayEquals(new long[] {7}, r.committedParts(), "the open counts a part before a CLEAR too");
        assertArrayEquals(new long[0], r.partsInOrder());
        assertEquals(0, r.cutAt(id -> id == 7));
        assertEquals(2, addressOf(r, "b"));
        assertEquals(1, r.live().size());
    }

    @Test
    void aPartWhoseBodyDoesNotDecodeIsABadRecordAndChangesNothing() {
        KeyRecord good = part(7, List.of("a", "b"), List.of());
        for (int cut = 0; cut < good.key().length; cut++) {
            SalvageReplay r = new SalvageReplay(null, id -> true);
            byte[] shorter = Arrays.copyOf(good.key(), cut);
            assertNotNull(r.accept(new KeyRecord(KeyRecord.ATOMIC_PART, shorter, 2, 7), FILE, 0), "cut at " + cut);
            assertEquals(0, r.live().size());
            assertArrayEquals(new long[0], r.partsInOrder());
        }
        SalvageReplay r = new SalvageReplay(null, id -> true);
        byte[] badKind = good.key().clone();
        badKind[0] = KeyRecord.CLEAR;
        assertNotNull(r.accept(new KeyRecord(KeyRecord.ATOMIC_PART, badKind, 2, 7), FILE, 0));
        assertNotNull(r.accept(new KeyRecord(KeyRecord.ATOMIC_PART, good.key(), 3, 7), FILE, 0), "a count too high");
        assertEquals(0, r.live().size());
    }
}
