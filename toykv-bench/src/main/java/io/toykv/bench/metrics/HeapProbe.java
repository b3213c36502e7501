package io.toykv.bench.metrics;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Java heap in use after full collections, and NIO direct buffers, for "memory per key": the difference
 * between a reading taken before the store opens and one taken while it holds its keys.
 */
public final class HeapProbe {
    private HeapProbe() {}

    /** Heap bytes in use after asking for full collections until the figure settles (at most 5 tries). */
    public static long settledHeapUsed() {
        long previous = Long.MAX_VALUE;
        long used = 0;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) < 1 << 20) {
                break;
            }
            previous = used;
        }
        return used;
    }

    /** Bytes held by NIO direct buffers (aligned O_DIRECT buffers, for one); mapped files not counted. */
    public static long directBufferBytes() {
        long total = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                total += pool.getMemoryUsed();
            }
        }
        return total;
    }
}
