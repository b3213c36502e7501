package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Store#apply}: a {@link WriteBatch} across shards, all or nothing, for readers and across reopen. */
class AtomicBatchTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T0);

    private StoreOptions options() {
        return StoreModelTest.smallFiles()
                .shards(4)
                .clock(clock)
                .activeExpiry(false)
                .autoCompaction(false);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Keys named {@code prefix + i} until they cover every shard of {@code s}. */
    private static byte[][] keysInEveryShard(Store s, String prefix, int n) {
        byte[][] keys = new byte[n][];
        Set<Object> shards = new HashSet<>();
        for (int i = 0; i < n; i++) {
            keys[i] = b(prefix + i);
            shards.add(s.shardOf(keys[i]));
        }
        assertEquals(s.options().shards(), shards.size(), "the keys cover every shard");
        return keys;
    }

    @Test
    void aBatchPutsDeletesAndChangesExpiriesInSeveralShards() throws IOException {
        try (Store s = Store.open(dir, options())) {
            byte[][] k = keysInEveryShard(s, "k", 16);
            s.put(k[0], b("old0"));
            s.put(k[1], b("old1"), T0 + 10_000);
            s.put(k[2], b("old2"), T0 + 10_000);
            WriteBatch batch = new WriteBatch()
                    .put(k[3], b("new3"))
                    .delete(k[0])
                    .persist(k[1])
                    .expireAt(k[2], T0 + 50_000)
                    .put(k[4], b("new4"), T0 + 5_000)
                    .delete(k[5])
                    .expireAt(k[6], T0 + 1);
            for (int i = 7; i < 16; i++) {
                batch.put(k[i], b("v" + i));
            }
            s.apply(batch);
            assertNull(s.get(k[0]));
            assertEquals("old1", s(s.get(k[1])));
            assertEquals(Store.NO_EXPIRY, s.expiry(k[1]));
            assertEquals(T0 + 50_000, s.expiry(k[2]));
            assertEquals("new3", s(s.get(k[3])));
            assertEquals(T0 + 5_000, s.expiry(k[4]));
            assertNull(s.get(k[5]));
            assertNull(s.get(k[6]), "expiring an absent key creates nothing");
            assertEquals(13, s.size()); // k1, k2, k3, k4 and k7..k15
        }
        try (Store s = Store.open(dir, options())) {
            byte[][] k = keysInEveryShard(s, "k", 16);
            assertNull(s.get(k[0]));
            assertEquals(Store.NO_EXPIRY, s.expiry(k[1]));
            assertEquals(T0 + 50_000, s.expiry(k[2]));
            assertEquals("new3", s(s.get(k[3])));
            assertEquals(T0 + 5_000, s.expiry(k[4]));
            for (int i = 7; i < 16; i++) {
                assertEquals("v" + i, s(s.get(k[i])), "after reopen: key " + i);
            }
            assertEquals(13, s.size()); // k1, k2, k3, k4 and k7..k15
        }
    }

    @Test
    void laterChangesOfAKeyInABatchSeeTheEarlierOnes() throws IOException {
        try (Store s = Store.open(dir, options())) {
            s.put(b("kept"), b("v"), T0 + 1000);
            s.apply(new WriteBatch()
                    .put(b("a"), b("1"))
                    .expireAt(b("a"), T0 + 700)
                    .put(b("b"), b("1"))
                    .delete(b("b"))
                    .put(b("b"), b("2"))
                    .put(b("kept"), b("w"), Store.KEEP_EXPIRY)
                    .put(b("gone"), b("x"))
                    .expireAt(b("gone"), T0 - 1));
            assertEquals("1", s(s.get(b("a"))));
            assertEquals(T0 + 700, s.expiry(b("a")));
            assertEquals("2", s(s.get(b("b"))));
            assertEquals("w", s(s.get(b("kept"))));
            assertEquals(T0 + 1000, s.expiry(b("kept")), "KEEP_EXPIRY keeps the expiry the key had");
            assertNull(s.get(b("gone")));
            s.abandon(); // as a kill -9 leaves it
        }
        try (Store s = Store.open(dir, options())) {
            assertEquals(T0 + 700, s.expiry(b("a")));
            assertEquals("2", s(s.get(b("b"))));
            assertEquals("w", s(s.get(b("kept"))));
            assertNull(s.get(b("gone")));
            clock.advance(800);
            assertNull(s.get(b("a")), "the batch's expiry passes as any other");
        }
    }

    @Test
    void aBatchChangesTheVersionOfEachKeyItChanges() throws IOException {
        try (Store s = Store.open(dir, options())) {
            s.put(b("x"), b("1"));
            long x = s.version(b("x"));
            long y = s.version(b("y"));
            s.apply(new WriteBatch().put(b("x"), b("2")).delete(b("y")).put(b("y"), b("3")));
            assertNotEquals(x, s.version(b("x")));
            assertNotEquals(y, s.version(b("y")));
        }
    }

    @Test
    void aBatchThatChangesNothingWritesNothing() throws IOException {
        try (Store s = Store.open(dir, options())) {
            s.apply(new WriteBatch());
            s.apply(new WriteBatch().delete(b("absent")).persist(b("absent")).expireAt(b("absent"), T0 + 5));
            assertEquals(FileNamesSize.HEADER, FileNamesSize.commitFileSize(dir), "no commit record");
        }
    }

    @Test
    void aBatchTooLargeForOneRecordPerShardIsRefusedAndWritesNothing() throws IOException {
        try (Store s = Store.open(dir, options().maxKeySize(4000))) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 100; i++) {
                batch.put(b(i + "-".repeat(3000)), b("v"));
            }
            assertThrows(IllegalArgumentException.class, () -> s.apply(batch));
            assertEquals(0, s.size());
            s.put(b("still"), b("writable"));
            assertEquals("writable", s(s.get(b("still"))));
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() throws IOException {
        try (Store s = Store.open(dir, options())) {
            assertThrows(IllegalArgumentException.class, () -> new WriteBatch().put(b("k"), b("v"), 0));
            assertThrows(NullPointerException.class, () -> new WriteBatch().delete(null));
            WriteBatch tooBig = new WriteBatch().put(b("ok"), b("v")).put(b("big"), new byte[9000]);
            assertThrows(IllegalArgumentException.class, () -> s.apply(tooBig));
            assertNull(s.get(b("ok")));
        }
    }

    @Test
    void theBatchCopiesItsKeysAndValues() throws IOException {
        try (Store s = Store.open(dir, options())) {
            byte[] key = b("key");
            byte[] value = b("value");
            WriteBatch batch = new WriteBatch().put(key, value);
            key[0] = 'X';
            value[0] = 'X';
            s.apply(batch);
            assertEquals("value", s(s.get(b("key"))));
        }
    }

    @Test
    void aBatchWhoseCommitRecordIsLostIsAbsentWholeAndItsIdIsNeverReused() throws IOException {
        try (Store s = Store.open(dir, options())) {
            byte[][] k = keysInEveryShard(s, "k", 16);
            s.put(k[0], b("before"));
            WriteBatch batch = new WriteBatch().delete(k[0]);
            for (int i = 1; i < 16; i++) {
                batch.put(k[i], b("lost"));
            }
            s.apply(batch);
            s.abandon();
        }
        long size = FileNamesSize.commitFileSize(dir);
        FileNamesSize.truncateCommits(dir, size - 12); // as if the crash came before the commit record
        try (Store s = Store.open(dir, options())) {
            byte[][] k = keysInEveryShard(s, "k", 16);
            assertEquals("before", s(s.get(k[0])));
            for (int i = 1; i < 16; i++) {
                assertNull(s.get(k[i]), "key " + i);
            }
            WriteBatch next = new WriteBatch();
            for (int i = 1; i < 16; i += 2) {
                next.put(k[i], b("next"));
            }
            s.apply(next);
        }
        for (int round = 0; round < 2; round++) {
            try (Store s = Store.open(dir, options())) {
                byte[][] k = keysInEveryShard(s, "k", 16);
                assertEquals("before", s(s.get(k[0])));
                for (int i = 1; i < 16; i++) {
                    assertEquals(i % 2 == 1 ? "next" : null, s(s.get(k[i])), "round " + round + " key " + i);
                }
                s.compact(); // a keys-log rewrite keeps the committed batch and drops the lost one
            }
        }
    }

    @Test
    void aCommittedBatchSurvivesKeysLogRewritesAndGarbageCollection() throws IOException {
        byte[] big = new byte[3000];
        try (Store s = Store.open(dir, options())) {
            byte[][] k = keysInEveryShard(s, "k", 16);
            for (int round = 0; round < 60; round++) {
                WriteBatch batch = new WriteBatch();
                for (int i = 0; i < 16; i++) {
                    batch.put(k[i], round == 59 ? b("last" + i) : big);
                }
                s.apply(batch);
            }
            s.compact();
            s.abandon();
        }
        try (Store s = Store.open(dir, options())) {
            byte[][] k = keysInEveryShard(s, "k", 16);
            for (int i = 0; i < 16; i++) {
                assertEquals("last" + i, s(s.get(k[i])));
            }
        }
    }

    /**
     * Readers never see part of a batch: each batch sets a key in every shard to the same counter, so a
     * reader that reads the keys one after another must find each at least the one before it (in the
     * order a batch could have been seen whole), in whichever order it reads them.
     */
    @Test
    void concurrentReadersNeverSeePartOfABatch() throws Exception {
        try (Store s = Store.open(dir, options().syncMode(SyncMode.NEVER))) {
            byte[][] k = keysInEveryShard(s, "k", 16);
            WriteBatch first = new WriteBatch();
            for (byte[] key : k) {
                first.put(key, b("0"));
            }
            s.apply(first);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            Thread[] readers = new Thread[2];
            CountDownLatch reading = new CountDownLatch(readers.length);
            for (int t = 0; t < readers.length; t++) {
                boolean forward = t == 0;
                readers[t] = new Thread(() -> {
                    while (!stop.get() && failure.get() == null) {
                        long seen = -1;
                        for (int j = 0; j < k.length; j++) {
                            long v = Long.parseLong(s(s.get(k[forward ? j : k.length - 1 - j])));
                            if (v < seen) {
                                failure.set("read " + seen + " then " + v + ": part of batch " + seen + " was seen");
                            }
                            seen = v;
                        }
                        reading.countDown();
                    }
                });
                readers[t].start();
            }
            assertTrue(reading.await(1, TimeUnit.MINUTES), "the readers ran");
            for (int n = 1; n <= 400 && failure.get() == null; n++) {
                WriteBatch batch = new WriteBatch();
                for (byte[] key : k) {
                    batch.put(key, b(Long.toString(n)));
                }
                s.apply(batch);
            }
            stop.set(true);
            for (Thread r : readers) {
                r.join();
            }
            assertNull(failure.get());
            for (byte[] key : k) {
                assertEquals("400", s(s.get(key)));
            }
        }
    }

    /** Two keys in different shards, always set together by batches, always read equal by {@link Store#getAll}. */
    @Test
    void getAllSeesEachBatchInAllItsKeysOrNone() throws Exception {
        try (Store s = Store.open(dir, options().syncMode(SyncMode.NEVER))) {
            byte[][] k = keysInEveryShard(s, "k", 16);
            byte[] a = k[0];
            byte[] b = null;
            for (byte[] key : k) {
                if (s.shardOf(key) != s.shardOf(a)) {
                    b = key;
                }
            }
            byte[] other = b;
            s.apply(new WriteBatch().put(a, b("0")).put(other, b("0")));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicReference<Long> reads = new AtomicReference<>(0L);
            CountDownLatch reading = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                long n = 0;
                while (!stop.get() && failure.get() == null) {
                    byte[][] v = s.getAll(a, other);
                    if (!s(v[0]).equals(s(v[1]))) {
                        failure.set("read " + s(v[0]) + " and " + s(v[1]));
                    }
                    n++;
                    reading.countDown();
                }
                reads.set(n);
            });
            reader.start();
            // the batches start once the reader reads, so the two overlap even on a host too busy to run both at once
            assertTrue(reading.await(1, TimeUnit.MINUTES), "the reader ran");
            for (int n = 1; n <= 500 && failure.get() == null; n++) {
                s.apply(new WriteBatch().put(a, b(Long.toString(n))).put(other, b(Long.toString(n))));
            }
            stop.set(true);
            reader.join();
            assertNull(failure.get());
            assertTrue(reads.get() > 0);
            assertArrayEquals(new byte[][] {b("500"), b("500"), null}, s.getAll(a, other, b("absent")));
        }
    }

    @Test
    void concurrentBatchesOnOverlappingShardsDoNotDeadlockAndAllLand() throws Exception {
        try (Store s = Store.open(dir, options().syncMode(SyncMode.NEVER))) {
            byte[][] k = keysInEveryShard(s, "k", 16);
            Thread[] writers = new Thread[3];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < writers.length; t++) {
                int id = t;
                writers[t] = new Thread(() -> {
                    try {
                        for (int n = 0; n < 100; n++) {
                            WriteBatch batch = new WriteBatch();
                            for (int i = 0; i < k.length; i++) {
                                // each writer lists every key, in another order (an odd step covers all 16)
                                batch.put(k[(i * (2 * id + 1) + id) % k.length], b(id + ":" + n));
                            }
                            batch.put(b("w" + id + ":" + n), b("x"));
                            s.apply(batch);
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                writers[t].start();
            }
            for (Thread w : writers) {
                w.join();
            }
            assertNull(failure.get());
            String last = s(s.get(k[0]));
            for (byte[] key : k) {
                assertEquals(last, s(s.get(key)), "every key holds the last batch's value");
            }
            assertEquals(16 + 300, s.size());
        }
    }

    /** The commit file, read and cut as a crash would leave it. */
    static final class FileNamesSize {
        static final long HEADER = 16;

        static long commitFileSize(Path store) throws IOException {
            return java.nio.file.Files.size(FileNames.batchCommits(store));
        }

        static void truncateCommits(Path store, long size) throws IOException {
            try (FileChannel c = FileChannel.open(FileNames.batchCommits(store), StandardOpenOption.WRITE)) {
                c.truncate(size);
            }
        }
    }

    @Test
    void theRepairCopiesCommittedBatchesAndLeavesOutOthers() throws IOException {
        Path store = dir.resolve("store");
        try (Store s = Store.open(store, options())) {
            s.put(b("plain"), b("p"));
            s.apply(new WriteBatch()
                    .put(b("kept-a"), b("1"))
                    .put(b("kept-b"), b("2"), T0 + 60_000)
                    .delete(b("plain")));
            s.apply(new WriteBatch().put(b("lost-a"), b("3")).put(b("lost-b"), b("4")));
            s.abandon();
        }
        FileNamesSize.truncateCommits(store, FileNamesSize.commitFileSize(store) - 12); // the second never committed
        StoreRepair.repair(store, dir.resolve("repaired"), options());
        try (Store s = Store.open(dir.resolve("repaired"), options())) {
            assertEquals("1", s(s.get(b("kept-a"))));
            assertEquals("2", s(s.get(b("kept-b"))));
            assertEquals(T0 + 60_000, s.expiry(b("kept-b")));
            assertNull(s.get(b("plain")), "the batch's delete");
            assertNull(s.get(b("lost-a")));
            assertNull(s.get(b("lost-b")));
            assertEquals(2, s.size());
        }
    }

    @Test
    void aMissingCommitFileFailsTheOpen() throws IOException {
        try (Store s = Store.open(dir, options())) {
            s.apply(new WriteBatch().put(b("a"), b("1")));
        }
        java.nio.file.Files.delete(FileNames.batchCommits(dir));
        assertThrows(CorruptionException.class, () -> Store.open(dir, options()));
    }

    @Test
    void aValueOfABatchReadsBackWhole() throws IOException {
        byte[] value = new byte[7000];
        new java.util.Random(7).nextBytes(value);
        try (Store s = Store.open(dir, options())) {
            s.apply(new WriteBatch().put(b("big"), value).put(b("small"), b("s")));
            assertArrayEquals(value, s.get(b("big")));
        }
    }
}
