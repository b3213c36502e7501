package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentCountsTest {

    /** Random adds, sets and removals (counts back to 0) over a few ids and far-apart ones, against a HashMap. */
    @Test
    void behavesAsAMapOfNonZeroCounts() {
        Random r = new Random(3);
        SegmentCounts live = new SegmentCounts();
        Map<Long, Long> model = new HashMap<>();
        long[] pool = new long[300];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = i < 100 ? i : i < 200 ? (1L << 31) + i * 64L : r.nextLong() & 0xFFFF_FFFFL;
        }
        for (int step = 0; step < 200_000; step++) {
            long id = pool[r.nextInt(pool.length)];
            long before = model.getOrDefault(id, 0L);
            long expected;
            long returned;
            int k = r.nextInt(1000) + 1;
            switch (r.nextInt(4)) {
                case 0 -> {
                    expected = before + k;
                    returned = live.add(id, k);
                }
                case 1 -> {
                    expected = 0; // back to zero: removed
                    returned = live.add(id, -before);
                }
                case 2 -> {
                    expected = 0;
                    returned = live.set(id, 0);
                }
                default -> {
                    expected = before - k;
                    returned = live.add(id, -k);
                }
            }
            assertEquals(expected, returned, "step " + step);
            if (expected == 0) {
                model.remove(id);
            } else {
                model.put(id, expected);
            }
            assertEquals(model.size(), live.size(), "step " + step);
            if (step % 1000 == 0) {
                for (long p : pool) {
                    assertEquals(model.getOrDefault(p, 0L), live.get(p), "step " + step + ", id " + p);
                }
                assertEquals(model.values().stream().mapToLong(Long::longValue).sum(), live.total());
            }
        }
        live.clear();
        assertEquals(0, live.size());
        assertEquals(0, live.get(pool[0]));
    }
}
