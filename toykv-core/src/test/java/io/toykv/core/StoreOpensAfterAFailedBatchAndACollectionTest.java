package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toykv.core.engine.Shard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that closed cleanly opens. An {@link Store#apply} whose commit record cannot be appended
 * leaves its parts without a commit record; if the store went on, later deletes in that shard would leave
 * segments dead, and garbage collection would delete them (its settle covers only committed batches);
 * the next open drops the batch and cuts the shard's keys log at its part, which would bring back the
 * records the deletes superseded, pointing into deleted segments. So the failed batch stops the
 * store's writes and collections until the reopen.
 */
class StoreOpensAfterAFailedBatchAndACollectionTest {
    private static final int SHARDS = 3;
    private static final ShardKeys KEYS = new ShardKeys("gc-", SHARDS);

    @TempDir
    Path dir;

    @Test
    void aStoreWhoseBatchFailedOpensAfterItsCollectionDeletedSegments() throws IOException {
        FullCommitFile io = new FullCommitFile(dir);
        StoreOptions options = TornBatchTest.options().shards(SHARDS);
        byte[] kept = KEYS.keyIn(0, 0);
        List<byte[]> fillers = new ArrayList<>();
        Store s = Store.open(dir, options.copy().fileIo(io));
        {
            Shard x = s.shardOf(kept);
            s.put(kept, "kept".getBytes());
            long head = x.headSegmentId();
            for (int i = 1000; x.headSegmentId() < head + 3; i++) {
                if (KEYS.shard(KEYS.key(i)) == 0) {
                    s.put(KEYS.key(i), new byte[7000]);
                    fillers.add(KEYS.key(i));
                }
            }
            s.sync();
            io.failing.set(true);
            assertThrows(
                    UncheckedIOException.class,
                    () -> s.apply(new WriteBatch()
                            .put(KEYS.keyIn(0, 500), "1".getBytes())
                            .put(KEYS.keyIn(1, 500), "2".getBytes())));
            io.failing.set(false); // space is back
            assertThrows(UncheckedIOException.class, () -> s.delete(fillers.get(0)), "writes stop");
            long[] ids = x.sealedSegments().stream()
                    .mapToLong(Shard.SegmentUsage::id)
                    .toArray();
            assertThrows(UncheckedIOException.class, () -> x.dropIfDead(ids), "and so does the collection");
            assertThrows(UncheckedIOException.class, s::close, "closed without forcing");
        }
        try (Store reopened = Store.open(dir, options)) {
            assertEquals(1 + fillers.size(), reopened.size(), "the kept key and every filler");
            for (byte[] f : fillers) {
                reopened.delete(f);
            }
            reopened.sync();
            reopened.compact(); // the collection deletes the segments the deletes left dead
        }
        try (Store reopened = Store.open(dir, options)) {
            assertEquals(1, reopened.size(), "only the kept key is live");
        }
    }
}
