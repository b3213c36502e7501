package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Records a shard writes after an atomic batch's part, while the batch is unsettled, may depend on the
 * batch without naming its value. An open that drops the batch (a power loss took a part) cuts every
 * shard's keys log at the batch's part, so none of them outlives it; and nothing that rests on them (a
 * segment's deletion) happens before the batch is settled.
 */
class RecordsAfterADroppedBatchTest {
    private static final byte[] V0 = "v0-durable".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return ("rev-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    /** Two keys in different shards. */
    private static int[] twoShards(Store s) {
        for (int j = 1; j < 100; j++) {
            if (s.shardOf(key(0)) != s.shardOf(key(j))) {
                return new int[] {0, j};
            }
        }
        throw new AssertionError();
    }

    /** Zeroes batch {@code id}'s part in the shard that holds it, other than {@code keep}'s; true if found. */
    private boolean losePart(long id, int keepShard) throws IOException {
        for (int shard = 0; shard < 3; shard++) {
            if (shard == keepShard) {
                continue;
            }
            Path last = TornBatchTest.lastKeysFile(FileNames.shardDir(dir, shard));
            int at = TornBatchTest.lastAtomicPart(last);
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(last)).order(ByteOrder.LITTLE_ENDIAN);
            if (at >= 0 && b.getLong(at + 11) == id) {
                TornBatchTest.zeroFrom(last, at);
                return true;
            }
        }
        return false;
    }

    private static int shardIndex(Store s, byte[] key) {
        return io.toykv.core.engine.ShardRouter.shardOf(key, 3);
    }

    /**
     * K=v0 is synced (acknowledged durable, no expiry). A batch gives K an expiry and puts J in another
     * shard; the expiry passes and the sweep writes DELETE K. A power loss keeps K's shard whole and loses
     * J's part: the open drops the batch, and the sweep's DELETE with it (v0 stays).
     */
    @Test
    void theSweepOfAnExpiryADroppedBatchGaveIsDroppedWithIt() throws IOException {
        ManualClock clock = new ManualClock(1_000_000);
        byte[] k;
        byte[] j;
        int kShard;
        try (Store s = Store.open(dir, TornBatchTest.options().clock(clock))) {
            int[] two = twoShards(s);
            k = key(two[0]);
            j = key(two[1]);
            kShard = shardIndex(s, k);
            s.put(k, V0);
            s.sync(); // v0 acknowledged durable
            s.apply(new WriteBatch().expireAt(k, clock.millis() + 10).put(j, "batch".getBytes()));
            clock.advance(20);
            assertEquals(1, s.shardOf(k).expireDue(10)); // the sweeper's round (activeExpiry off here)
            s.abandon();
        }
        assertTrue(losePart(1, kShard));
        try (Store s = Store.open(dir, TornBatchTest.options().clock(clock))) {
            assertEquals(null, s.get(j), "the batch was dropped");
            assertArrayEquals(V0, s.get(k), "the batch was dropped: K keeps v0 without an expiry");
        }
    }

    /**
     * DeadSegments.dropIfDead settles, then deletes the segments of {@code ids} it found dead before the
     * settle. A batch Y that commits after the settle noted its target (here: right after the settle; in
     * the store: during the settle's own shard syncs) and overwrites the last live value of a segment S
     * makes S dead, and a sync of this shard alone makes the emptying durable in it; yet a power loss that
     * takes Y's part in its other shard drops Y, and K's older record points into S again: S must stay.
     */
    @Test
    void aSegmentEmptiedByABatchCommittedAfterTheSettleIsNotDeleted() throws Exception {
        byte[] k;
        byte[] j;
        int xShard;
        try (Store s = Store.open(dir, TornBatchTest.options())) {
            int[] two = twoShards(s);
            k = key(two[0]);
            j = key(two[1]);
            xShard = shardIndex(s, k);
            io.toykv.core.engine.Shard x = s.shardOf(k);
            s.put(k, V0);
            java.util.List<byte[]> fillers = new java.util.ArrayList<>();
            long head = x.headSegmentId();
            for (int i = 1000; x.headSegmentId() < head + 2; i++) {
                if (shardIndex(s, key(i)) == xShard) {
                    s.put(key(i), new byte[7000]);
                    fillers.add(key(i));
                }
            }
            for (byte[] f : fillers) {
                s.delete(f);
            }
            s.sync(); // v0 durable; every filler's delete too
            java.util.List<io.toykv.core.engine.Shard.SegmentUsage> sealed = x.sealedSegments();
            long[] ids = sealed.stream()
                    .mapToLong(io.toykv.core.engine.Shard.SegmentUsage::id)
                    .toArray();
            long withK = -1;
            int dead = 0;
            for (long id : ids) {
                if (x.liveBytes(id) > 0) {
                    withK = id;
                } else {
                    dead++;
                }
            }
            assertTrue(withK >= 0 && dead > 0, "a sealed segment holding only K's v0 and a dead one");
            java.lang.reflect.Method stateOf = io.toykv.core.engine.Shard.class.getDeclaredMethod("state");
            stateOf.setAccessible(true);
            Object state = stateOf.invoke(x);
            java.lang.reflect.Field f = state.getClass().getDeclaredField("batchSettler");
            f.setAccessible(true);
            io.toykv.core.engine.BatchCommits.IoAction real = (io.toykv.core.engine.BatchCommits.IoAction) f.get(state);
            boolean[] once = {false};
            f.set(state, (io.toykv.core.engine.BatchCommits.IoAction) () -> {
                real.run();
                if (!once[0]) {
                    once[0] = true;
                    // Batch Y commits after the settle's target: K's last live value in withK overwritten.
                    s.apply(new WriteBatch().put(k, "batch".getBytes()).put(j, "batch".getBytes()));
                    x.sync(); // this shard synced (a background round, or the settle's loop reaching it)
                }
            });
            long[] freed = x.dropIfDead(ids);
            for (int i = 0; i < ids.length; i++) {
                assertEquals(ids[i] != withK, freed[i] > 0, "segment " + ids[i] + " (K's: " + withK + ")");
            }
            s.abandon();
        }
        assertTrue(losePart(1, xShard));
        try (Store s = Store.open(dir, TornBatchTest.options())) {
            assertEquals(null, s.get(j), "the batch was dropped");
            assertArrayEquals(V0, s.get(k), "the batch was dropped: K keeps v0");
        }
    }

    /**
     * A batch X gives K (v0, durable, no expiry) an expiry and puts J in another shard. The collection's
     * move of v0 goes to the keys log as a PUT_EXPIRING carrying X's expiry, and is synced; a power loss
     * before any settle takes X's part in J's shard: the open drops X and the move with it, so K keeps v0
     * without an expiry (its old segment was not deleted: that waits for a settle).
     */
    @Test
    void aCollectionsMoveCarryingAnUnsettledBatchsExpiryIsDroppedWithTheBatch() throws Exception {
        ManualClock clock = new ManualClock(1_000_000);
        byte[] k;
        byte[] j;
        int xShard;
        try (Store s = Store.open(dir, TornBatchTest.options().clock(clock))) {
            int[] two = twoShards(s);
            k = key(two[0]);
            j = key(two[1]);
            xShard = shardIndex(s, k);
            io.toykv.core.engine.Shard x = s.shardOf(k);
            s.put(k, V0);
            java.util.List<byte[]> fillers = new java.util.ArrayList<>();
            long head = x.headSegmentId();
            for (int i = 1000; x.headSegmentId() < head + 2; i++) {
                if (shardIndex(s, key(i)) == xShard) {
                    s.put(key(i), new byte[7000]);
                    fillers.add(key(i));
                }
            }
            for (byte[] f : fillers) {
                s.delete(f);
            }
            s.sync(); // v0 durable, without an expiry
            s.apply(new WriteBatch().expireAt(k, clock.millis() + 60_000).put(j, "batch".getBytes()));
            // K's shard's collection moves the live values out of K's segment (a victim: mostly garbage)
            // and syncs the moves; the power loss comes before the round's dropIfDead settles.
            java.util.List<io.toykv.core.engine.Shard.SegmentUsage> victims =
                    x.sealedSegments().stream().filter(u -> u.live() > 0).toList();
            assertEquals(1, victims.size());
            assertTrue(x.evacuate(victims, 256 * 1024, 64, () -> {}, () -> false) > 0, "v0 moved");
            s.abandon();
        }
        assertTrue(losePart(1, xShard));
        clock.advance(120_000);
        try (Store s = Store.open(dir, TornBatchTest.options().clock(clock))) {
            assertEquals(null, s.get(j), "the batch was dropped");
            assertArrayEquals(V0, s.get(k), "the batch was dropped: K keeps v0 without an expiry");
        }
    }

    /**
     * SET KEEPTTL after a batch that gave K an expiry: the new value v2 takes the batch's expiry. A power
     * loss after K's shard reached the disk (a background round part way through) and before J's did drops
     * the batch, and v2 with it (never acknowledged as synced): K is v0 without an expiry, a state of the
     * history's prefix before the batch, never v2 with an expiry nobody set on it.
     */
    @Test
    void aPutKeepingAnUnsettledBatchsExpiryIsDroppedWithTheBatch() throws IOException {
        ManualClock clock = new ManualClock(1_000_000);
        byte[] k;
        byte[] j;
        int kShard;
        byte[] v2 = "v2".getBytes(StandardCharsets.US_ASCII);
        try (Store s = Store.open(dir, TornBatchTest.options().clock(clock))) {
            int[] two = twoShards(s);
            k = key(two[0]);
            j = key(two[1]);
            kShard = shardIndex(s, k);
            s.put(k, V0);
            s.sync();
            s.apply(new WriteBatch().expireAt(k, clock.millis() + 60_000).put(j, "batch".getBytes()));
            s.put(k, v2, Store.KEEP_EXPIRY);
            s.shardOf(k).sync(); // K's shard reaches the disk (a background round part way), J's does not
            s.abandon();
        }
        assertTrue(losePart(1, kShard));
        clock.advance(120_000);
        try (Store s = Store.open(dir, TornBatchTest.options().clock(clock))) {
            assertEquals(null, s.get(j), "the batch was dropped");
            assertArrayEquals(V0, s.get(k), "the batch was dropped, and K's v2 after it");
        }
    }

    /** Three keys, one in each of the three shards, in shard order. */
    private static byte[][] oneKeyAShard(Store s) {
        byte[][] out = new byte[3][];
        for (int i = 0; out[0] == null || out[1] == null || out[2] == null; i++) {
            int shard = shardIndex(s, key(i));
            if (out[shard] == null) {
                out[shard] = key(i);
            }
        }
        return out;
    }

    /**
     * Batch 1 writes A (shard 0) and B (shard 1); batch 2, after it, writes A and C (shard 2), and a plain
     * put of C follows. A power loss takes batch 1's part in shard 1: shard 0 is cut at batch 1's part,
     * which takes batch 2's part there, so batch 2 is dropped too, and shard 2 is cut at its part (the
     * plain put after it goes with it): no batch shows in part.
     */
    @Test
    void aBatchWithAPartPastACutIsDroppedToo() throws IOException {
        byte[][] abc;
        try (Store s = Store.open(dir, TornBatchTest.options())) {
            abc = oneKeyAShard(s);
            s.put(abc[2], V0);
            s.sync();
            s.apply(new WriteBatch().put(abc[0], "1".getBytes()).put(abc[1], "1".getBytes()));
            s.apply(new WriteBatch().put(abc[0], "2".getBytes()).put(abc[2], "2".getBytes()));
            s.put(abc[2], "3".getBytes());
            s.abandon();
        }
        assertTrue(losePartIn(1, 1));
        try (Store s = Store.open(dir, TornBatchTest.options())) {
            assertEquals(null, s.get(abc[0]), "both batches dropped");
            assertEquals(null, s.get(abc[1]), "batch 1 dropped");
            assertArrayEquals(V0, s.get(abc[2]), "batch 2 dropped, and the put after it");
        }
    }

    /** Zeroes batch {@code id}'s part in {@code shard}'s last keys file (and all after it); true if found. */
    private boolean losePartIn(long id, int shard) throws IOException {
        Path last = TornBatchTest.lastKeysFile(FileNames.shardDir(dir, shard));
        int at = TornBatchTest.lastAtomicPart(last);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(last)).order(ByteOrder.LITTLE_ENDIAN);
        if (at >= 0 && b.getLong(at + 11) == id) {
            TornBatchTest.zeroFrom(last, at);
            return true;
        }
        return false;
    }

    /**
     * The records an open cut away stay in the keys files until it rewrites them; it does so before any
     * write, so the writes after it (and the store's state) survive the next open, which finds nothing
     * to cut.
     */
    @Test
    void writesAfterAnOpenThatCutAShardSurviveTheNextOpen() throws IOException {
        byte[] k;
        byte[] j;
        int kShard;
        try (Store s = Store.open(dir, TornBatchTest.options())) {
            int[] two = twoShards(s);
            k = key(two[0]);
            j = key(two[1]);
            kShard = shardIndex(s, k);
            s.put(k, V0);
            s.sync();
            s.apply(new WriteBatch().put(k, "batch".getBytes()).put(j, "batch".getBytes()));
            s.put(k, "after".getBytes());
            s.abandon();
        }
        assertTrue(losePart(1, kShard));
        byte[] later = "later".getBytes(StandardCharsets.US_ASCII);
        try (Store s = Store.open(dir, TornBatchTest.options())) {
            assertArrayEquals(V0, s.get(k), "cut at the dropped batch: the put after it goes too");
            s.put(k, later); // in the shard that was cut
            s.put(j, later);
            s.abandon(); // a kill -9: only the page cache holds the new records
        }
        try (Store s = Store.open(dir, TornBatchTest.options())) {
            assertArrayEquals(later, s.get(k));
            assertArrayEquals(later, s.get(j));
            assertEquals(2, s.size());
        }
    }
}
