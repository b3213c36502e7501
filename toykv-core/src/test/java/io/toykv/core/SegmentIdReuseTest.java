package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.Shard;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.log.DirectIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment id that garbage collection used and then freed must not be given to a new segment after a
 * restart while the keys log still holds (superseded) records pointing into the old one: replay checks
 * every record that points into the buffer's segment, so a stale record there looked like a value the
 * buffer had lost, and the open failed (found by {@link CrashTest}, about one run in ten).
 */
class SegmentIdReuseTest {
    @TempDir
    Path dir;

    private static final StoreOptions OPTIONS =
            StoreModelTest.smallFiles().shards(1).autoCompaction(false);

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int i, int round) {
        byte[] v = new byte[100];
        java.util.Arrays.fill(v, (byte) (i * 31 + round));
        return v;
    }

    private Shard open() throws Exception {
        return Shard.open(dir, OPTIONS, new DirectIo(OPTIONS.directIo()), FileAllocator.DEFAULT);
    }

    @Test
    void aFreedCollectionSegmentIdIsNotReusedWhileRecordsStillPointIntoIt() throws Exception {
        int n = 3000; // 108-byte records: fills segment 1 (256 KiB), the head rolls to 2
        Shard s = open();
        for (int i = 0; i < n; i++) {
            s.put(key(i), value(i, 0));
        }
        List<Shard.SegmentUsage> sealed = s.sealedSegments();
        assertEquals(1, sealed.size(), sealed.toString());
        assertEquals(1, sealed.get(0).id());
        // Delete all but ten of segment 1's keys (deletes write no values: the head stays 2), collect it
        // into a new segment (3, or 4 when 3 went to the next head, made ahead), then delete those ten
        // too: the new segment is freed, its records stay in the log.
        for (int i = 0; i < 2600; i++) {
            if (i >= 2000 || i % 200 != 0) {
                s.delete(key(i));
            }
        }
        long keptBytes = 0;
        for (int i = 0; i < 2000; i += 200) {
            keptBytes += io.toykv.core.log.ValueRecord.size(100);
        }
        assertEquals(keptBytes, s.liveBytes(1));
        assertEquals(keptBytes, s.evacuate(s.sealedSegments(), OPTIONS.segmentSize(), 256, () -> {}, () -> false));
        assertTrue(s.dropIfDead(1) > 0);
        List<Long> copies =
                s.sealedSegments().stream().map(Shard.SegmentUsage::id).toList();
        assertEquals(1, copies.size(), copies.toString());
        long copy = copies.get(0);
        assertTrue(copy > 2, "the collection's segment took id " + copy);
        for (int i = 0; i < 2000; i += 200) {
            s.delete(key(i));
        }
        assertTrue(s.dropIfDead(copy) > 0, "segment " + copy + " should hold nothing live");
        assertEquals(2, s.headSegmentId());
        s.close();

        // After a restart, write until the head rolls, and crash there.
        s = open();
        long before = s.headSegmentId();
        int i = n;
        while (s.headSegmentId() == before) {
            s.put(key(i), value(i, 1));
            i++;
        }
        assertTrue(s.headSegmentId() > copy, "the new head reused id " + s.headSegmentId());
        s.abandon();

        s = open(); // failed here: a stale record pointing into the freed segment looked lost from the buffer
        try {
            for (int k = 0; k < i; k++) {
                assertArrayEquals(k < 2600 ? null : value(k, k < n ? 0 : 1), s.get(key(k)), "key " + k);
            }
        } finally {
            s.close();
        }
    }
}
