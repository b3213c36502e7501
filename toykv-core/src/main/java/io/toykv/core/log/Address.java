package io.toykv.core.log;

/**
 * A value's position in a shard's values log, packed in a long: the segment id in the high 24 bits and
 * the byte offset within the segment in the low 40. Segment ids are never reused while a store is open,
 * but they do not order values by age: garbage collection writes segments numbered after the head.
 */
public final class Address {
    static final int OFFSET_BITS = 40;
    static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    public static final long MAX_SEGMENT = (1L << (63 - OFFSET_BITS)) - 1;

    private Address() {
    }

    public static long of(long segment, long offset) {
        if (segment < 0 || segment > MAX_SEGMENT || offset < 0 || offset > OFFSET_MASK) {
            throw new IllegalArgumentException("address out of range: segment " + segment + ", offset " + offset);
        }
        return (segment << OFFSET_BITS) | offset;
    }

    public static long segment(long address) {
        return address >>> OFFSET_BITS;
    }

    public static long offset(long address) {
        return address & OFFSET_MASK;
    }

    public static String describe(long address) {
        return "segment " + segment(address) + " offset " + offset(address);
    }
}
