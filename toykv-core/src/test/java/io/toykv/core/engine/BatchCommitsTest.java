package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchCommitsTest {
    @TempDir
    Path dir;

    private void commitThree() throws IOException {
        try (BatchCommits c = BatchCommits.open(dir, true)) {
            c.commit(5);
            c.commit(3);
            c.commit(9);
        }
    }

    @Test
    void commitsSurviveReopenInAnyOrder() throws IOException {
        commitThree();
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            assertTrue(c.committed(3) && c.committed(5) && c.committed(9));
            assertFalse(c.committed(4));
            assertEquals(9, c.maxId());
        }
    }

    @Test
    void aMissingFileIsCreatedOnlyWhenAllowed() throws IOException {
        assertThrows(CorruptionException.class, () -> BatchCommits.open(dir, false));
        try (BatchCommits c = BatchCommits.open(dir, true)) {
            assertEquals(0, c.maxId());
        }
        assertEquals(BatchCommits.HEADER_SIZE, Files.size(FileNames.batchCommits(dir)));
    }

    @Test
    void aTornLastRecordIsIgnoredAtEveryLengthAndTheNextCommitOverwritesIt() throws IOException {
        commitThree();
        Path file = FileNames.batchCommits(dir);
        byte[] whole = Files.readAllBytes(file);
        for (int cut = 1; cut <= BatchCommits.RECORD_SIZE; cut++) {
            Files.write(file, Arrays.copyOf(whole, whole.length - cut));
            try (BatchCommits c = BatchCommits.open(dir, false)) {
                assertFalse(c.committed(9), "cut " + cut);
                assertTrue(c.committed(5) && c.committed(3), "cut " + cut);
                c.commit(11);
            }
            assertEquals(whole.length, Files.size(file), "the next commit takes the torn record's place");
            try (BatchCommits c = BatchCommits.open(dir, false)) {
                assertTrue(c.committed(11) && c.committed(5) && c.committed(3), "cut " + cut);
                assertFalse(c.committed(9), "cut " + cut);
            }
        }
    }

    @Test
    void aDamagedRecordEndsTheRecordsAndIsCutOffWithAllAfterIt() throws IOException {
        commitThree();
        Path file = FileNames.batchCommits(dir);
        byte[] bytes = Files.readAllBytes(file);
        bytes[BatchCommits.HEADER_SIZE + BatchCommits.RECORD_SIZE + 2] ^= 1; // the second record
        Files.write(file, bytes);
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            assertTrue(c.committed(5));
            assertFalse(c.committed(3) || c.committed(9), "unforced pages may survive out of order");
        }
        assertEquals(BatchCommits.HEADER_SIZE + BatchCommits.RECORD_SIZE, Files.size(file));
    }

    /** A version 1 file: 12-byte records of an id and its checksum. */
    private static byte[] version1(long... ids) {
        ByteBuffer b =
                ByteBuffer.allocate(BatchCommits.HEADER_SIZE + ids.length * 12).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(BatchCommits.MAGIC).putInt(1).putInt(0).putInt(crc(b.array(), 0, 12));
        for (long id : ids) {
            int at = b.position();
            b.putLong(id).putInt(crc(b.array(), at, 8));
        }
        return b.array();
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    @Test
    void aVersion1FileIsRewrittenAsVersion2WithNothingToCheck() throws IOException {
        Path file = FileNames.batchCommits(dir);
        Files.write(file, version1(4, 2, 7));
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            assertArrayEquals(new long[] {2, 4, 7}, c.ids());
            assertArrayEquals(new long[0], c.incomplete(List.of()), "version 1 batches forced their parts");
            c.commit(8, 2, false);
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(BatchCommits.VERSION, b.getInt(4));
        assertEquals(BatchCommits.HEADER_SIZE + 4 * BatchCommits.RECORD_SIZE, b.capacity());
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            assertArrayEquals(new long[] {2, 4, 7, 8}, c.ids());
            assertArrayEquals(new long[] {8}, c.incomplete(List.of(new long[] {8, 2})));
            assertArrayEquals(new long[0], c.incomplete(List.of(new long[] {8}, new long[] {8})));
        }
    }

    @Test
    void aDamagedVersion1RecordBeforeTheLastIsCorruption() throws IOException {
        byte[] bytes = version1(4, 2, 7);
        bytes[BatchCommits.HEADER_SIZE + 2] ^= 1;
        Files.write(FileNames.batchCommits(dir), bytes);
        assertThrows(CorruptionException.class, () -> BatchCommits.open(dir, false));
    }

    @Test
    void aBatchMissingAPartIsIncompleteAndStaysAbortedOnceAborted() throws IOException {
        try (BatchCommits c = BatchCommits.open(dir, true)) {
            c.commit(1, 3, false);
            c.commit(2, 1, false);
            c.commit(3); // forced: nothing to check
        }
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            List<long[]> found = List.of(new long[] {1}, new long[] {1, 2}, new long[0]);
            assertArrayEquals(new long[] {1}, c.incomplete(found), "two of batch 1's three parts");
            assertArrayEquals(new long[] {1, 2}, c.incomplete(List.of()), "no part found (3 is not checked)");
            c.abort(new long[] {1});
            assertFalse(c.committed(1));
            assertTrue(c.committed(2) && c.committed(3));
            c.settle(() -> {});
        }
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            assertFalse(c.committed(1), "an abort is durable, and a settle mark does not undo it");
            assertEquals(3, c.maxId());
            assertArrayEquals(new long[] {2, 3}, c.ids());
        }
    }

    @Test
    void aSettleMarkCoversOnlyTheCommitsBeforeItsShardSyncs() throws IOException {
        try (BatchCommits c = BatchCommits.open(dir, true)) {
            c.commit(1, 2, false);
            int[] synced = {0};
            c.settle(() -> {
                synced[0]++;
                c.commit(2, 2, false); // lands while the shards sync: not covered
            });
            assertEquals(1, synced[0]);
            c.commit(3, 1, false);
        }
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            assertArrayEquals(new long[] {2, 3}, c.incomplete(List.of()), "batch 1 is settled");
            int[] synced = {0};
            c.settle(() -> synced[0]++); // commits from before the open are unsettled too
            c.settle(() -> synced[0]++);
            assertEquals(1, synced[0], "a second settle finds nothing to settle");
        }
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            assertArrayEquals(new long[0], c.incomplete(List.of()));
            c.settle(() -> {
                throw new AssertionError("every commit is settled");
            });
        }
    }

    @Test
    void anAbortLeavesTheOtherUnsettledCommitsToSettle() throws IOException {
        try (BatchCommits c = BatchCommits.open(dir, true)) {
            c.commit(1, 2, false);
            c.commit(2, 2, false);
        }
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            c.abort(new long[] {2});
            int[] synced = {0};
            c.settle(() -> synced[0]++);
            assertEquals(1, synced[0], "batch 1 is still unsettled after the abort of batch 2");
            assertTrue(c.isSettled(0));
        }
    }

    @Test
    void aSettleDuringAnotherSettlesSyncDoesNotReturnBeforeItsCommitsAreDurable() throws Exception {
        try (BatchCommits c = BatchCommits.open(dir, true)) {
            c.commit(1, 2, false);
            CountDownLatch syncing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread first = new Thread(() -> {
                try {
                    c.settle(() -> {
                        syncing.countDown();
                        try {
                            release.await(); // the first settle's shard syncs, held back
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            first.start();
            syncing.await();
            // The first settle has not synced the shards yet: the second may return only once batch 1
            // is durable, so it syncs them itself (or would wait for the first).
            int[] synced = {0};
            c.settle(() -> synced[0]++);
            assertEquals(1, synced[0], "the second settle synced the shards");
            assertTrue(c.isSettled(0));
            release.countDown();
            first.join();
        }
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            assertArrayEquals(new long[0], c.incomplete(List.of()), "batch 1 is settled");
        }
    }

    @Test
    void aDamagedHeaderIsCorruption() throws IOException {
        commitThree();
        Path file = FileNames.batchCommits(dir);
        byte[] whole = Files.readAllBytes(file);
        for (int at : new int[] {0, 4, 8, 12}) {
            byte[] bad = whole.clone();
            bad[at] ^= 1;
            Files.write(file, bad);
            assertThrows(CorruptionException.class, () -> BatchCommits.open(dir, false), "byte " + at);
        }
        Files.write(file, Arrays.copyOf(whole, 7));
        assertThrows(CorruptionException.class, () -> BatchCommits.open(dir, false), "short header");
    }
}
