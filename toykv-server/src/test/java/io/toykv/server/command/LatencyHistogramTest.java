package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void smallValuesAreExactAndLargerOnesWithinASixteenth() {
        for (long v = 0; v < LatencyHistogram.SUB_BUCKETS; v++) {
            assertEquals(v, LatencyHistogram.highestIn(LatencyHistogram.bucket(v)));
        }
        for (long v : new long[] {16, 17, 31, 32, 1_000, 123_456, 1L << 40, Long.MAX_VALUE - 1}) {
            long top = LatencyHistogram.highestIn(LatencyHistogram.bucket(v));
            assertTrue(top >= v && top - v <= v / 16, v + " reported as " + top);
        }
    }

    @Test
    void bucketsFollowEachOtherWithoutGaps() {
        for (int b = 0; b < 700; b++) {
            long top = LatencyHistogram.highestIn(b);
            assertEquals(b, LatencyHistogram.bucket(top), "top of bucket " + b);
            assertEquals(b + 1, LatencyHistogram.bucket(top + 1), "just past bucket " + b);
        }
        assertEquals(Long.MAX_VALUE, LatencyHistogram.highestIn(LatencyHistogram.bucket(Long.MAX_VALUE)));
    }

    @Test
    void percentilesPickTheCallOfTheirRank() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.valueAt(50), "nothing recorded");
        for (int i = 1; i <= 1000; i++) {
            h.record(i * 1000L);
        }
        long p50 = h.valueAt(50);
        assertTrue(p50 >= 500_000 && p50 <= 500_000 + 500_000 / 16, "p50 " + p50);
        long p99 = h.valueAt(99);
        assertTrue(p99 >= 990_000 && p99 <= 990_000 + 990_000 / 16, "p99 " + p99);
        long p999 = h.valueAt(99.9);
        assertTrue(p999 >= 999_000 && p999 <= 999_000 + 999_000 / 16, "p99.9 " + p999);
        assertEquals(h.valueAt(100), LatencyHistogram.highestIn(LatencyHistogram.bucket(1_000_000)));
    }

    @Test
    void aNegativeTimeCountsAsZero() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(-5);
        assertEquals(0, h.valueAt(99.9));
    }
}
