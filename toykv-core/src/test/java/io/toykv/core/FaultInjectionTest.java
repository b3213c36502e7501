package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.ForceFailedException;
import io.toykv.core.io.Mappings;
import io.toykv.core.log.DirectIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, played by seams that fail the Nth file allocation or the Nth chunk write: the failing
 * put throws, nothing acknowledged is lost, and the store works again once space is back.
 */
class FaultInjectionTest {
    @TempDir
    Path dir;

    /** Fails allocations from the Nth on while {@link #full} is set. */
    static final class FullDiskAllocator extends FileAllocator {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicBoolean full = new AtomicBoolean();
        final int failFrom;

        FullDiskAllocator(int failFrom) {
            this.failFrom = failFrom;
        }

        @Override
        public void allocate(Path file, long size) throws IOException {
            if (calls.incrementAndGet() >= failFrom && full.get()) {
                throw new IOException(file + ": cannot allocate " + size + " bytes: No space left on device");
            }
            super.allocate(file, size);
        }

        @Override
        public void createSparse(Path file, long size) throws IOException {
            if (calls.incrementAndGet() >= failFrom && full.get()) {
                throw new IOException(file + ": cannot create: No space left on device");
            }
            super.createSparse(file, size);
        }
    }

    @Test
    void fullDiskAtAllocationFailsThePutAndTheStoreRecoversWhenSpaceIsBack() throws Exception {
        FullDiskAllocator allocator = new FullDiskAllocator(8);
        StoreOptions options = StoreModelTest.smallFiles().shards(1);
        Map<String, byte[]> acked = new HashMap<>();
        int failures = 0;
        try (Store s = Store.open(dir, options, allocator, new DirectIo(true))) {
            allocator.full.set(true);
            Random r = new Random(5);
            for (int i = 0; i < 3000; i++) {
                byte[] v = new byte[r.nextInt(2000)];
                r.nextBytes(v);
                String k = "key" + r.nextInt(500);
                try {
                    s.put(k.getBytes(), v);
                    acked.put(k, v);
                } catch (UncheckedIOException e) {
                    failures++;
                    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
                }
                if (i == 2000) {
                    allocator.full.set(false); // space is back
                }
            }
            assertTrue(failures > 0, "the disk never filled up");
            for (Map.Entry<String, byte[]> e : acked.entrySet()) {
                assertArrayEquals(e.getValue(), s.get(e.getKey().getBytes()));
            }
            s.put("after".getBytes(), new byte[10]);
        }
        try (Store s = Store.open(dir, options)) {
            for (Map.Entry<String, byte[]> e : acked.entrySet()) {
                assertArrayEquals(e.getValue(), s.get(e.getKey().getBytes()), e.getKey());
            }
            assertEquals(acked.size() + 1, s.size());
        }
    }

    /** A DirectIo whose channels fail every write while {@link #failing} is set, and hold every write up while {@link #gate} is closed. */
    static final class FailingWrites extends DirectIo {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicBoolean failing = new AtomicBoolean();
        /** Fails every force (fdatasync) of a segment's write channel while set, as an EIO from the device. */
        final AtomicBoolean failingForce = new AtomicBoolean();
        /** Forces of a segment's write channel left to fail once each; later ones work again (the fsyncgate case). */
        final AtomicInteger forcesToFail = new AtomicInteger();
        /** Thrown by every write while set: an Error such as an OutOfMemoryError. */
        volatile Error error;

        volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);
        final boolean refuseDirect;

        FailingWrites(boolean refuseDirect) {
            super(true);
            this.refuseDirect = refuseDirect;
        }

        @Override
        protected FileChannel openDirect(Path path) throws IOException {
            if (refuseDirect) {
                throw new IOException(path + ": Invalid argument");
            }
            return super.openDirect(path);
        }

        @Override
        public FileChannel openForWrite(Path path) throws IOException {
            return new FaultyChannel(super.openForWrite(path), this);
        }
    }

    @Test
    void failedChunkWriteFailsThePutAndALaterPutRetriesIt() throws Exception {
        FailingWrites io = new FailingWrites(false);
        StoreOptions options = StoreModelTest.smallFiles().shards(1);
        Map<String, byte[]> acked = new HashMap<>();
        int failures = 0;
        try (Store s = Store.open(dir, options, FileAllocator.DEFAULT, io)) {
            Random r = new Random(9);
            for (int i = 0; i < 2000; i++) {
                io.failing.set(i > 300 && i < 900 && i % 7 != 0);
                byte[] v = new byte[r.nextInt(2000)];
                r.nextBytes(v);
                String k = "key" + r.nextInt(400);
                try {
                    s.put(k.getBytes(), v);
                    acked.put(k, v);
                } catch (UncheckedIOException e) {
                    failures++;
                }
            }
            io.failing.set(false);
            assertTrue(failures > 0, "no write failed");
        }
        try (Store s = Store.open(dir, options)) {
            for (Map.Entry<String, byte[]> e : acked.entrySet()) {
                assertArrayEquals(e.getValue(), s.get(e.getKey().getBytes()), e.getKey());
            }
            assertEquals(acked.size(), s.size());
        }
    }

    /**
     * A full disk under {@link SyncMode#EVERY_SECOND}: the sync thread's chunk write fails, which is
     * counted and kept for the next write, not handed to the fatal hook; once writes succeed again the
     * next sync writes the chunk and everything acknowledged is there after a reopen.
     */
    @Test
    void fullDiskInTheSyncThreadIsCountedAndRetriedNotFatal() throws Exception {
        FailingWrites io = new FailingWrites(false);
        java.util.List<Throwable> fatal = new java.util.concurrent.CopyOnWriteArrayList<>();
        StoreOptions options = oneShard(SyncMode.EVERY_SECOND, fatal::add);
        try (Store s = Store.open(dir, options, FileAllocator.DEFAULT, io)) {
            s.put("a".getBytes(), "1".getBytes());
            io.failing.set(true);
            s.put("b".getBytes(), "2".getBytes()); // acknowledged: in the buffer only
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (s.stats().syncFailures() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            StoreStats failed = s.stats();
            assertTrue(failed.syncFailures() > 0, "no sync failure counted");
            assertFalse(failed.lastSyncOk());
            assertTrue(failed.lastSyncError().contains("No space left on device"), failed.lastSyncError());
            assertEquals("err", failed.toMap().get("sync_last_status"));
            assertEquals(java.util.List.of(), fatal, "a failed write is not fatal");
            assertArrayEquals("2".getBytes(), s.get("b".getBytes()), "reads go on");

            io.failing.set(false);
            try {
                s.put("c".getBytes(), "3".getBytes());
            } catch (UncheckedIOException e) {
                s.put("c".getBytes(), "3".getBytes()); // the first write after got the kept failure
            }
            s.sync();
            deadline = System.nanoTime() + 10_000_000_000L;
            while (!s.stats().lastSyncOk() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(s.stats().lastSyncOk(), "a background sync succeeds again");
            assertEquals(java.util.List.of(), fatal);
            s.abandon(); // as kill -9: only what the syncs made durable counts
        }
        try (Store s = Store.open(dir, options)) {
            assertArrayEquals("1".getBytes(), s.get("a".getBytes()));
            assertArrayEquals("2".getBytes(), s.get("b".getBytes()));
            assertArrayEquals("3".getBytes(), s.get("c".getBytes()));
        }
    }

    /** A failed force (fdatasync) in the sync thread cannot be retried safely: it goes to the fatal hook. */
    @Test
    void failedForceInTheSyncThreadGoesToTheHook() throws Exception {
        FailingWrites io = new FailingWrites(false);
        java.util.List<Throwable> fatal = new java.util.concurrent.CopyOnWriteArrayList<>();
        StoreOptions options = oneShard(SyncMode.EVERY_SECOND, fatal::add);
        try (Store s = Store.open(dir, options, FileAllocator.DEFAULT, io)) {
            io.failingForce.set(true);
            s.put("a".getBytes(), "1".getBytes());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (fatal.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(fatal.isEmpty(), "the hook was not told");
            assertTrue(ForceFailedException.isIn(fatal.get(0)), fatal.get(0).toString());
            assertEquals(0, s.stats().syncFailures());
            io.failingForce.set(false);
            assertThrows(
                    UncheckedIOException.class,
                    () -> s.put("b".getBytes(), "2".getBytes()),
                    "a write after a failed force, though forces work again");
            s.abandon();
        }
    }

    /**
     * A failed force of a segment (the flusher's fdatasync of a full half) fails the write that meets
     * it, and every write after it, though the device works again: a second force may report success for
     * pages the kernel dropped, so only a reopen, which reads what the device holds, may take writes
     * again. Reads go on meanwhile.
     */
    @Test
    void aFailedForceStopsEveryLaterWriteUntilReopen() throws Exception {
        FailingWrites io = new FailingWrites(false);
        java.util.List<Throwable> fatal = new java.util.concurrent.CopyOnWriteArrayList<>();
        StoreOptions options = oneShard(SyncMode.ALWAYS, fatal::add);
        try (Store s = Store.open(dir, options, FileAllocator.DEFAULT, io)) {
            s.put("a".getBytes(), "1".getBytes());
            io.failingForce.set(true);
            UncheckedIOException first = firstFailedPut(s, options);
            assertTrue(first != null && ForceFailedException.isIn(first), String.valueOf(first));
            io.failingForce.set(false);
            UncheckedIOException later =
                    assertThrows(UncheckedIOException.class, () -> s.put("c".getBytes(), "3".getBytes()));
            assertTrue(later.getMessage().contains("close and reopen"), later.getMessage());
            assertThrows(UncheckedIOException.class, () -> s.delete("a".getBytes()));
            assertThrows(UncheckedIOException.class, s::sync);
            assertArrayEquals("1".getBytes(), s.get("a".getBytes()), "reads go on");
            assertEquals(1, fatal.size(), "the handler is told once: " + fatal);
            assertTrue(ForceFailedException.isIn(fatal.get(0)), fatal.get(0).toString());
            s.abandon();
        }
        try (Store s = Store.open(dir, options)) {
            assertArrayEquals("1".getBytes(), s.get("a".getBytes()), "an acknowledged write survives");
            assertNull(s.get("c".getBytes()), "a refused write was never made");
            s.put("c".getBytes(), "3".getBytes());
            assertArrayEquals("3".getBytes(), s.get("c".getBytes()));
        }
    }

    @AfterEach
    void forcesWorkAgain() {
        Mappings.failNextForces(0);
    }

    /** Small files, one shard, {@code mode}; failures the store cannot recover from go to {@code fatal}. */
    private static StoreOptions oneShard(SyncMode mode, java.util.function.Consumer<Throwable> fatal) {
        return StoreModelTest.smallFiles().shards(1).syncMode(mode).onBackgroundFailure(fatal);
    }

    /** Puts values of the largest size until one fails (a half is full and its flush fails); that failure, or null. */
    private static UncheckedIOException firstFailedPut(Store s, StoreOptions options) {
        byte[] value = new byte[options.maxValueSize()];
        for (int i = 0; i < 1000; i++) {
            try {
                s.put(("big" + i).getBytes(), value);
            } catch (UncheckedIOException e) {
                return e;
            }
        }
        return null;
    }

    /** Writes {@code n} keys of {@code size} bytes each under {@code prefix}. */
    private static void fill(Store s, String prefix, int n, int size) {
        for (int i = 0; i < n; i++) {
            s.put((prefix + i).getBytes(), new byte[size]);
        }
    }

    /**
     * A failed msync of a commit (the buffer's or the keys file's mapping, an UncheckedIOException)
     * stops the store as a failed fdatasync does, though the next force would succeed: the handler is
     * told, and the next write is refused.
     */
    @Test
    void aFailedMsyncOfACommitStopsEveryLaterWrite() throws Exception {
        java.util.List<Throwable> fatal = new java.util.concurrent.CopyOnWriteArrayList<>();
        StoreOptions options = oneShard(SyncMode.ALWAYS, fatal::add);
        try (Store s = Store.open(dir, options)) {
            s.put("a".getBytes(), "1".getBytes());
            Mappings.failNextForces(1);
            UncheckedIOException first =
                    assertThrows(UncheckedIOException.class, () -> s.put("b".getBytes(), "2".getBytes()));
            assertTrue(ForceFailedException.isIn(first), first.toString());
            assertEquals(1, fatal.size(), "the handler is told: " + fatal);
            assertThrows(
                    UncheckedIOException.class,
                    () -> s.put("c".getBytes(), "3".getBytes()),
                    "a write after a failed msync, though forces work again");
            assertThrows(UncheckedIOException.class, s::sync);
            assertThrows(UncheckedIOException.class, s::compact);
            assertTrue(s.stats().writesStopped());
            assertEquals(1, s.stats().toMap().get("writes_stopped"));
            assertEquals(1, fatal.size(), "told once: " + fatal);
            s.abandon();
        }
    }

    /**
     * A flusher's failed fdatasync of a full half is not tried again by the writer that collects it,
     * though the retry would succeed: the put that meets it fails, and so does every later one.
     */
    @Test
    void aOneOffFailedForceOfAFlushIsNotRetried() throws Exception {
        FailingWrites io = new FailingWrites(false);
        java.util.List<Throwable> fatal = new java.util.concurrent.CopyOnWriteArrayList<>();
        StoreOptions options = oneShard(SyncMode.NEVER, fatal::add).autoCompaction(false);
        try (Store s = Store.open(dir, options, FileAllocator.DEFAULT, io)) {
            s.put("a".getBytes(), "1".getBytes());
            io.forcesToFail.set(1);
            UncheckedIOException first = firstFailedPut(s, options);
            assertTrue(first != null && ForceFailedException.isIn(first), "the failed force was retried: " + first);
            assertEquals(0, io.forcesToFail.get());
            assertThrows(UncheckedIOException.class, () -> s.put("c".getBytes(), "3".getBytes()));
            assertEquals(1, fatal.size(), "the handler is told once: " + fatal);
            assertArrayEquals("1".getBytes(), s.get("a".getBytes()), "reads go on");
            s.abandon();
        }
        try (Store s = Store.open(dir, options)) {
            assertArrayEquals("1".getBytes(), s.get("a".getBytes()));
            assertNull(s.get("c".getBytes()));
        }
    }

    /**
     * Two puts wait for one group commit of the journal; its force fails (once: forces work again after
     * it). The writer that waited for it must not force again and be acknowledged: the journal records
     * the failure before it wakes the waiters.
     */
    @Test
    void aWriterWaitingForAFailedForceIsNotAcknowledged() throws Exception {
        java.util.concurrent.CountDownLatch forcing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch fail = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        FileIo io = new ForwardingFileIo() {
            @Override
            public void force(java.nio.channels.FileChannel ch, Path path, boolean metaData) throws IOException {
                if (path.getFileName().toString().equals("journal.log") && armed.compareAndSet(true, false)) {
                    forcing.countDown();
                    try {
                        fail.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("Input/output error (injected)");
                }
                super.force(ch, path, metaData);
            }
        };
        StoreOptions options = oneShard(SyncMode.ALWAYS, t -> {}).fileIo(io);
        try (Store s = Store.open(dir, options)) {
            s.put("a".getBytes(), "1".getBytes());
            java.util.List<Throwable> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread[] writers = new Thread[2];
            armed.set(true);
            for (int i = 0; i < writers.length; i++) {
                byte[] key = ("w" + i).getBytes();
                writers[i] = new Thread(() -> {
                    try {
                        s.put(key, "v".getBytes());
                        outcomes.add(new AssertionError("acknowledged"));
                    } catch (RuntimeException e) {
                        outcomes.add(e);
                    }
                });
                writers[i].start();
                if (i == 0) {
                    forcing.await(); // the first leads the round, and blocks in its force
                }
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (writers[1].getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(Thread.State.WAITING, writers[1].getState(), "the second writer waits for the round");
            fail.countDown();
            for (Thread t : writers) {
                t.join(10_000);
            }
            assertEquals(2, outcomes.size(), outcomes.toString());
            for (Throwable t : outcomes) {
                assertTrue(t instanceof UncheckedIOException && ForceFailedException.isIn(t), String.valueOf(t));
            }
            s.abandon();
        }
    }

    /** After a failed force, compaction fails and deletes no segment, though forces work again. */
    @Test
    void compactAfterAFailedForceDeletesNoSegment() throws Exception {
        StoreOptions options = oneShard(SyncMode.ALWAYS, t -> {}).autoCompaction(false);
        Path shardDir;
        java.util.Set<String> before;
        try (Store s = Store.open(dir, options)) {
            fill(s, "k", 200, 4000);
            fill(s, "k", 200, 4000); // the first round is garbage now
            Mappings.failNextForces(1);
            assertThrows(UncheckedIOException.class, () -> s.put("x".getBytes(), "1".getBytes()));
            before = segmentFiles(dir);
            assertTrue(before.size() > 1, before.toString());
            assertThrows(UncheckedIOException.class, s::compact);
            assertEquals(before, segmentFiles(dir));
            s.abandon();
        }
        try (Store s = Store.open(dir, options)) { // no segment a key points at is missing
            for (int i = 0; i < 200; i++) {
                assertEquals(4000, s.get(("k" + i).getBytes()).length);
            }
        }
    }

    private static java.util.Set<String> segmentFiles(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
            return files.map(p -> dir.relativize(p).toString())
                    .filter(n -> n.endsWith(".v"))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
    }

    /**
     * A close after a failed force releases the files without forcing, and says that writes since the
     * last good force may be lost, rather than return as if everything acknowledged were durable.
     */
    @Test
    void closeAfterAFailedForceThrows() throws Exception {
        StoreOptions options =
                StoreModelTest.smallFiles().shards(2).syncMode(SyncMode.ALWAYS).onBackgroundFailure(t -> {});
        Store s = Store.open(dir, options);
        s.put("a".getBytes(), "1".getBytes());
        Mappings.failNextForces(1);
        assertThrows(UncheckedIOException.class, () -> s.put("b".getBytes(), "2".getBytes()));
        UncheckedIOException closing = assertThrows(UncheckedIOException.class, s::close);
        assertTrue(closing.getMessage().contains("may be lost"), closing.getMessage());
        s.close(); // a second close does nothing
        try (Store again = Store.open(dir, options)) {
            assertArrayEquals(
                    "1".getBytes(), again.get("a".getBytes()), "the lock was released; acknowledged data is there");
        }
    }

    /**
     * A full half goes to its segment on the flusher thread: while that write is held up, puts go on
     * into the other half (none waits for the device), and gets find the held-up half's values in the
     * buffer.
     */
    @Test
    void putsGoOnIntoTheOtherHalfWhileAFullOneIsWritten() throws Exception {
        FailingWrites io = new FailingWrites(false);
        StoreOptions options = StoreModelTest.smallFiles().shards(1); // halves of 64 KiB
        int count = 100; // 1008-byte records: the first half fills at the 66th, the second holds the rest
        try (Store s = Store.open(dir, options, FileAllocator.DEFAULT, io)) {
            java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
            io.gate = gate;
            java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                writer.submit(() -> {
                            for (int i = 0; i < count; i++) {
                                s.put(("key" + i).getBytes(), value(i));
                            }
                            return null;
                        })
                        .get(
                                30,
                                java.util.concurrent.TimeUnit
                                        .SECONDS); // a put waiting for the held-up write would time out here
                // The flusher may not have reached the write yet: give it time (it then waits at the gate).
                for (int wait = 0; wait < 1000 && io.writes.get() == 0; wait++) {
                    Thread.sleep(10);
                }
                assertEquals(1, io.writes.get(), "the first half's write is under way, and held up");
                for (int i = 0; i < count; i++) {
                    assertArrayEquals(value(i), s.get(("key" + i).getBytes()), "key" + i);
                }
            } finally {
                gate.countDown(); // also when an assertion failed: the close waits for the write
                writer.shutdown();
            }
        }
        try (Store s = Store.open(dir, options)) {
            for (int i = 0; i < count; i++) {
                assertArrayEquals(value(i), s.get(("key" + i).getBytes()), "key" + i);
            }
        }
    }

    private static byte[] value(int i) {
        byte[] v = new byte[1000];
        new Random(i).nextBytes(v);
        return v;
    }

    /**
     * A half whose write to its segment failed stays in the buffer, and the header names it pending:
     * a crash then (here an abandon) loses none of its values, because the next open writes it again.
     */
    @Test
    void aPendingHalfWhoseWriteFailedIsWrittenByTheNextOpen() throws Exception {
        FailingWrites io = new FailingWrites(false);
        StoreOptions options = StoreModelTest.smallFiles().shards(1);
        Map<Integer, byte[]> acked = new HashMap<>();
        Store s = Store.open(dir, options, FileAllocator.DEFAULT, io);
        io.failing.set(true);
        int failed = -1;
        for (int i = 0; i < 200 && failed < 0; i++) {
            try {
                s.put(("key" + i).getBytes(), value(i));
                acked.put(i, value(i));
            } catch (UncheckedIOException e) {
                failed = i; // the second half is full, and the first could not be written: no room
            }
        }
        assertTrue(failed > 66, "a put failed before the first half was handed over: " + failed);
        for (Map.Entry<Integer, byte[]> e : acked.entrySet()) {
            assertArrayEquals(e.getValue(), s.get(("key" + e.getKey()).getBytes()), "key" + e.getKey());
        }
        Abandon.abandon(s);
        // Nothing of the first half reached its segment; without the write at open, its values would
        // be read from there, and fail their checks.
        try (Store again = Store.open(dir, options)) {
            for (Map.Entry<Integer, byte[]> e : acked.entrySet()) {
                assertArrayEquals(e.getValue(), again.get(("key" + e.getKey()).getBytes()), "key" + e.getKey());
            }
            assertEquals(acked.size(), again.size());
        }
    }

    /**
     * A close whose flush fails (a full disk) says so, and loses nothing: the next open writes what
     * the buffer holds. (That the buffer is forced where it lies before the keys log is, so that a
     * power loss could not leave key records without their values, this cannot see.)
     */
    @Test
    void aCloseWhoseFlushFailsThrowsAndLosesNothing() throws Exception {
        FailingWrites io = new FailingWrites(false);
        StoreOptions options = StoreModelTest.smallFiles().shards(1);
        Store s = Store.open(dir, options, FileAllocator.DEFAULT, io);
        for (int i = 0; i < 100; i++) {
            s.put(("key" + i).getBytes(), value(i));
        }
        io.failing.set(true);
        assertThrows(UncheckedIOException.class, s::close);
        io.failing.set(false);
        try (Store again = Store.open(dir, options)) {
            for (int i = 0; i < 100; i++) {
                assertArrayEquals(value(i), again.get(("key" + i).getBytes()), "key" + i);
            }
            assertEquals(100, again.size());
        }
    }

    /** A put whose thread is interrupted may fail; the store must stay whole and working. */
    @Test
    void interruptingAWriterDoesNotBreakTheStore() throws Exception {
        StoreOptions options = StoreModelTest.smallFiles().shards(1);
        Map<String, byte[]> acked = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        try (Store s = Store.open(dir, options)) {
            Thread writer = new Thread(() -> {
                Random r = new Random(3);
                for (int i = 0; i < 20_000; i++) {
                    String k = "key" + r.nextInt(300);
                    byte[] v = new byte[r.nextInt(1500)];
                    r.nextBytes(v);
                    try {
                        s.put(k.getBytes(), v);
                        acked.put(k, v);
                    } catch (UncheckedIOException e) {
                        if (!(e.getCause() instanceof java.nio.channels.ClosedByInterruptException)) {
                            failure.compareAndSet(null, e);
                            return;
                        }
                        acked.remove(k); // failed: its old value may or may not remain, so stop checking it
                        Thread.interrupted();
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                        return;
                    }
                }
            });
            writer.start();
            while (writer.isAlive()) {
                writer.interrupt(); // lands in chunk writes too: the buffer is 64 KiB
                Thread.sleep(0, 200_000);
            }
            writer.join();
            if (failure.get() != null) {
                throw new AssertionError("a put failed for another reason than its interrupt", failure.get());
            }
            for (int i = 0; i < 2000; i++) {
                s.put(("after" + i).getBytes(), new byte[1000]); // enough to flush: the channel works again
            }
        }
        try (Store s = Store.open(dir, options)) {
            for (Map.Entry<String, byte[]> e : acked.entrySet()) {
                assertArrayEquals(e.getValue(), s.get(e.getKey().getBytes()), e.getKey());
            }
        }
    }

    @Test
    void fileSystemWithoutDirectIoFallsBackToBufferedWrites() throws Exception {
        FailingWrites io = new FailingWrites(true);
        StoreOptions options = StoreModelTest.smallFiles().shards(1);
        try (Store s = Store.open(dir, options, FileAllocator.DEFAULT, io)) {
            for (int i = 0; i < 500; i++) {
                s.put(("k" + i).getBytes(), new byte[i]);
            }
            assertFalse(s.stats().directIo());
        }
        try (Store s = Store.open(dir, options)) {
            for (int i = 0; i < 500; i++) {
                assertEquals(i, s.get(("k" + i).getBytes()).length);
            }
            assertTrue(s.stats().directIo(), "a fresh open on this file system uses O_DIRECT again");
        }
    }

    @Test
    void storeOnTmpfsWorksWithOrWithoutDirectIo() throws Exception {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isWritable(shm), "no /dev/shm");
        Path d = java.nio.file.Files.createTempDirectory(shm, "toykv-test");
        try {
            try (Store s = Store.open(d, StoreModelTest.smallFiles())) {
                for (int i = 0; i < 2000; i++) {
                    s.put(("k" + i).getBytes(), new byte[100]);
                }
            }
            try (Store s = Store.open(d, StoreModelTest.smallFiles())) {
                assertEquals(2000, s.size());
            }
        } finally {
            try (var files = java.nio.file.Files.walk(d)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Delegates to a real channel, failing positional writes while the owner says so. */
    static final class FaultyChannel extends FileChannel {
        private final FileChannel real;
        private final FailingWrites owner;

        FaultyChannel(FileChannel real, FailingWrites owner) {
            this.real = real;
            this.owner = owner;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            owner.writes.incrementAndGet();
            try {
                owner.gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.nio.channels.ClosedByInterruptException();
            }
            Error error = owner.error;
            if (error != null) {
                throw error;
            }
            if (owner.failing.get()) {
                throw new IOException("No space left on device");
            }
            return real.write(src, position);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (owner.failingForce.get() || owner.forcesToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("Input/output error");
            }
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
