package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.io.FileIo;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values longer than {@code largeValueSize}: each in a segment of its own, read, overwritten, deleted,
 * scanned, batched and reopened like any other value, and its segment deleted once no key points at it.
 */
class LargeValueTest {
    @TempDir
    Path dir;

    private static final int MIB = 1 << 20;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int length, long seed) {
        byte[] v = new byte[length];
        new Random(seed).nextBytes(v);
        return v;
    }

    private static StoreOptions oneShard() {
        return StoreOptions.defaults().shards(1).autoCompaction(false);
    }

    /** The segment files of the only shard, by name. */
    private Set<String> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("shard-000"))) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".v"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private Set<String> added(Set<String> before) throws IOException {
        Set<String> now = segments();
        now.removeAll(before);
        return now;
    }

    @Test
    void defaultLimitIs512MiBAndTheBufferKeepsItsSize() {
        StoreOptions o = StoreOptions.defaults();
        assertEquals(536_870_912, o.maxValueSize());
        assertEquals(MIB, o.largeValueSize());
        assertEquals(MIB + 4096, o.bufferSize(), "the buffer holds the largest buffered record, not the largest value");
        assertEquals(8L << 20, o.segmentSize());
    }

    @Test
    void aValueUpToTheThresholdGoesThroughTheBufferAndALongerOneGetsItsOwnSegment() throws IOException {
        try (Store s = Store.open(dir, oneShard())) {
            Set<String> before = segments();
            s.put(b("small"), value(MIB, 1));
            assertEquals(Set.of(), added(before), "a value of largeValueSize is buffered");
            s.put(b("large"), value(MIB + 1, 2));
            Set<String> added = added(before);
            assertEquals(1, added.size(), added.toString());
            Path file = dir.resolve("shard-000").resolve(added.iterator().next());
            assertEquals(MIB + 4096, Files.size(file), "the record (value and 8 bytes) rounded up to a page");
            assertArrayEquals(value(MIB, 1), s.get(b("small")));
            assertArrayEquals(value(MIB + 1, 2), s.get(b("large")));
        }
    }

    /** Puts {@code value} and returns the name of the one segment file it added. */
    private String putLarge(Store s, String key, byte[] value) throws IOException {
        Set<String> before = segments();
        s.put(b(key), value);
        Set<String> added = added(before);
        assertEquals(1, added.size(), added.toString());
        return added.iterator().next();
    }

    @Test
    void putGetOverwriteDeleteAndReopenOf1MiBPlus1And16MiB() throws IOException {
        int[] sizes = {MIB + 1, 16 * MIB};
        String[] files = new String[sizes.length];
        try (Store s = Store.open(dir, oneShard())) {
            for (int i = 0; i < sizes.length; i++) {
                files[i] = putLarge(s, "k" + i, value(sizes[i], i));
            }
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(value(sizes[i], i), s.get(b("k" + i)));
            }
        }
        try (Store s = Store.open(dir, oneShard())) {
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(value(sizes[i], i), s.get(b("k" + i)), "after reopen");
            }
            String overwrite = putLarge(s, "k0", value(sizes[1], 10)); // large over large
            s.put(b("k1"), b("small now")); // small over large
            s.compact();
            assertArrayEquals(value(sizes[1], 10), s.get(b("k0")));
            assertArrayEquals(b("small now"), s.get(b("k1")));
            Set<String> now = segments();
            assertFalse(now.contains(files[0]) || now.contains(files[1]), "overwritten values' segments go: " + now);
            assertTrue(now.contains(overwrite));
            assertTrue(s.delete(b("k0")));
            assertNull(s.get(b("k0")));
            s.compact();
            assertFalse(segments().contains(overwrite), "the deleted value's segment goes");
        }
        try (Store s = Store.open(dir, oneShard())) {
            assertNull(s.get(b("k0")));
            assertArrayEquals(b("small now"), s.get(b("k1")));
        }
    }

    @Test
    void scanReturnsLargeValuesInKeyOrder() throws IOException {
        try (Store s = Store.open(dir, StoreOptions.defaults().shards(3).largeValueSize(4096))) {
            for (int i = 0; i < 6; i++) {
                s.put(b("k" + i), value(i % 2 == 0 ? 5000 + i : 100, i));
            }
            List<String> keys = new ArrayList<>();
            try (ScanIterator it = s.scan(null, null)) {
                while (it.hasNext()) {
                    Entry e = it.next();
                    String k = new String(e.key(), StandardCharsets.UTF_8);
                    int i = k.charAt(1) - '0';
                    assertArrayEquals(value(i % 2 == 0 ? 5000 + i : 100, i), e.value(), k);
                    keys.add(k);
                }
            }
            assertEquals(List.of("k0", "k1", "k2", "k3", "k4", "k5"), keys);
        }
    }

    @Test
    void clearAndCollectionDeleteTheSegmentsOfLargeValues() throws IOException {
        try (Store s = Store.open(dir, oneShard().largeValueSize(4096))) {
            List<String> files = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                files.add(putLarge(s, "k" + i, value(10_000, i)));
            }
            s.clear();
            s.compact();
            Set<String> now = segments();
            assertTrue(files.stream().noneMatch(now::contains), files + " " + now);
            assertEquals(0, s.size());
        }
    }

    @Test
    void aRefusedConditionalPutLeavesNoSegment() throws IOException {
        try (Store s = Store.open(dir, oneShard().largeValueSize(4096))) {
            s.put(b("k"), value(10_000, 1));
            Set<String> before = segments();
            assertFalse(s.putIfAbsent(b("k"), value(10_000, 2), Store.NO_EXPIRY));
            assertFalse(s.putIfPresent(b("absent"), value(10_000, 3), Store.NO_EXPIRY));
            assertEquals(before, segments());
            assertArrayEquals(value(10_000, 1), s.get(b("k")));
        }
    }

    @Test
    void anAtomicBatchCarriesLargeValues() throws IOException {
        StoreOptions o = StoreOptions.defaults().shards(2).largeValueSize(4096).autoCompaction(false);
        try (Store s = Store.open(dir, o)) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 4; i++) {
                batch.put(b("k" + i), value(i % 2 == 0 ? 20_000 : 10, i));
            }
            s.apply(batch);
        }
        try (Store s = Store.open(dir, o)) {
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(value(i % 2 == 0 ? 20_000 : 10, i), s.get(b("k" + i)));
            }
        }
    }

    @Test
    void aSegmentNoKeyPointsAtIsDeletedByTheNextCollection() throws IOException {
        try (Store s = Store.open(dir, oneShard().largeValueSize(4096))) {
            s.put(b("k"), value(10_000, 1));
        }
        Set<String> kept = segments();
        // What a crash between a large value's segment and its key record leaves: a segment no key names.
        Path shard = dir.resolve("shard-000");
        Path orphan = shard.resolve("00000099.v");
        Files.copy(shard.resolve(kept.stream().reduce((a, c) -> c).orElseThrow()), orphan);
        try (Store s = Store.open(dir, oneShard().largeValueSize(4096))) {
            assertArrayEquals(value(10_000, 1), s.get(b("k")));
            s.compact();
            assertFalse(Files.exists(orphan));
            assertEquals(kept, segments());
            assertArrayEquals(value(10_000, 1), s.get(b("k")));
        }
    }

    /** The one segment a large put added, after the put of {@code k} in a new store. */
    private Path storeWithOneLargeValue() throws IOException {
        Set<String> before;
        try (Store s = Store.open(dir, oneShard().largeValueSize(4096))) {
            before = segments();
            s.put(b("k"), value(10_000, 1));
            s.put(b("small"), b("v"));
        }
        return dir.resolve("shard-000").resolve(added(before).iterator().next());
    }

    @Test
    void aMissingLargeValueSegmentFailsTheOpenByName() throws IOException {
        Path file = storeWithOneLargeValue();
        Files.delete(file);
        CorruptionException e = assertThrows(
                CorruptionException.class, () -> Store.open(dir, oneShard().largeValueSize(4096)));
        assertTrue(e.getMessage().contains("missing segment"), e.getMessage());
    }

    @Test
    void aShortLargeValueSegmentFailsTheOpen() throws IOException {
        Path file = storeWithOneLargeValue();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(8192);
        }
        CorruptionException e = assertThrows(
                CorruptionException.class, () -> Store.open(dir, oneShard().largeValueSize(4096)));
        assertTrue(e.getMessage().contains("past the segment end"), e.getMessage());
    }

    @Test
    void aDamagedLargeValueFailsItsReadAndNoOther() throws IOException {
        Path file = storeWithOneLargeValue();
        byte[] bytes = Files.readAllBytes(file);
        bytes[5000] ^= 1;
        Files.write(file, bytes);
        try (Store s = Store.open(dir, oneShard().largeValueSize(4096))) {
            Exception e = assertThrows(java.io.UncheckedIOException.class, () -> s.get(b("k")));
            assertTrue(e.getCause() instanceof CorruptionException, e.toString());
            assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
            assertArrayEquals(b("v"), s.get(b("small")));
        }
    }

    /**
     * The real file system, except that the first write to a file {@code at} accepts opens
     * {@code paused} and waits for {@code resume}.
     */
    private static FileIo pausingFirstWrite(Predicate<Path> at, CountDownLatch paused, CountDownLatch resume) {
        return (FileIo) Proxy.newProxyInstance(
                FileIo.class.getClassLoader(), new Class<?>[] {FileIo.class}, (proxy, method, args) -> {
                    if (method.getName().equals("write") && paused.getCount() > 0 && at.test((Path) args[1])) {
                        paused.countDown();
                        resume.await();
                    }
                    try {
                        return method.invoke(FileIo.REAL, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * A large put writes its value without the shard's write lock: while its write is stopped, a small
     * put to the same shard (the store has one) completes, and the large key is not yet visible. Were
     * the lock held, the small put would wait forever (the timeout only ends such a hang).
     */
    @Test
    @Timeout(120)
    void aLargeValueIsWrittenWithoutTheShardsWriteLock() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        FileIo io = pausingFirstWrite(p -> p.getFileName().toString().endsWith(".v.tmp"), paused, resume);
        try (Store s = Store.open(dir, oneShard().largeValueSize(4096).fileIo(io))) {
            Throwable[] failed = new Throwable[1];
            Thread large = new Thread(() -> {
                try {
                    s.put(b("large"), value(100_000, 1));
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            large.start();
            paused.await();
            s.put(b("small"), b("v"));
            assertArrayEquals(b("v"), s.get(b("small")));
            assertNull(s.get(b("large")), "not visible before its key record");
            resume.countDown();
            large.join();
            assertNull(failed[0]);
            assertArrayEquals(value(100_000, 1), s.get(b("large")));
        }
    }

    @Test
    void aValueAtTheDefaultLimitIsWrittenReadAndReopened() throws IOException {
        int size = StoreOptions.DEFAULT_MAX_VALUE_SIZE;
        byte[] v = new byte[size];
        v[0] = 1;
        v[size / 2] = 2;
        v[size - 1] = 3;
        try (Store s = Store.open(dir, oneShard())) {
            s.put(b("huge"), v);
            assertThrows(IllegalArgumentException.class, () -> s.put(b("over"), new byte[size + 1]));
        }
        v = null; // two arrays of 512 MiB at once need not fit the test's heap
        try (Store s = Store.open(dir, oneShard())) {
            byte[] read = s.get(b("huge"));
            assertEquals(size, read.length);
            assertEquals(1, read[0]);
            assertEquals(2, read[size / 2]);
            assertEquals(3, read[size - 1]);
            read = null;
            assertTrue(s.delete(b("huge")));
            s.compact();
        }
        try (Stream<Path> files = Files.list(dir.resolve("shard-000"))) {
            long largest = files.mapToLong(p -> p.toFile().length()).max().orElse(0);
            assertTrue(largest < 16L << 20, "the large value's segment is gone: " + largest);
        }
    }
}
