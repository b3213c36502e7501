package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.GarbageCollector;
import io.toykv.core.engine.Shard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectionTest {
    @TempDir
    Path dir;

    private static final int KEYS = 1000;
    private static final int VALUE = 400;

    static StoreOptions tiny() {
        return StoreModelTest.smallFiles().shards(2);
    }

    private static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int k, long version) {
        byte[] v = new byte[VALUE];
        new Random(k * 1_000_003L + version).nextBytes(v);
        return v;
    }

    static long bytesOnDisk(Path dir) throws IOException {
        while (true) {
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(Files::isRegularFile)
                        .mapToLong(p -> p.toFile().length())
                        .sum();
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                    throw e;
                }
                // the background collector deleted a file while it was listed: count again
            }
        }
    }

    /**
     * The fixed part of a store's files plus a generous multiple of the live data: 2 shards of one
     * buffer (two 64 KiB halves), one head segment, up to two 64 KiB keys files, plus live data at most half garbage
     * in sealed segments (rounded up by one segment a shard).
     */
    private static long bound(long liveBytes) {
        long perShard = (4096 + 2 * 64 * 1024) + 256 * 1024 + 2 * 64 * 1024 + 256 * 1024;
        return 2 * perShard + 2 * liveBytes + 256 * 1024;
    }

    @Test
    void manualCompactionKeepsDiskUsageBoundedUnderAnOverwriteLoop() throws IOException {
        long written = 0;
        try (Store s = Store.open(dir, tiny().autoCompaction(false))) {
            for (int round = 0; round < 40; round++) {
                for (int k = 0; k < KEYS; k++) {
                    s.put(key(k), value(k, round));
                    written += VALUE;
                }
                s.compact();
                long onDisk = bytesOnDisk(dir);
                long live = (long) KEYS * VALUE;
                assertTrue(
                        onDisk <= bound(live),
                        "round " + round + ": " + onDisk + " bytes on disk for " + live + " live (bound " + bound(live)
                                + ")");
            }
            StoreStats st = s.stats();
            assertTrue(st.gcSegmentsReclaimed() > 10, st.toString());
            assertTrue(st.gcBytesReclaimed() > written / 2, st.toString());
            assertTrue(st.keysLogCompactions() > 0, st.toString());
            for (int k = 0; k < KEYS; k++) {
                assertArrayEquals(value(k, 39), s.get(key(k)));
            }
        }
        try (Store s = Store.open(dir, tiny())) {
            assertEquals(KEYS, s.size());
            for (int k = 0; k < KEYS; k++) {
                assertArrayEquals(value(k, 39), s.get(key(k)), "after reopen, key " + k);
            }
        }
    }

    @Test
    void backgroundCollectionReclaimsSpaceByItself() throws Exception {
        try (Store s = Store.open(dir, tiny())) {
            for (int round = 0; round < 20; round++) {
                for (int k = 0; k < KEYS; k++) {
                    s.put(key(k), value(k, round));
                }
            }
            long live = (long) KEYS * VALUE;
            long deadline = System.nanoTime() + 120_000_000_000L; // generous: CI machines are shared
            while (bytesOnDisk(dir) > bound(live) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(bytesOnDisk(dir) <= bound(live), "background collection did not catch up: " + s.stats());
            // Reclaimed segments, not finished runs: a run counts when it has been through every shard,
            // which may be just after this thread sees its deletions.
            assertTrue(s.stats().gcSegmentsReclaimed() > 0, s.stats().toString());
            for (int k = 0; k < KEYS; k++) {
                assertArrayEquals(value(k, 19), s.get(key(k)));
            }
        }
    }

    /**
     * The background collectors yield the CPU to writers: their threads run at a lower priority (nice),
     * one a shard up to {@link StoreOptions#gcThreads}.
     */
    @Test
    void theBackgroundCollectorsRunNiced() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isDirectory(Path.of("/proc/self/task")) && io.toykv.core.io.ThreadPriority.supported(),
                "Linux with JNA only");
        // The threads start with the nice value of the one that opens the store, and raise it.
        int expected = Math.min(
                io.toykv.core.io.ThreadPriority.MAX_NICE,
                io.toykv.core.io.ThreadPriorityTest.niceOf(Path.of("/proc/thread-self/stat"))
                        + GarbageCollector.THREAD_NICE);
        try (Store s = Store.open(dir, tiny().gcThreads(3))) { // two shards: two threads
            long deadline = System.nanoTime() + 30_000_000_000L;
            Map<String, Integer> nice = Map.of();
            while (System.nanoTime() < deadline
                    && !(nice.keySet().containsAll(List.of("toykv-gc-0", "toykv-gc-1"))
                            && nice.get("toykv-gc-0") == expected
                            && nice.get("toykv-gc-1") == expected)) {
                Thread.sleep(10);
                nice = niceOfThreads("toykv-gc");
            }
            assertEquals(
                    Map.of("toykv-gc-0", expected, "toykv-gc-1", expected),
                    Map.of(
                            "toykv-gc-0",
                            nice.getOrDefault("toykv-gc-0", -100),
                            "toykv-gc-1",
                            nice.getOrDefault("toykv-gc-1", -100)),
                    "nice of the collector threads: " + nice);
            assertTrue(!nice.containsKey("toykv-gc-2"), "no more threads than shards: " + nice);
        }
    }

    /** The nice value of each of this process's threads whose name starts with {@code prefix}. */
    private static Map<String, Integer> niceOfThreads(String prefix) throws IOException {
        Map<String, Integer> found = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith(prefix)) {
                        found.put(name, io.toykv.core.io.ThreadPriorityTest.niceOf(task.resolve("stat")));
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a thread that ended while listed
                }
            }
        }
        return found;
    }

    /**
     * A dead segment whose file the OS refuses to unlink (made immutable with {@code chattr +i}, which
     * binds root too): compact() reports the failure, the segment still counts as reclaimed (it is out
     * of the log), and a later collection deletes the file once it can, not only the next open.
     */
    @Test
    void aSegmentFileWhoseUnlinkFailedIsDeletedByALaterCollection() throws Exception {
        int inLog;
        try (Store s = Store.open(dir, tiny().shards(1).autoCompaction(false))) {
            for (int round = 0; round < 6; round++) {
                for (int k = 0; k < KEYS; k++) {
                    s.put(key(k), value(k, round));
                }
            }
            s.sync();
            List<Path> segments = segmentFiles();
            if (!chattr("+i", segments)) {
                chattr("-i", segments); // any it did mark, or the temp directory could not be deleted
                org.junit.jupiter.api.Assumptions.abort(
                        "needs chattr and a file system with attributes (and CAP_LINUX_IMMUTABLE)");
            }
            try {
                RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, s::compact);
                assertTrue(String.valueOf(e.getMessage()).contains("not permitted"), e.toString());
                assertTrue(s.stats().gcSegmentsReclaimed() > 0, "out of the log, so reclaimed: " + s.stats());
                assertEquals(segments, segmentFiles(), "the OS refused every unlink");
                assertTrue(s.stats().segments() < segments.size(), s.stats().toString());
            } finally {
                chattr("-i", segments);
            }
            s.compact();
            inLog = s.stats().segments();
            for (int k = 0; k < KEYS; k++) {
                assertArrayEquals(value(k, 5), s.get(key(k)));
            }
        }
        // After the close, which deletes the next head made ahead (a file not yet in the log).
        assertEquals(inLog, segmentFiles().size(), "files left of segments no longer in the log");
    }

    /**
     * A collection's copy of a few values is one page, most of it padding: it must not count as
     * garbage to collect, or each round would copy the same values into a new page, by hand up to the
     * round limit (10,000 rounds, 10 s here) and in the background without end.
     */
    @Test
    void aCopyOfAFewValuesIsNotCollectedAgainAndAgain() throws Exception {
        try (Store s = Store.open(dir, StoreModelTest.smallFiles().shards(1).autoCompaction(false))) {
            for (int k = 0; k < 3000; k++) {
                s.put(key(k), new byte[100]); // fills segment 1 (256 KiB); the head rolls to 2
            }
            for (int k = 0; k < 2600; k++) {
                if (k % 200 != 0) {
                    s.delete(key(k)); // segment 1 keeps 13 values, about 1.3 KB
                }
            }
            s.compact();
            StoreStats first = s.stats();
            assertEquals(1, first.gcSegmentsReclaimed(), first.toString());
            s.compact();
            StoreStats second = s.stats();
            assertEquals(first.gcSegmentsReclaimed(), second.gcSegmentsReclaimed(), second.toString());
            assertEquals(first.gcBytesWritten(), second.gcBytesWritten(), second.toString());
        }
        // The same copy left to the background collector: wait until it has made several passes (it
        // looks every 20 ms after writes; a put of a new key, in the head segment, makes it look) and
        // check that none of them collected the copy again.
        try (Store s = Store.open(dir, StoreModelTest.smallFiles().shards(1))) {
            long before = s.stats().gcSegmentsReclaimed();
            long runsBefore = s.stats().gcRuns();
            long deadline = System.nanoTime() + 60_000_000_000L; // generous: CI machines are shared
            while (s.stats().gcRuns() < runsBefore + 5 && System.nanoTime() < deadline) {
                s.put("trigger".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[1]);
                Thread.sleep(20);
            }
            assertTrue(s.stats().gcRuns() >= runsBefore + 5, "the background collector made no passes: " + s.stats());
            assertEquals(before, s.stats().gcSegmentsReclaimed(), s.stats().toString());
            for (int k = 0; k < 2600; k += 200) {
                assertArrayEquals(new byte[100], s.get(key(k)));
            }
        }
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".v"))
                    .sorted()
                    .toList();
        }
    }

    /** Runs chattr with {@code flag} on the files; whether it succeeded. */
    private static boolean chattr(String flag, List<Path> files) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("chattr", flag));
        files.forEach(f -> command.add(f.toString()));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false; // no chattr here
        }
    }

    @Test
    void deletedAndClearedDataIsReclaimed() throws IOException {
        try (Store s = Store.open(dir, tiny().autoCompaction(false))) {
            for (int k = 0; k < 5 * KEYS; k++) {
                s.put(key(k), value(k, 0));
            }
            long full = bytesOnDisk(dir);
            s.clear();
            s.put(key(1), value(1, 1));
            s.compact();
            assertTrue(bytesOnDisk(dir) < full / 2, bytesOnDisk(dir) + " vs " + full);
            assertEquals(1, s.size());
        }
        try (Store s = Store.open(dir, tiny())) {
            assertEquals(1, s.size());
            assertArrayEquals(value(1, 1), s.get(key(1)));
        }
    }

    @Test
    void collectionUnderConcurrentWritersAndReadersMatchesTheModel() throws Exception {
        collectUnderWritersAndReaders(tiny().autoCompaction(false).gcGarbageRatio(0.2));
    }

    /** The same with two background threads (one a shard) collecting too, alongside compact() on every shard. */
    @Test
    void backgroundThreadsAndCompactTogetherUnderWritersAndReadersMatchTheModel() throws Exception {
        collectUnderWritersAndReaders(tiny().gcThreads(2).gcGarbageRatio(0.2));
    }

    private void collectUnderWritersAndReaders(StoreOptions options) throws Exception {
        int writers = 3;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        long[][] last = new long[writers][KEYS]; // version of each writer's own keys, -1 = deleted
        try (Store s = Store.open(dir, options)) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                Arrays.fill(last[id], -1);
                threads.add(new Thread(() -> {
                    try {
                        Random r = new Random(id);
                        for (int i = 0; i < 6000; i++) {
                            int k = r.nextInt(KEYS / writers) * writers + id; // disjoint keys per writer
                            if (r.nextInt(10) == 0) {
                                s.delete(key(k));
                                last[id][k] = -1;
                            } else {
                                s.put(key(k), value(k, i));
                                last[id][k] = i;
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            Thread collector = new Thread(() -> {
                try {
                    while (!done.get()) {
                        s.compact();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            Thread reader = new Thread(() -> {
                Random r = new Random(99);
                try {
                    while (!done.get()) {
                        int k = r.nextInt(KEYS);
                        byte[] v = s.get(key(k));
                        if (v != null && v.length != VALUE) {
                            failures.add(new AssertionError("wrong value length for key " + k));
                        }
                        if (r.nextInt(100) == 0) {
                            try (ScanIterator it = s.scan(null, null)) {
                                it.forEachRemaining(e -> {});
                            }
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            collector.start();
            reader.start();
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            done.set(true);
            collector.join();
            reader.join();
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            assertTrue(s.stats().gcBytesWritten() > 0, "the collector moved nothing: " + s.stats());
            assertModel(s, last, writers);
        }
        try (Store s = Store.open(dir, tiny())) {
            assertModel(s, last, writers);
        }
    }

    private static void assertModel(Store s, long[][] last, int writers) {
        long live = 0;
        for (int w = 0; w < writers; w++) {
            for (int k = w; k < KEYS; k += writers) {
                long version = last[w][k];
                assertArrayEquals(version < 0 ? null : value(k, version), s.get(key(k)), "key " + k);
                live += version < 0 ? 0 : 1;
            }
        }
        assertEquals(live, s.size());
    }

    @Test
    void sealedSegmentsAboveTheRatioAreGoneAfterCompact() throws IOException {
        try (Store s = Store.open(dir, tiny().autoCompaction(false).gcGarbageRatio(0.4))) {
            Random r = new Random(1);
            for (int i = 0; i < 20_000; i++) {
                int k = r.nextInt(KEYS);
                s.put(key(k), value(k, i));
            }
            s.compact();
            for (Map.Entry<String, Long> e : s.stats().garbageBytesBySegment().entrySet()) {
                assertTrue(
                        e.getValue() < 0.4 * 256 * 1024, e.getKey() + " still has " + e.getValue() + " garbage bytes");
            }
        }
    }

    /**
     * After random overwrites and a compact(): values-log bytes (segments and buffered records), the
     * most garbage any sealed segment still holds, and the bytes of the heads (head segments up to the
     * buffer, and the buffers), which the collector cannot move.
     */
    private long[] valuesLogAfterCompact(Path at, StoreOptions options) throws IOException {
        try (Store s = Store.open(at, options.autoCompaction(false))) {
            Random r = new Random(3);
            for (int i = 0; i < 20_000; i++) {
                int k = r.nextInt(KEYS);
                s.put(key(k), value(k, i));
            }
            s.compact();
            StoreStats st = s.stats();
            long maxGarbage = 0;
            long sealed = 0;
            for (Map.Entry<String, Long> e : st.garbageBytesBySegment().entrySet()) {
                maxGarbage = Math.max(maxGarbage, e.getValue());
                sealed += java.nio.file.Files.size(at.resolve(e.getKey()));
            }
            long total = st.valuesLogBytes() + st.bufferBytes();
            return new long[] {total, maxGarbage, total - sealed};
        }
    }

    private static long liveValueRecordBytes() {
        long live = 0;
        for (int k = 0; k < KEYS; k++) {
            live += io.toykv.core.log.ValueRecord.size(VALUE);
        }
        return live;
    }

    @Test
    void compactBringsTheValuesLogUnderTheSpaceTargetWhateverTheRatio() throws IOException {
        long live = liveValueRecordBytes();
        // A ratio this high alone leaves segments up to 90% garbage behind...
        long ratioOnly = valuesLogAfterCompact(
                dir.resolve("ratio-only"), tiny().gcGarbageRatio(0.9).gcSpaceTarget(Double.POSITIVE_INFINITY))[0];
        assertTrue(
                ratioOnly > 1.5 * live,
                ratioOnly + " bytes for " + live + " live: the workload leaves too little garbage to test with");
        // ...the space target collects the segments with the most garbage until the log is under it
        // (plus the 4 KiB each collection's segment is rounded up to), or until no sealed segment has
        // garbage worth moving (a tenth of it). Garbage in a head segment is out of reach until it is
        // sealed: in this small store (two shards, 256 KiB segments, 204 KB live a shard) the heads can
        // hold more than the 0.25 allowance, and then the sealed part alone must be under the target.
        long[] targeted = valuesLogAfterCompact(
                dir.resolve("targeted"), tiny().gcGarbageRatio(0.9).gcSpaceTarget(1.25));
        String got = targeted[0] + " bytes for " + live + " live, target 1.25; heads " + targeted[2]
                + ", a sealed segment with " + targeted[1] + " garbage bytes";
        assertTrue(
                targeted[0] <= 1.25 * live + 2 * 4096
                        || targeted[1] < GarbageCollector.MIN_GARBAGE_SHARE * 256 * 1024
                                && targeted[0] - targeted[2] <= 1.25 * live + 2 * 4096,
                got);
        assertTrue(
                targeted[0] < 0.6 * ratioOnly, targeted[0] + " bytes against " + ratioOnly + " with the ratio alone");
    }

    @Test
    void spaceTargetBelowOneIsRejected() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> StoreOptions.defaults().gcSpaceTarget(0.9));
        assertTrue(e.getMessage().contains("gcSpaceTarget"), e.getMessage());
    }

    @Test
    void movedValuesLiveInSegmentsNumberedAfterTheHeadAndSurviveAnAbandonedClose() throws IOException {
        Store s = Store.open(dir, tiny().autoCompaction(false).gcGarbageRatio(0.3));
        for (int round = 0; round < 6; round++) {
            for (int k = 0; k < KEYS; k += round == 0 ? 1 : 2) {
                s.put(key(k), value(k, round)); // odd keys keep their first value: it has to move
            }
        }
        long reclaimed = s.stats().gcSegmentsReclaimed();
        s.compact();
        assertTrue(
                s.stats().gcSegmentsReclaimed() > reclaimed && s.stats().gcBytesWritten() > 0,
                s.stats().toString());
        s.put(key(0), value(0, 99)); // an acknowledged write after the collection, still in the buffer
        // As a kill -9 would leave it: no flush, no force. The moved values sit in segments numbered
        // after the head, which the open must keep.
        s.abandon();
        try (Store again = Store.open(dir, tiny().autoCompaction(false))) {
            assertArrayEquals(value(0, 99), again.get(key(0)));
            for (int k = 1; k < KEYS; k++) {
                assertArrayEquals(value(k, k % 2 == 0 ? 5 : 0), again.get(key(k)), "key " + k);
            }
            again.put(key(1), value(1, 100)); // new segments must not reuse a collection's ids
            for (int k = 2; k < KEYS; k++) {
                again.put(key(k), value(k, 100));
            }
            again.compact();
            for (int k = 1; k < KEYS; k++) {
                assertArrayEquals(value(k, 100), again.get(key(k)), "key " + k + " after a second collection");
            }
        }
    }

    /**
     * A round takes several segments' worth of live data (so its walk of the index and its force of the
     * keys log serve more bytes) but still writes segments no larger than segmentSize.
     */
    @Test
    void oneRoundMovesSeveralSegmentsIntoSegmentsNoLargerThanTheSegmentSize() throws Exception {
        StoreOptions o = StoreModelTest.smallFiles().shards(1).autoCompaction(false);
        Shard s = Shard.open(
                dir, o, new io.toykv.core.log.DirectIo(o.directIo()), io.toykv.core.io.FileAllocator.DEFAULT);
        try {
            int n = 4000; // 418-byte records, 624 to a 256 KiB segment: six sealed, the head the seventh
            for (int k = 0; k < n; k++) {
                s.put(key(k), value(k, 0));
            }
            for (int k = 0; k < n; k += 3) {
                s.delete(key(k)); // a third of every segment is garbage
            }
            List<Shard.SegmentUsage> victims = s.sealedSegments();
            assertTrue(victims.size() >= 5, victims.toString());
            long live = victims.stream().mapToLong(Shard.SegmentUsage::live).sum();
            assertTrue(live > 3 * o.segmentSize(), "live " + live);
            assertEquals(live, s.evacuate(victims, o.segmentSize(), 64, () -> {}, () -> false));
            for (Shard.SegmentUsage u : victims) {
                assertTrue(s.dropIfDead(u.id()) > 0, "victim " + u + " still holds something live");
            }
            List<Shard.SegmentUsage> written = s.sealedSegments();
            long fewest = (live + o.segmentSize() - 1) / o.segmentSize(); // records are not split: maybe one more
            assertTrue(written.size() == fewest || written.size() == fewest + 1, fewest + " " + written);
            for (Shard.SegmentUsage u : written) {
                assertTrue(u.size() <= o.segmentSize() && u.id() > s.headSegmentId(), u.toString());
            }
            assertEquals(
                    live, written.stream().mapToLong(Shard.SegmentUsage::live).sum());
            for (int k = 0; k < n; k++) {
                assertArrayEquals(k % 3 == 0 ? null : value(k, 0), s.get(key(k)), "key " + k);
            }
        } finally {
            s.close();
        }
    }

    /** Moves of keys too long for a batch record are logged as PUT records, and replay the same. */
    @Test
    void movesOfLongKeysSurviveAnAbandonedClose() throws IOException {
        byte[][] keys = new byte[300][];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = new byte[1000]; // 256 of them do not fit in one 64 KiB batch record
            Arrays.fill(keys[k], (byte) 'k');
            System.arraycopy(key(k), 0, keys[k], 0, key(k).length);
        }
        Store s = Store.open(dir, tiny().shards(1).autoCompaction(false).gcGarbageRatio(0.3));
        for (int round = 0; round < 4; round++) {
            for (int k = 0; k < keys.length; k += round == 0 ? 1 : 2) {
                s.put(keys[k], value(k, round)); // odd keys keep their first value: it has to move
            }
        }
        s.compact();
        assertTrue(s.stats().gcBytesWritten() > 0, s.stats().toString());
        s.abandon();
        try (Store again = Store.open(dir, tiny().shards(1).autoCompaction(false))) {
            for (int k = 0; k < keys.length; k++) {
                assertArrayEquals(value(k, k % 2 == 0 ? 3 : 0), again.get(keys[k]), "key " + k);
            }
        }
    }
    /**
     * segmentSize is an option of each open, not of the store: a store written with large segments and
     * values, reopened with smaller ones, still holds records larger than the new segmentSize. A
     * collection must still be able to move them.
     */
    @Test
    void aRecordLargerThanTheSegmentSizeOfThisOpenIsStillMoved() throws IOException {
        StoreOptions big = StoreOptions.defaults()
                .shards(1)
                .syncMode(SyncMode.NEVER)
                .autoCompaction(false)
                .bufferSize(1 << 20)
                .segmentSize(1 << 20)
                .maxValueSize(600_000);
        byte[] large = new byte[500_000];
        new Random(7).nextBytes(large);
        try (Store s = Store.open(dir, big)) {
            s.put(key(0), large);
            for (int k = 1; k < 2000; k++) {
                s.put(key(k), value(k, 0)); // fills segment 1 past its end: the head rolls to segment 2
            }
            for (int k = 1; k < 2000; k++) {
                s.delete(key(k)); // segment 1 is mostly garbage; the large value is its one live record
            }
        }
        try (Store s = Store.open(dir, tiny().shards(1).autoCompaction(false))) { // 256 KiB segments
            s.compact();
            assertTrue(s.stats().gcBytesWritten() >= large.length, s.stats().toString());
            assertArrayEquals(large, s.get(key(0)));
        }
        try (Store s = Store.open(dir, tiny().shards(1).autoCompaction(false))) {
            assertArrayEquals(large, s.get(key(0)));
        }
    }

    /** The files a keys-log rewrite replaced are deleted (after the shard let go of its write lock), and the rest replays. */
    @Test
    void aKeysLogRewriteDeletesTheFilesItReplaced() throws Exception {
        StoreOptions o = StoreModelTest.smallFiles().shards(1).autoCompaction(false);
        Shard s = Shard.open(
                dir, o, new io.toykv.core.log.DirectIo(o.directIo()), io.toykv.core.io.FileAllocator.DEFAULT);
        int n = 5000;
        try {
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < n; k++) {
                    s.put(String.format("%08d", k).getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) round});
                }
            }
            List<String> before = keysFiles();
            assertTrue(before.size() > 2, before.toString());
            s.compactKeysLog();
            List<String> after = keysFiles();
            assertTrue(after.stream().noneMatch(before::contains), before + " then " + after);
            assertTrue(after.size() < before.size(), before + " then " + after);
        } finally {
            s.close();
        }
        s = Shard.open(dir, o, new io.toykv.core.log.DirectIo(o.directIo()), io.toykv.core.io.FileAllocator.DEFAULT);
        try {
            assertEquals(n, s.size());
            assertArrayEquals(new byte[] {2}, s.get("00004999".getBytes(StandardCharsets.US_ASCII)));
        } finally {
            s.close();
        }
    }

    private List<String> keysFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".k"))
                    .sorted()
                    .toList();
        }
    }

    /** After a restart the rewrite trigger knows the log is packed, so the log is not let grow to twice a PUT a key. */
    @Test
    void aReopenedStoreKnowsHowTightlyItsKeysLogIsPacked() throws Exception {
        StoreOptions o = StoreModelTest.smallFiles().shards(1).autoCompaction(false);
        Shard s = Shard.open(
                dir, o, new io.toykv.core.log.DirectIo(o.directIo()), io.toykv.core.io.FileAllocator.DEFAULT);
        int n = 5000;
        for (int k = 0; k < n; k++) {
            s.put(String.format("%08d", k).getBytes(StandardCharsets.US_ASCII), new byte[10]);
        }
        long unpacked = s.keysLogUsage().rewriteBytes(); // no rewrite yet: one PUT record a key
        assertEquals((long) n * io.toykv.core.log.KeyRecord.size(8), unpacked);
        s.compactKeysLog();
        long packed = s.keysLogUsage().rewriteBytes();
        assertTrue(packed < 0.6 * unpacked, packed + " of " + unpacked);
        s.close();
        s = Shard.open(dir, o, new io.toykv.core.log.DirectIo(o.directIo()), io.toykv.core.io.FileAllocator.DEFAULT);
        try {
            long reopened = s.keysLogUsage().rewriteBytes();
            assertTrue(
                    reopened < 0.6 * unpacked && reopened >= packed, reopened + " after reopen, " + packed + " before");
        } finally {
            s.close();
        }
    }

    @Test
    void putsArePacedOnlyWhileTheValuesLogIsWellOverItsTarget() {
        long live = 100 << 20;
        assertEquals(0, GarbageCollector.paceFor((long) (1.30 * live), live, 1.3, 0));
        assertEquals(0, GarbageCollector.paceFor((long) (1.39 * live), live, 1.3, 0), "within the slack");
        long a = GarbageCollector.paceFor((long) (1.45 * live), live, 1.3, 0);
        long b = GarbageCollector.paceFor((long) (1.60 * live), live, 1.3, 0);
        assertTrue(a > 0 && b > a, a + " " + b);
        assertEquals(GarbageCollector.MAX_PACE_NANOS, GarbageCollector.paceFor(100L * live, live, 1.3, 0));
        assertEquals(
                0, GarbageCollector.paceFor(100L * live, live, Double.POSITIVE_INFINITY, 0), "no target, no pacing");
        assertEquals(0, GarbageCollector.paceFor(1 << 20, 0, 1.3, 0), "nothing live");
    }

    private Shard openShard(StoreOptions o) throws IOException {
        return Shard.open(dir, o, new io.toykv.core.log.DirectIo(o.directIo()), io.toykv.core.io.FileAllocator.DEFAULT);
    }

    /** Makes {@code puts} puts; returns the milliseconds they spent slowed down by pacing (parked). */
    private static long pacedMillisFor(Shard s, int puts) throws IOException {
        long before = s.pacedNanos();
        for (int k = 0; k < puts; k++) {
            s.put(key(k % 100), new byte[10]);
        }
        return (s.pacedNanos() - before) / 1_000_000;
    }

    /** Pacing parks puts, and the time they spend parked is counted (the store's write stalls). */
    @Test
    void timeSpentPacedIsCounted() throws Exception {
        Shard s = openShard(StoreModelTest.smallFiles().shards(1).autoCompaction(false));
        try {
            assertEquals(0, pacedMillisFor(s, 500), "no pace, no parks");
            s.setPace(GarbageCollector.MAX_PACE_NANOS); // a 200 us park every put
            assertTrue(pacedMillisFor(s, 100) >= 10, "100 puts at the highest pace");
        } finally {
            s.close();
        }
    }

    /**
     * A put parks at most one park's worth (200 us) however high the pace, so above that the rest
     * piles up as debt, and a later, gentle pace is paid at 200 us a put until that debt is gone.
     */
    @Test
    void aPaceOnceHighDoesNotSlowPutsLongAfterItWasLowered() throws Exception {
        Shard s = openShard(StoreModelTest.smallFiles().shards(1).autoCompaction(false));
        try {
            s.setPace(GarbageCollector.MAX_PACE_NANOS);
            pacedMillisFor(s, 200);
            s.setPace(0); // the collector caught up
            pacedMillisFor(s, 1000);
            s.setPace(4_000); // a little behind again: 20 parks (4 ms) over 1000 puts, where debt would make 1000 (200
            // ms)
            long ms = pacedMillisFor(s, 1000);
            assertTrue(ms < 100, "1000 puts at a pace of 4 us were parked for " + ms + " ms");
        } finally {
            s.close();
        }
    }

    /**
     * A small store overwritten in place: its garbage is in the head segment, which the collector
     * cannot touch, and in sealed segments with nothing live, which it deletes at once. Neither is the
     * collector falling behind, and puts are not to be slowed down for it.
     */
    @Test
    void garbageTheCollectorDeletesOrCannotReachDoesNotPacePuts() throws Exception {
        StoreOptions o = StoreModelTest.smallFiles().shards(1).autoCompaction(false);
        Shard s = openShard(o);
        try {
            GarbageCollector gc = new GarbageCollector(
                    new Shard[] {s}, o.gcGarbageRatio(), o.gcSpaceTarget(), o.keysFileSize(), o.segmentSize(), 0);
            pacedMillisFor(s, 3000); // 100 live keys, about 45 KiB of garbage in the head
            gc.collect(false); // as the background collector does
            assertEquals(0, s.pacedNanos(), "puts were parked after a round over a small store");
            pacedMillisFor(s, 2000);
            assertEquals(0, s.pacedNanos(), "puts were parked after a round over a small store");
        } finally {
            s.close();
        }
    }
}
