package io.toykv.core.engine;

/**
 * Routes a key to its shard: FNV-1a (64-bit) over the key bytes, finished with the murmur3 fmix64
 * mixer, modulo the shard count. The function is part of the file format: a store's keys stay in the
 * shard they were written to, so it must never change.
 */
public final class ShardRouter {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private ShardRouter() {}

    public static int shardOf(byte[] key, int shards) {
        long h = FNV_OFFSET;
        for (byte b : key) {
            h ^= b & 0xFF;
            h *= FNV_PRIME;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) Long.remainderUnsigned(h, shards);
    }
}
