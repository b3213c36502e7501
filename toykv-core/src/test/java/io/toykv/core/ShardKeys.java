package io.toykv.core;

import io.toykv.core.engine.ShardRouter;
import java.nio.charset.StandardCharsets;

/** Keys named {@code prefix} and a number, and the shard of a store of {@code shards} each falls in. */
record ShardKeys(String prefix, int shards) {
    byte[] key(int i) {
        return (prefix + i).getBytes(StandardCharsets.US_ASCII);
    }

    int shard(byte[] key) {
        return ShardRouter.shardOf(key, shards);
    }

    /** The first key numbered {@code from} or above that falls in shard {@code s}. */
    byte[] keyIn(int s, int from) {
        for (int i = from; ; i++) {
            if (shard(key(i)) == s) {
                return key(i);
            }
        }
    }
}
