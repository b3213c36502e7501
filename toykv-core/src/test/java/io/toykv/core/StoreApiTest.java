package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public contract: arguments, limits, lifecycle, locking, ordering. */
class StoreApiTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void nullKeyOrValueIsRejectedByName() throws IOException {
        try (Store s = Store.open(dir)) {
            assertEquals(
                    "key",
                    assertThrows(NullPointerException.class, () -> s.put(null, b("v")))
                            .getMessage());
            assertEquals(
                    "value",
                    assertThrows(NullPointerException.class, () -> s.put(b("k"), null))
                            .getMessage());
            assertEquals(
                    "key",
                    assertThrows(NullPointerException.class, () -> s.get(null)).getMessage());
            assertEquals(
                    "key",
                    assertThrows(NullPointerException.class, () -> s.delete(null))
                            .getMessage());
        }
    }

    @Test
    void oversizedKeysAndValuesAreRejectedNamingTheLimit() throws IOException {
        try (Store s = Store.open(dir, StoreOptions.defaults().maxKeySize(16).maxValueSize(100))) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> s.put(new byte[17], b("v")))
                    .getMessage()
                    .contains("maxKeySize 16"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> s.get(new byte[17]))
                    .getMessage()
                    .contains("maxKeySize 16"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> s.put(b("k"), new byte[101]))
                    .getMessage()
                    .contains("maxValueSize 100"));
            s.put(new byte[16], new byte[100]);
            assertEquals(100, s.get(new byte[16]).length);
            assertEquals(1, s.size(), "rejected puts wrote nothing");
        }
    }

    @Test
    void defaultLimitsAcceptKeysOf1024AndValuesOf1MiB() throws IOException {
        try (Store s = Store.open(dir)) {
            byte[] k = new byte[1024];
            byte[] v = new byte[1 << 20];
            v[12345] = 9;
            s.put(k, v);
            assertArrayEquals(v, s.get(k));
            assertThrows(IllegalArgumentException.class, () -> s.put(new byte[1025], v));
        }
        try (Store s = Store.open(dir)) {
            assertEquals(1 << 20, s.get(new byte[1024]).length);
        }
    }

    @Test
    void aLargerBufferedValueLimitSizesTheBufferToFit() throws IOException {
        Path d = dir.resolve("big");
        StoreOptions options =
                StoreOptions.defaults().shards(1).maxValueSize(6 << 20).largeValueSize(6 << 20);
        assertTrue(options.bufferSize() >= (6 << 20) + 1024 + 10 && options.segmentSize() >= options.bufferSize());
        byte[] big = new byte[6 << 20];
        big[big.length - 1] = 7;
        try (Store s = Store.open(d, options)) {
            s.put(b("big"), big);
            assertArrayEquals(big, s.get(b("big")));
        }
        try (Store s = Store.open(d, options)) {
            assertArrayEquals(big, s.get(b("big")));
        }
    }

    @Test
    void reopeningWithLimitsTheExistingBufferCannotHoldFailsClearly() throws IOException {
        Store.open(dir, StoreOptions.defaults().shards(1)).close(); // halves of 1 MiB and 4 KiB
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Store.open(dir, StoreOptions.defaults().largeValueSize(6 << 20)));
        assertTrue(e.getMessage().contains("holds " + StoreOptions.defaults().bufferSize() + " bytes"), e.getMessage());
        Store.open(dir).close(); // the failed open released everything
    }

    @Test
    void emptyValueIsAValueNotAbsence() throws IOException {
        try (Store s = Store.open(dir)) {
            s.put(b("k"), new byte[0]);
            assertArrayEquals(new byte[0], s.get(b("k")));
            assertNull(s.get(b("missing")));
        }
    }

    @Test
    void deleteReportsWhetherTheKeyExisted() throws IOException {
        try (Store s = Store.open(dir)) {
            assertFalse(s.delete(b("k")));
            s.put(b("k"), b("v"));
            assertTrue(s.delete(b("k")));
            assertFalse(s.delete(b("k")));
            assertNull(s.get(b("k")));
        }
    }

    @Test
    void everyMethodOnAClosedStoreThrowsAndCloseTwiceDoesNothing() throws IOException {
        Store s = Store.open(dir);
        s.close();
        s.close();
        assertEquals(
                "store is closed",
                assertThrows(IllegalStateException.class, () -> s.get(b("k"))).getMessage());
        assertThrows(IllegalStateException.class, () -> s.put(b("k"), b("v")));
        assertThrows(IllegalStateException.class, () -> s.delete(b("k")));
        assertThrows(IllegalStateException.class, () -> s.scan(null, null));
        assertThrows(IllegalStateException.class, s::sync);
        assertThrows(IllegalStateException.class, s::stats);
        assertThrows(IllegalStateException.class, s::size);
        assertThrows(IllegalStateException.class, s::clear);
    }

    @Test
    void cannotOpenTwiceInOneProcess() throws IOException {
        try (Store s = Store.open(dir)) {
            IOException e = assertThrows(IOException.class, () -> Store.open(dir));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
        Store.open(dir).close(); // the lock is released by close
    }

    @Test
    void secondProcessCannotOpenAnOpenStore() throws Exception {
        try (Store s = Store.open(dir)) {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            OpenProbe.class.getName(),
                            dir.toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), out);
            assertTrue(
                    out.contains("in use by another process (pid "
                            + ProcessHandle.current().pid() + ")"),
                    out);
        }
    }

    @Test
    void directoryThatCannotBeWrittenFailsTheOpen() {
        // /proc refuses new files even to root, unlike a chmod'ed directory.
        assertThrows(IOException.class, () -> Store.open(Path.of("/proc/toykv-cannot-exist")));
    }

    @Test
    void pathThatIsAFileFailsTheOpen() throws IOException {
        Path file = Files.createFile(dir.resolve("plain-file"));
        assertThrows(IOException.class, () -> Store.open(file));
    }

    @Test
    void shardCountIsFixedAtCreation() throws IOException {
        Store.open(dir, StoreOptions.defaults().shards(3)).close();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Store.open(dir, StoreOptions.defaults().shards(5)));
        assertTrue(e.getMessage().contains("has 3 shards"), e.getMessage());
        try (Store s = Store.open(dir)) {
            assertEquals(3, s.stats().shards(), "without a shard option the store's own count is used");
        }
    }

    @Test
    void optionsThatDoNotFitTogetherAreRejected() {
        StoreOptions o = StoreOptions.defaults().bufferSize(1 << 20).maxValueSize(2 << 20);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Store.open(dir, o))
                .getMessage()
                .contains("bufferSize"));
        assertThrows(
                IllegalArgumentException.class, () -> StoreOptions.defaults().shards(0));
        assertThrows(
                IllegalArgumentException.class, () -> StoreOptions.defaults().maxKeySize(70_000));
        assertThrows(
                IllegalArgumentException.class, () -> StoreOptions.defaults().bufferSize(5000));
        assertThrows(
                IllegalArgumentException.class, () -> StoreOptions.defaults().segmentSize(4097 * 100));
    }

    @Test
    void scanIsInUnsignedOrderWithinBounds() throws IOException {
        try (Store s = Store.open(dir)) {
            byte[][] keys = {{0}, {1}, {1, 0}, {(byte) 0x7F}, {(byte) 0x80}, {(byte) 0xFF}, {(byte) 0xFF, 0}};
            for (int i = keys.length - 1; i >= 0; i--) {
                s.put(keys[i], new byte[] {(byte) i});
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), scanIndexes(s, null, null));
            assertEquals(List.of(2, 3, 4), scanIndexes(s, new byte[] {1, 0}, new byte[] {(byte) 0xFF}));
            assertEquals(List.of(), scanIndexes(s, new byte[] {(byte) 0x80}, new byte[] {(byte) 0x80}));
            assertEquals(List.of(), scanIndexes(s, new byte[] {(byte) 0xFF}, new byte[] {1}));
            assertEquals(List.of(4, 5, 6), scanIndexes(s, new byte[] {(byte) 0x80}, null));
        }
    }

    private static List<Integer> scanIndexes(Store s, byte[] from, byte[] to) {
        List<Integer> out = new ArrayList<>();
        try (ScanIterator it = s.scan(from, to)) {
            while (it.hasNext()) {
                out.add((int) it.next().value()[0]);
            }
            assertThrows(NoSuchElementException.class, it::next);
        }
        return out;
    }

    @Test
    void closedScanReturnsNothingMoreAndClosesTwice() throws IOException {
        try (Store s = Store.open(dir)) {
            s.put(b("a"), b("1"));
            s.put(b("b"), b("2"));
            ScanIterator it = s.scan(null, null);
            assertTrue(it.hasNext());
            it.close();
            it.close();
            assertFalse(it.hasNext());
        }
    }

    @Test
    void clearRemovesEveryKeyDurably() throws IOException {
        try (Store s = Store.open(dir)) {
            for (int i = 0; i < 1000; i++) {
                s.put(b("k" + i), b("v" + i));
            }
            s.clear();
            assertEquals(0, s.size());
            assertNull(s.get(b("k1")));
            s.put(b("after"), b("x"));
        }
        try (Store s = Store.open(dir)) {
            assertEquals(1, s.size());
            assertArrayEquals(b("x"), s.get(b("after")));
        }
    }

    @Test
    void statsCountKeysAndBytesPerFileKind() throws IOException {
        try (Store s = Store.open(dir, StoreOptions.defaults().shards(2))) {
            for (int i = 0; i < 100; i++) {
                s.put(b("key" + i), new byte[100]);
            }
            s.delete(b("key0"));
            StoreStats st = s.stats();
            assertEquals(99, st.liveKeys());
            assertEquals(2, st.shards());
            assertTrue(st.keysLogBytes() >= 101 * 19);
            assertTrue(st.bufferBytes() >= 100 * 100);
            assertTrue(st.indexBytes() > 0);
            assertEquals(99L, st.toMap().get("live_keys"));
        }
    }

    @Test
    void everySyncModeKeepsDataAcrossReopen() throws IOException {
        for (SyncMode mode : SyncMode.values()) {
            Path d = dir.resolve(mode.name());
            try (Store s = Store.open(d, StoreOptions.defaults().syncMode(mode))) {
                s.put(b("k"), b(mode.name()));
                s.sync();
                assertEquals(mode, s.stats().syncMode());
            }
            try (Store s = Store.open(d)) {
                assertArrayEquals(b(mode.name()), s.get(b("k")));
            }
        }
    }
}
