package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toykv.core.engine.ShardRouter;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An {@link Store#apply} that fails with an {@link Error} after writing its parts and before its
 * commit record (here the commit record's write: a heap buffer written to a channel takes a temporary
 * direct buffer, whose allocation fails with {@code OutOfMemoryError: Direct buffer memory} when the
 * direct memory is used up) leaves parts without a commit record, as a failing {@link IOException}
 * does. The next open drops the batch and cuts its shards' keys logs at its parts. So either the store
 * refuses every later write until that reopen, or a write it acknowledges as synced survives the reopen.
 */
class ASyncedWriteAfterABatchThatFailedWithAnErrorSurvivesTest {
    private static final int SHARDS = 3;

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return ("err-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] keyIn(int s, int from) {
        for (int i = from; ; i++) {
            if (ShardRouter.shardOf(key(i), SHARDS) == s) {
                return key(i);
            }
        }
    }

    /**
     * In every sync mode: in {@code ALWAYS} the put is journaled, and the clean close checkpoints the
     * journal, so the cut removes a record the journal no longer holds.
     */
    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void aWriteSyncedAfterTheFailedBatchIsKeptOrRefused(SyncMode mode) throws IOException {
        AtomicBoolean failCommit = new AtomicBoolean();
        Path commitsFile = FileNames.batchCommits(dir).toAbsolutePath().normalize();
        ForwardingFileIo io = new ForwardingFileIo() {
            @Override
            public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
                if (path.toAbsolutePath().normalize().equals(commitsFile) && failCommit.getAndSet(false)) {
                    throw new OutOfMemoryError("Direct buffer memory");
                }
                return super.write(ch, path, src, position);
            }
        };
        StoreOptions options =
                TornBatchTest.options().shards(SHARDS).syncMode(mode).fileIo(io);
        byte[] a = keyIn(0, 0);
        byte[] b = keyIn(1, 0);
        byte[] later = keyIn(0, 1000);
        byte[] value = "acknowledged".getBytes(StandardCharsets.US_ASCII);
        boolean acknowledged = false;
        try (Store s = Store.open(dir, options)) {
            failCommit.set(true);
            assertThrows(
                    OutOfMemoryError.class,
                    () -> s.apply(new WriteBatch().put(a, "1".getBytes()).put(b, "2".getBytes())));
            try {
                s.put(later, value);
                s.sync(); // acknowledged durable
                acknowledged = true;
            } catch (RuntimeException refused) {
                // refused until a reopen, as after a batch that failed with an IOException
            }
        } catch (RuntimeException closeRefused) {
            // closed without forcing, as after a failed force
        }
        try (Store s = Store.open(dir, options)) {
            assertNull(s.get(a), "the batch without a commit record is dropped");
            assertNull(s.get(b), "the batch without a commit record is dropped");
            if (acknowledged) {
                assertArrayEquals(value, s.get(later), "a put synced after the failed batch is kept");
            }
        }
    }
}
