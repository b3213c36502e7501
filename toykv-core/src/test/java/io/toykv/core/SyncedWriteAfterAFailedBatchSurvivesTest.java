package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.ShardRouter;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileNames;
import io.toykv.core.log.DirectIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that {@link Store#sync()} acknowledged survives a clean close and reopen, whatever failed
 * before it. An {@link Store#apply} that fails after writing a part in one shard (the commit record's
 * append fails, or the next shard's keys file cannot be allocated) leaves a part without a commit
 * record, and the store goes on taking writes in that shard: the next open drops that part's batch and
 * cuts the shard's keys log at it, taking the acknowledged writes after it.
 */
class SyncedWriteAfterAFailedBatchSurvivesTest {
    private static final int SHARDS = 3;

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return ("fb-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static int shard(byte[] key) {
        return ShardRouter.shardOf(key, SHARDS);
    }

    /** A key of shard {@code s}. */
    private static byte[] keyIn(int s, int from) {
        for (int i = from; ; i++) {
            if (shard(key(i)) == s) {
                return key(i);
            }
        }
    }

    private static StoreOptions options() {
        return TornBatchTest.options().shards(SHARDS).syncMode(SyncMode.NEVER);
    }

    @Test
    void aSyncedPutAfterABatchWhoseCommitRecordFailedSurvivesAReopen() throws IOException {
        AtomicBoolean failCommit = new AtomicBoolean();
        Path commitsFile = FileNames.batchCommits(dir).toAbsolutePath().normalize();
        ForwardingFileIo io = new ForwardingFileIo() {
            @Override
            public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
                if (failCommit.get() && path.toAbsolutePath().normalize().equals(commitsFile)) {
                    throw new IOException(path + ": No space left on device");
                }
                return super.write(ch, path, src, position);
            }
        };
        byte[] a = keyIn(0, 0);
        byte[] b = keyIn(1, 0);
        byte[] later = keyIn(0, 1000);
        byte[] value = "acknowledged".getBytes(StandardCharsets.US_ASCII);
        try (Store s = Store.open(dir, options().fileIo(io))) {
            failCommit.set(true);
            assertThrows(
                    UncheckedIOException.class,
                    () -> s.apply(new WriteBatch().put(a, "1".getBytes()).put(b, "2".getBytes())));
            failCommit.set(false); // space is back
            s.put(later, value);
            s.sync(); // acknowledged durable
        }
        try (Store s = Store.open(dir, options())) {
            assertArrayEquals(value, s.get(later), "a put synced after the failed batch is lost");
        }
    }

    /** Fails the allocation of shard {@code shard}'s keys files while {@link #full} is set. */
    private final class FullShardAllocator extends FileAllocator {
        final AtomicBoolean full = new AtomicBoolean();
        final Path shardDir;

        FullShardAllocator(int shard) {
            this.shardDir = FileNames.shardDir(dir, shard).toAbsolutePath().normalize();
        }

        @Override
        public void allocate(Path file, long size) throws IOException {
            if (full.get() && file.toAbsolutePath().normalize().startsWith(shardDir)) {
                throw new IOException(file + ": No space left on device");
            }
            super.allocate(file, size);
        }

        @Override
        public void createSparse(Path file, long size) throws IOException {
            if (full.get() && file.toAbsolutePath().normalize().startsWith(shardDir)) {
                throw new IOException(file + ": No space left on device");
            }
            super.createSparse(file, size);
        }
    }

    @Test
    void aSyncedPutAfterABatchThatFailedInItsSecondShardSurvivesAReopen() throws IOException {
        FullShardAllocator allocator = new FullShardAllocator(1);
        byte[] later = keyIn(0, 100_000);
        byte[] value = "acknowledged".getBytes(StandardCharsets.US_ASCII);
        boolean failed = false;
        try (Store s = Store.open(dir, options(), allocator, new DirectIo(false))) {
            allocator.full.set(true);
            // Batches over shards 0 and 1 until shard 1 needs a file it cannot get: shard 0's part is
            // written by then (shards are written in order).
            for (int i = 0; i < 100_000 && !failed; i += 2) {
                byte[] a = keyIn(0, i * 10);
                byte[] b = keyIn(1, i * 10);
                try {
                    s.apply(new WriteBatch().put(a, new byte[100]).put(b, new byte[100]));
                } catch (UncheckedIOException e) {
                    assertTrue(e.getMessage().contains("No space left"), e.getMessage());
                    failed = true;
                }
            }
            assertTrue(failed, "shard 1 never needed a new file");
            allocator.full.set(false); // space is back
            s.put(later, value);
            s.sync(); // acknowledged durable
        }
        try (Store s = Store.open(dir, options())) {
            assertArrayEquals(value, s.get(later), "a put synced after the failed batch is lost");
        }
    }
}
