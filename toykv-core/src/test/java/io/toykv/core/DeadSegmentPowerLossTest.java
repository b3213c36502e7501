package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.GarbageCollector;
import io.toykv.core.engine.Shard;
import io.toykv.core.index.SortedIndex;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileNames;
import io.toykv.core.log.DirectIo;
import io.toykv.core.log.KeysFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment with nothing live is deleted by the collector. If the records that left it dead (deletes or
 * overwrites) are not yet forced, a power loss takes them and brings back older records pointing into
 * the deleted segment: the open must still succeed.
 */
class DeadSegmentPowerLossTest {
    @TempDir
    Path dir;

    private static final StoreOptions OPTIONS = StoreModelTest.smallFiles()
            .shards(1)
            .autoCompaction(false)
            .keysFileSize(1 << 20); // one keys file for the whole test

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int i) {
        byte[] v = new byte[100];
        java.util.Arrays.fill(v, (byte) (i * 31));
        return v;
    }

    private Shard open() throws Exception {
        return Shard.open(dir, OPTIONS, new DirectIo(OPTIONS.directIo()), FileAllocator.DEFAULT);
    }

    private static final int KEYS = 3000; // 118-byte records: fill segment 1 (256 KiB), the head rolls to 2

    /** Writes {@link #KEYS} keys, syncs, and deletes them all without a sync: segment 1 is dead, and the deletes are not durable. */
    private Shard openWithSegmentOneEmptiedByUnforcedDeletes() throws Exception {
        Shard s = open();
        for (int i = 0; i < KEYS; i++) {
            s.put(key(i), value(i));
        }
        s.sync(); // everything so far is durable
        assertEquals(1, s.sealedSegments().size()); // (segment 1's last chunk is written: it was pending till the sync)
        for (int i = 0; i < KEYS; i++) {
            s.delete(key(i)); // not forced (sync mode NEVER)
        }
        assertEquals(0, s.liveBytes(1));
        return s;
    }

    @Test
    void aDeadSegmentIsNotDeletedBeforeTheRecordsThatKilledItAreDurable() throws Exception {
        Shard s = openWithSegmentOneEmptiedByUnforcedDeletes();
        oneBackgroundRoundDeletesSegmentOne(s);
        s.abandon();

        loseUnforcedKeyRecords();

        // failed: "live key record: its value at segment 1 ... is in a missing segment"
        opensWithEachKeyDeletedOrAtItsValue(KEYS);
    }

    /**
     * The same after a kill -9: the deletes were in the page cache only when the process died, the next
     * open replayed them and found segment 1 dead at once. It must make them durable before anything
     * is decided from them.
     */
    @Test
    void recordsReplayedAfterAKillAreMadeDurableBeforeADeadSegmentGoes() throws Exception {
        Shard s = openWithSegmentOneEmptiedByUnforcedDeletes();
        s.abandon(); // a kill -9: the deletes are in the page cache, not on the device

        s = open();
        assertEquals(0, s.liveBytes(1));
        oneBackgroundRoundDeletesSegmentOne(s);
        s.abandon();
        loseUnforcedKeyRecords();

        opensWithEachKeyDeletedOrAtItsValue(KEYS);
    }

    /**
     * As above, with the process killed in KeysLog.ensureRoom after it created the next keys file and
     * before it forced the full one: the deletes are in the page cache in a keys file that is no longer
     * the last, and the open must make them durable too.
     */
    @Test
    void recordsReplayedFromAnEarlierKeysFileAreMadeDurableBeforeADeadSegmentGoes() throws Exception {
        Shard s = openWithSegmentOneEmptiedByUnforcedDeletes();
        s.abandon(); // killed during a roll: the next file made, the full one not forced yet
        KeysFile.create(FileNames.keysFile(dir, 2), 2, 64 * 1024, FileAllocator.DEFAULT)
                .unmap();

        s = open();
        assertEquals(0, s.liveBytes(1));
        oneBackgroundRoundDeletesSegmentOne(s);
        s.abandon();
        loseUnforcedKeyRecords(); // keys file 1's records past its synced length

        // failed: "live key record: its value at segment 1 ... is in a missing segment"
        opensWithEachKeyDeletedOrAtItsValue(KEYS);
    }

    /**
     * dropIfDead decides whether to sync from the segments dead when it looks, then deletes those dead
     * when it deletes. A segment a delete emptied in between, after the sync's snapshot, must wait: here
     * another sync (the once-a-second one, Store.sync) has made everything durable but that delete, and
     * the collector's own sync finds nothing left to do.
     */
    @Test
    void aSegmentEmptiedWhileDropIfDeadSyncsIsNotDeletedBeforeThatDeleteIsDurable() throws Exception {
        int n = 6000; // segments 1 and 2 sealed, the head at 3
        Shard s = open();
        for (int i = 0; i < n; i++) {
            s.put(key(i), value(i));
        }
        assertTrue(
                s.sealedSegments().size() >= 2, "sealed: " + s.sealedSegments().size());
        s.sync();
        byte[] last = null;
        for (SortedIndex.Cursor c = s.cursor(null); c.next(); ) {
            if (io.toykv.core.log.Address.segment(c.address()) == 2) {
                last = c.key();
                break;
            }
        }
        assertTrue(last != null);
        for (int i = 0; i < n; i++) {
            if (!java.util.Arrays.equals(key(i), last)) {
                s.delete(key(i)); // not forced: segment 1 is dead, its emptying not durable
            }
        }
        assertEquals(0, s.liveBytes(1));
        assertTrue(s.liveBytes(2) > 0);

        java.util.concurrent.locks.ReentrantLock syncLock = s.syncLock();
        final Shard shard = s;
        long[][] freed = new long[1][];
        Throwable[] failure = new Throwable[1];
        Thread collector;
        syncLock.lock();
        try {
            collector = new Thread(() -> {
                try {
                    freed[0] = shard.dropIfDead(new long[] {1, 2});
                } catch (Throwable t) {
                    failure[0] = t;
                }
            });
            collector.start();
            while (!syncLock.hasQueuedThread(collector)) { // its sync waits: segment 1's emptying is not durable
                Thread.sleep(1);
            }
            s.sync(); // another sync: everything so far durable
            assertTrue(s.delete(last)); // empties segment 2, not forced
        } finally {
            syncLock.unlock();
        }
        collector.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        assertTrue(freed[0][0] > 0, "segment 1 deleted");
        s.abandon();
        loseUnforcedKeyRecords();

        // failed: "live key record: its value at segment 2 ... is in a missing segment"
        opensWithEachKeyDeletedOrAtItsValue(KEYS);
    }

    /** Deleted (if the deletes were durable before the segment went) or still at its value. */
    private void opensWithEachKeyDeletedOrAtItsValue(int n) throws Exception {
        Shard s = open();
        try {
            for (int i = 0; i < n; i++) {
                byte[] v = s.get(key(i));
                assertTrue(v == null || java.util.Arrays.equals(value(i), v), "key " + i);
            }
        } finally {
            s.close();
        }
    }

    /** One background round (no keys-log rewrite is due): it deletes segment 1, which holds nothing live. */
    private static void oneBackgroundRoundDeletesSegmentOne(Shard s) throws Exception {
        GarbageCollector gc = new GarbageCollector(
                new Shard[] {s},
                OPTIONS.gcGarbageRatio(),
                OPTIONS.gcSpaceTarget(),
                OPTIONS.keysFileSize(),
                OPTIONS.segmentSize(),
                0);
        gc.collect(false);
        assertEquals(1, gc.segmentsReclaimed.get());
    }

    /**
     * A power loss: the key records past the last force (the header's synced length, which the abandon
     * left as it was in memory) are lost.
     */
    private void loseUnforcedKeyRecords() throws Exception {
        Path keysFile = FileNames.keysFile(dir, 1);
        try (FileChannel ch = FileChannel.open(keysFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ch.read(header, 16);
            long durableEnd = header.getLong(0);
            assertTrue(
                    durableEnd >= KeysFile.HEADER_SIZE && durableEnd <= Files.size(keysFile),
                    "synced length " + durableEnd);
            ch.write(ByteBuffer.allocate((int) (Files.size(keysFile) - durableEnd)), durableEnd);
        }
    }
}
