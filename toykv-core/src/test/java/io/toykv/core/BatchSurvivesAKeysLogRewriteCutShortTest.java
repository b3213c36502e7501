package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An applied atomic batch survives a kill -9 (and a clean close). A keys-log rewrite copies the records
 * appended after its mark into its new files as they are, atomic parts with their batch ids. A batch
 * that commits after the rewrite's settle noted what to cover (during the settle's shard syncs) and
 * before the switch is unsettled, and its part is then in the old files and again in the new ones. If
 * the old files are still there at the next open (a kill -9 between the switch and their deletion, or
 * a failed unlink), the replay reads both (the new files' CLEAR resets the cut's list, not the count
 * of committed parts): the batch's part counts twice in one shard, its record's part count does not
 * match, and the open drops the acknowledged batch and cuts the logs at it.
 */
class BatchSurvivesAKeysLogRewriteCutShortTest {
    private static final int SHARDS = 3;
    private static final ShardKeys KEYS = new ShardKeys("rw-", SHARDS);

    @TempDir
    Path root;

    private Path store() {
        return root.resolve("store");
    }

    /** Runs {@link #whenSettling} once, at the first force of a mapping under {@link #settlingShard}. */
    private static final class Hooks extends ForwardingFileIo {
        volatile Path settlingShard;
        volatile Runnable whenSettling;
        volatile Path rewrittenShard;
        /** Run (once) in place of the first delete of an old keys file of {@link #rewrittenShard}. */
        volatile IoStep atOldFileDelete;

        @Override
        public void force(MappedByteBuffer map, Path path, int index, int length) {
            Runnable r = whenSettling;
            if (r != null
                    && settlingShard != null
                    && path.toAbsolutePath().normalize().startsWith(settlingShard)) {
                whenSettling = null;
                r.run();
            }
            super.force(map, path, index, length);
        }

        @Override
        public boolean deleteIfExists(Path file) throws IOException {
            IoStep step = atOldFileDelete;
            if (step != null
                    && rewrittenShard != null
                    && file.toAbsolutePath().normalize().startsWith(rewrittenShard)
                    && FileNames.parseKeysFile(file.getFileName().toString()) > 0) {
                atOldFileDelete = null;
                step.run();
            }
            return super.deleteIfExists(file);
        }
    }

    private interface IoStep {
        void run() throws IOException;
    }

    private final byte[] k = KEYS.keyIn(0, 0);
    private final byte[] j = KEYS.keyIn(1, 0);
    private final byte[] bValue = "batch-b".getBytes(StandardCharsets.US_ASCII);

    /**
     * Rewrites shard 0's keys log while batch B (shards 0 and 1) commits during the rewrite's settle;
     * {@code atOldFileDelete} runs at the first delete of an old keys file.
     */
    private void rewriteWithABatchDuringItsSettle(Hooks io, IoStep atOldFileDelete, boolean deleteFails)
            throws Exception {
        Path dir = store().toAbsolutePath().normalize();
        io.settlingShard = FileNames.shardDir(dir, 1).toAbsolutePath().normalize();
        io.rewrittenShard = FileNames.shardDir(dir, 0).toAbsolutePath().normalize();
        StoreOptions options = TornBatchTest.options().shards(SHARDS).fileIo(io);
        Store s = Store.open(store(), options);
        try {
            for (int i = 0; i < 50; i++) {
                s.put(KEYS.keyIn(0, 1000 + i * 7), new byte[50]);
                s.put(KEYS.keyIn(0, 1000 + i * 7), new byte[60]); // dead records for the rewrite to drop
            }
            s.sync();
            // An unsettled batch, so the rewrite's settle syncs the shards.
            s.apply(new WriteBatch().put(KEYS.keyIn(0, 500), "a".getBytes()).put(KEYS.keyIn(1, 500), "a".getBytes()));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            io.whenSettling = () -> {
                Thread t = new Thread(() -> {
                    try {
                        s.apply(new WriteBatch().put(k, bValue).put(j, bValue));
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            };
            io.atOldFileDelete = () -> {
                atOldFileDelete.run();
                if (deleteFails) {
                    throw new IOException("unlink failed: Input/output error");
                }
            };
            if (deleteFails) {
                assertThrows(Exception.class, () -> s.shardOf(k).compactKeysLog());
            } else {
                s.shardOf(k).compactKeysLog();
            }
            assertTrue(io.whenSettling == null, "the settle synced no shard");
            assertTrue(failure.get() == null, () -> "batch B failed: " + failure.get());
            assertTrue(io.atOldFileDelete == null, "no old keys file was deleted");
            assertArrayEquals(bValue, s.get(k));
        } finally {
            s.close();
        }
    }

    @Test
    void aBatchAppliedDuringARewriteSurvivesAKillBeforeTheOldFilesGo() throws Exception {
        Path killed = root.resolve("killed");
        Hooks io = new Hooks();
        // A kill -9 right before the first old file's unlink: every page is in the files.
        rewriteWithABatchDuringItsSettle(io, () -> TornBatchTest.copyTree(store(), killed), false);
        try (Store s = Store.open(killed, TornBatchTest.options().shards(SHARDS))) {
            assertArrayEquals(bValue, s.get(k), "batch B, applied before the kill, is lost");
            assertArrayEquals(bValue, s.get(j), "batch B, applied before the kill, is lost");
        }
    }

    @Test
    void aBatchAppliedDuringARewriteWhoseUnlinkFailedSurvivesACleanClose() throws Exception {
        Hooks io = new Hooks();
        rewriteWithABatchDuringItsSettle(io, () -> {}, true);
        try (Store s = Store.open(store(), TornBatchTest.options().shards(SHARDS))) {
            assertArrayEquals(bValue, s.get(k), "batch B, applied and closed cleanly, is lost");
            assertArrayEquals(bValue, s.get(j), "batch B, applied and closed cleanly, is lost");
        }
    }
}
