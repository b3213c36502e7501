package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.BatchCommits;
import io.toykv.core.engine.ShardRouter;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An atomic batch is whole or absent after a power loss, in a store an open recovers and in one
 * {@link StoreRepair} salvages. Outside {@code ALWAYS} mode a batch's commit record can survive a power
 * loss that takes one of its parts, or a part can survive without its commit record: the open drops
 * such a batch (its record counts the parts) and cuts each shard's log at its part; the repair decides
 * and cuts the same way.
 */
class RepairKeepsAtomicBatchesWholeTest {
    private static final byte[] BEFORE = "other".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OLD = "synced".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path root;

    private Path store() {
        return root.resolve("store");
    }

    private static byte[] key(int i) {
        return ("rp-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    /** The first key after key 0 whose shard (of three) is, or is not, key 0's. */
    private static byte[] keyIn(boolean sameShardAsKey0) {
        int shard = ShardRouter.shardOf(key(0), 3);
        for (int i = 1; ; i++) {
            if ((ShardRouter.shardOf(key(i), 3) == shard) == sameShardAsKey0) {
                return key(i);
            }
        }
    }

    /**
     * Writes synced keys (L too, if given), then (a kill -9: every page is in the files) a batch of K and
     * J in two shards and, after it, a put of L in K's shard that replaces its synced value.
     */
    private void writeBatchThenAPut(StoreOptions options, byte[] k, byte[] j, byte[] l) throws IOException {
        try (Store s = Store.open(store(), options)) {
            s.put(BEFORE, "x".getBytes(StandardCharsets.US_ASCII));
            if (l != null) {
                s.put(l, OLD);
            }
            s.sync();
            s.apply(new WriteBatch().put(k, "batch-k".getBytes()).put(j, "batch-j".getBytes()));
            if (l != null) {
                s.put(l, "after".getBytes(StandardCharsets.US_ASCII));
            }
            s.abandon();
        }
    }

    /** The power loss kept the commit record and K's part, and took J's part. */
    private void loseThePartOf(byte[] j) throws IOException {
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
    }

    /** Checks that an open of a copy of the store, and a repair of it, show neither K nor J, and the synced keys. */
    private StoreRepair.Report assertOpenAndRepairAgree(StoreOptions options, byte[] k, byte[] j, byte[] l)
            throws IOException {
        Path copy = root.resolve("copy");
        TornBatchTest.copyTree(store(), copy);
        try (Store s = Store.open(copy, options)) {
            assertNull(s.get(k), "the open drops the batch");
            assertNull(s.get(j));
            if (l != null) {
                assertArrayEquals(OLD, s.get(l), "the open cuts K's shard at the batch's part");
            }
            assertArrayEquals("x".getBytes(StandardCharsets.US_ASCII), s.get(BEFORE));
        }
        Path out = root.resolve("repaired");
        StoreRepair.Report r = StoreRepair.repair(store(), out, options);
        try (Store s = Store.open(out, options)) {
            assertNull(s.get(j));
            assertNull(s.get(k), "the repair shows the batch in part: K without J");
            if (l != null) {
                assertArrayEquals(OLD, s.get(l), "the repair keeps a record the open cuts: L after the dropped part");
            }
            assertArrayEquals("x".getBytes(StandardCharsets.US_ASCII), s.get(BEFORE));
            assertEquals(l == null ? 1 : 2, s.size());
        }
        return r;
    }

    @Test
    void aRepairDropsABatchThatLostAPart() throws IOException {
        StoreOptions options = TornBatchTest.options(); // 3 shards, NEVER
        byte[] k = key(0);
        byte[] j = keyIn(false);
        writeBatchThenAPut(options, k, j, null);
        loseThePartOf(j);
        StoreRepair.Report r = assertOpenAndRepairAgree(options, k, j, null);
        assertEquals(1, r.batchesDropped(), r.toString());
        assertFalse(r.lostNothing(), "a committed batch is lost");
        assertTrue(r.toString().contains("atomic batches [1] are left out whole"), r.toString());
    }

    @Test
    void aRepairCutsTheLogOfAShardAtThePartOfADroppedBatch() throws IOException {
        StoreOptions options = TornBatchTest.options();
        byte[] k = key(0);
        byte[] j = keyIn(false);
        byte[] l = keyIn(true);
        writeBatchThenAPut(options, k, j, l);
        loseThePartOf(j);
        StoreRepair.Report r = assertOpenAndRepairAgree(options, k, j, l);
        assertEquals(1, r.batchesDropped(), r.toString());
        String kShard = FileNames.shardDir(store(), ShardRouter.shardOf(k, 3))
                .getFileName()
                .toString();
        assertTrue(
                r.toString().contains(kShard + ": its keys log is cut at the part of dropped atomic batch 1"),
                r.toString());
    }

    @Test
    void aRepairDropsPartsWithoutACommitRecordAndCutsAtThem() throws IOException {
        StoreOptions options = TornBatchTest.options();
        byte[] k = key(0);
        byte[] j = keyIn(false);
        byte[] l = keyIn(true);
        writeBatchThenAPut(options, k, j, l);
        // The power loss kept both parts and took the commit record (the last record of batches.log).
        Path commits = FileNames.batchCommits(store());
        try (FileChannel c = FileChannel.open(commits, StandardOpenOption.WRITE)) {
            c.truncate(c.size() - BatchCommits.RECORD_SIZE);
        }
        StoreRepair.Report r = assertOpenAndRepairAgree(options, k, j, l);
        assertEquals(0, r.batchesDropped(), "a batch without a commit record never committed: nothing is lost");
        assertTrue(r.lostNothing(), r.toString());
    }
}
