package io.toykv.core;

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
 * An open that aborts one atomic batch (a part lost) leaves the other batches it applied needing a
 * settle before a keys-log rewrite drops their parts: otherwise a later open, looking for parts the
 * rewrite folded into plain records, aborts a whole batch in the shards it still finds parts in.
 */
class RewriteAfterAbortStillSettlesTest {
    private static final int KEYS = 24;
    private static final byte[] AFTER = "after".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private static StoreOptions options() {
        return TornBatchTest.options();
    }

    private static byte[] key(int i) {
        return TornBatchTest.key(i);
    }

    @Test
    void aRewriteAfterAnAbortAtOpenKeepsTheWholeBatchesWhole() throws IOException {
        try (Store s = Store.open(dir, options())) {
            WriteBatch whole = new WriteBatch(); // batch 1: every shard
            for (int i = 0; i < KEYS; i++) {
                whole.put(key(i), AFTER);
            }
            s.apply(whole);
            WriteBatch torn = new WriteBatch(); // batch 2: loses its part in one shard below
            torn.put(key(100), AFTER);
            torn.put(key(101), AFTER);
            s.apply(torn);
            s.abandon();
        }
        // A power loss after a kill -9 that kept everything but batch 2's part in one shard (nothing was
        // forced: NEVER mode).
        boolean lost = false;
        for (int shard = 0; shard < 3 && !lost; shard++) {
            Path last = TornBatchTest.lastKeysFile(FileNames.shardDir(dir, shard));
            int at = TornBatchTest.lastAtomicPart(last);
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(last)).order(ByteOrder.LITTLE_ENDIAN);
            if (at >= 0 && b.getLong(at + 11) == 2) { // the part's batch id
                TornBatchTest.zeroFrom(last, at);
                lost = true;
            }
        }
        assertTrue(lost, "batch 2 wrote a part in some shard");
        try (Store s = Store.open(dir, options())) { // aborts batch 2, applies batch 1
            assertEquals(KEYS, present(s));
            // A rewrite of one shard's keys log folds batch 1's part there into plain records; the
            // other shards keep theirs. Then a kill -9: nothing settles batch 1 on the way out.
            s.shardOf(key(0)).compactKeysLog();
            s.abandon();
        }
        try (Store s = Store.open(dir, options())) {
            assertEquals(KEYS, present(s), "batch 1 whole after a rewrite of one shard and a reopen");
        }
    }

    /** How many of batch 1's keys hold its value (each holds it or nothing). */
    private static int present(Store s) {
        int n = 0;
        for (int i = 0; i < KEYS; i++) {
            byte[] v = s.get(key(i));
            if (v != null) {
                assertEquals("after", new String(v, StandardCharsets.US_ASCII));
                n++;
            }
        }
        return n;
    }
}
