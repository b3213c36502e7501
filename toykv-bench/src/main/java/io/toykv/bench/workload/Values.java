package io.toykv.bench.workload;

import java.util.Random;

/**
 * Values that neither engine can compress (RocksDB compresses with Snappy by default; toykv does not):
 * a window of a 4 MiB random pool chosen by the id, with the id in its first 8 bytes so that reads can
 * check they got the right value.
 */
public final class Values {
    private static final int POOL_SIZE = 4 << 20;
    private static final byte[] POOL = new byte[POOL_SIZE + 64 * 1024];

    static {
        new Random(301).nextBytes(POOL);
    }

    private Values() {}

    /** Fills {@code value} with id's value. Values up to 64 KiB. */
    public static void fill(long id, byte[] value) {
        int offset = (int) Long.remainderUnsigned(id * 0x9E3779B97F4A7C15L, POOL_SIZE);
        System.arraycopy(POOL, offset, value, 0, value.length);
        for (int i = 0; i < 8; i++) {
            value[i] = (byte) (id >>> (56 - 8 * i));
        }
    }

    /** The id stored in a value's first 8 bytes. */
    public static long idOf(byte[] value) {
        long id = 0;
        for (int i = 0; i < 8; i++) {
            id = (id << 8) | (value[i] & 0xFF);
        }
        return id;
    }
}
