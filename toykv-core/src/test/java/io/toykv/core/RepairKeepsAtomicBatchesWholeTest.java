package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.ShardRouter;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An atomic batch is whole or absent after a power loss, in a store an open recovers and in one
 * {@link StoreRepair} salvages. Outside {@code ALWAYS} mode a batch's commit record can survive a power
 * loss that takes one of its parts: the open drops such a batch (its record counts the parts), but a
 * repair counts every commit record as committed and brings back the part it finds.
 */
class RepairKeepsAtomicBatchesWholeTest {
    @TempDir
    Path root;

    private Path store() {
        return root.resolve("store");
    }

    private static byte[] key(int i) {
        return ("rp-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aRepairDropsABatchThatLostAPart() throws IOException {
        StoreOptions options = TornBatchTest.options(); // 3 shards, NEVER
        byte[] k = key(0);
        byte[] j = null;
        for (int i = 1; j == null; i++) {
            if (ShardRouter.shardOf(key(i), 3) != ShardRouter.shardOf(k, 3)) {
                j = key(i);
            }
        }
        try (Store s = Store.open(store(), options)) {
            s.put("other".getBytes(StandardCharsets.US_ASCII), "x".getBytes(StandardCharsets.US_ASCII));
            s.sync();
            s.apply(new WriteBatch().put(k, "batch-k".getBytes()).put(j, "batch-j".getBytes()));
            s.abandon(); // a kill -9: every page is in the files
        }
        // The power loss kept the commit record and K's part, and took J's part.
        Path jShard = FileNames.shardDir(store(), ShardRouter.shardOf(j, 3));
        Path last = TornBatchTest.lastKeysFile(jShard);
        int at = TornBatchTest.lastAtomicPart(last);
        assertTrue(at >= 0);
        assertEquals(
                1,
                ByteBuffer.wrap(Files.readAllBytes(last))
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getLong(at + 11));
        TornBatchTest.zeroFrom(last, at);

        try (Store s = Store.open(copyOf(store()), options)) {
            assertEquals(null, s.get(k), "the open drops the batch");
            assertEquals(null, s.get(j));
        }
        Path out = root.resolve("repaired");
        StoreRepair.repair(store(), out, options);
        try (Store s = Store.open(out, options)) {
            assertEquals(null, s.get(j));
            assertEquals(null, s.get(k), "the repair shows the batch in part: K without J");
        }
    }

    private Path copyOf(Path from) throws IOException {
        Path to = root.resolve("copy");
        TornBatchTest.copyTree(from, to);
        return to;
    }
}
