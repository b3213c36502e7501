package io.toykv.core;

import java.util.Arrays;

/** Live value bytes per segment, kept in a {@code long[]} indexed by segment id that grows as needed. */
final class LiveBytes {
    private LiveBytes() {
    }

    /** Adds {@code delta} to the segment's count; returns the array, grown if the id did not fit. */
    static long[] add(long[] live, long segment, long delta) {
        if (segment >= live.length) {
            live = Arrays.copyOf(live, Math.max(live.length * 2, (int) segment + 1));
        }
        live[(int) segment] += delta;
        return live;
    }
}
