package io.toykv.server.command;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Run times of one command, for INFO latencystats: a log-linear histogram of nanoseconds, exact below
 * {@link #SUB_BUCKETS} and then 16 buckets per power of two (within 1/16, about 6 %, of the true value;
 * Redis's HDR histogram keeps 2 significant digits). Recording is one atomic increment, from any
 * thread; a percentile is read from a snapshot that a concurrent record may be part of or not.
 */
final class LatencyHistogram {
    /** Buckets per power of two, and the values below it counted exactly. */
    static final int SUB_BUCKETS = 16;

    private static final int SUB_BITS = 4; // log2(SUB_BUCKETS)
    /** Powers of two from 2^4 to 2^62: every non-negative long has a bucket. */
    private static final int BUCKETS = SUB_BUCKETS + (63 - SUB_BITS) * SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void record(long nanos) {
        counts.incrementAndGet(bucket(Math.max(0, nanos)));
    }

    static int bucket(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value); // >= SUB_BITS
        int sub = (int) (value >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
        return SUB_BUCKETS + (exponent - SUB_BITS) * SUB_BUCKETS + sub;
    }

    /** The largest value that falls in {@code bucket}. */
    static long highestIn(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int exponent = (bucket - SUB_BUCKETS) / SUB_BUCKETS + SUB_BITS;
        long sub = (bucket - SUB_BUCKETS) % SUB_BUCKETS;
        long next = (SUB_BUCKETS + sub + 1) << (exponent - SUB_BITS);
        return next - 1 < 0 ? Long.MAX_VALUE : next - 1;
    }

    /**
     * The value at {@code percentile} (0-100]: the top of the bucket holding the call of that rank (as
     * HDR's highest equivalent value); 0 when nothing was recorded.
     */
    long valueAt(double percentile) {
        long[] snapshot = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = counts.get(i);
            total += snapshot[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snapshot[i];
            if (seen >= rank) {
                return highestIn(i);
            }
        }
        return highestIn(BUCKETS - 1);
    }
}
