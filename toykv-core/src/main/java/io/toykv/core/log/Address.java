package io.toykv.core.log;

/**
 * A value's position in a shard's values log, packed in a non-negative long:
 *
 * <pre>
 * bits 40-62   segment id, low 23 bits
 * bits 31-39   segment id, high 9 bits
 * bits 0-30    byte offset within the segment (segments are at most 2^31-1 bytes)
 * </pre>
 *
 * Ids below 2^23 therefore give {@code id << 40 | offset}, the layout of the first versions, so their
 * files read unchanged; the high bits let ids go to 2^32-1. Within one segment, addresses order as
 * offsets do. Segment ids are never reused while a store is open, but they do not order values by
 * age: garbage collection writes segments numbered after the head.
 */
public final class Address {
    private static final int LOW_SEGMENT_SHIFT = 40;
    private static final int LOW_SEGMENT_BITS = 23;
    private static final long LOW_SEGMENT_MASK = (1L << LOW_SEGMENT_BITS) - 1;
    private static final int HIGH_SEGMENT_SHIFT = 31;
    private static final long HIGH_SEGMENT_MASK = (1L << 9) - 1;
    public static final long MAX_OFFSET = (1L << 31) - 1;
    public static final long MAX_SEGMENT = (1L << 32) - 1;

    private Address() {}

    public static long of(long segment, long offset) {
        if (segment < 0 || segment > MAX_SEGMENT || offset < 0 || offset > MAX_OFFSET) {
            throw new IllegalArgumentException("address out of range: segment " + segment + ", offset " + offset);
        }
        return ((segment & LOW_SEGMENT_MASK) << LOW_SEGMENT_SHIFT)
                | ((segment >>> LOW_SEGMENT_BITS) << HIGH_SEGMENT_SHIFT)
                | offset;
    }

    public static long segment(long address) {
        return (address >>> LOW_SEGMENT_SHIFT)
                | (((address >>> HIGH_SEGMENT_SHIFT) & HIGH_SEGMENT_MASK) << LOW_SEGMENT_BITS);
    }

    public static long offset(long address) {
        return address & MAX_OFFSET;
    }

    public static String describe(long address) {
        return "segment " + segment(address) + " offset " + offset(address);
    }
}
