package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AddressTest {

    @Test
    void segmentAndOffsetComeBackForEveryIdUpTo2To32() {
        Random r = new Random(1);
        long[] ids = {0, 1, (1L << 23) - 1, 1L << 23, (1L << 31) - 1, 1L << 31, Address.MAX_SEGMENT};
        long[] offsets = {0, 1, 4096, Address.MAX_OFFSET};
        for (long id : ids) {
            for (long offset : offsets) {
                check(id, offset);
            }
        }
        for (int i = 0; i < 100_000; i++) {
            check(r.nextLong() & Address.MAX_SEGMENT, r.nextLong() & Address.MAX_OFFSET);
        }
    }

    private static void check(long id, long offset) {
        long a = Address.of(id, offset);
        assertTrue(a >= 0, id + "/" + offset + ": " + a);
        assertEquals(id, Address.segment(a), Long.toHexString(a));
        assertEquals(offset, Address.offset(a), Long.toHexString(a));
    }

    /** Files written before ids could pass 2^23 hold {@code id << 40 | offset}: they must read the same. */
    @Test
    void idsBelow2To23KeepTheFirstLayout() {
        Random r = new Random(2);
        for (int i = 0; i < 100_000; i++) {
            long id = r.nextInt(1 << 23);
            long offset = r.nextLong() & Address.MAX_OFFSET;
            assertEquals(id << 40 | offset, Address.of(id, offset));
        }
    }

    @Test
    void withinASegmentAddressesOrderAsOffsets() {
        long id = (1L << 31) + 12345;
        assertTrue(Address.of(id, 10) < Address.of(id, 11));
        assertTrue(Address.of(id, 0) < Address.of(id, Address.MAX_OFFSET));
    }

    @Test
    void outOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Address.of(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> Address.of(Address.MAX_SEGMENT + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Address.of(0, Address.MAX_OFFSET + 1));
        assertThrows(IllegalArgumentException.class, () -> Address.of(0, -1));
    }
}
