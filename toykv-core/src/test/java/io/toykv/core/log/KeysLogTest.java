package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.index.SortedIndex;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysLogTest {
    private static final int FILE_SIZE = 64 * 1024;

    @TempDir
    Path dir;

    private final SortedIndex index = new SortedIndex();
    private final int[] length = new int[1];

    private static byte[] key(String prefix, int i) {
        return (prefix + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static KeysLog open(Path dir, TreeMap<byte[], Long> replayed) throws IOException {
        return KeysLog.recover(dir, FILE_SIZE, FileAllocator.DEFAULT, () -> {}, (rec, file, offset) -> {
            switch (rec.kind()) {
                case KeyRecord.PUT -> replayed.put(rec.key(), rec.address());
                case KeyRecord.DELETE -> replayed.remove(rec.key());
                default -> replayed.clear();
            }
            return null;
        });
    }

    private void put(KeysLog log, byte[] key, long address) throws IOException {
        log.ensureRoom(KeyRecord.size(key.length));
        log.append(KeyRecord.PUT, key, 10, address);
        index.put(key, address, 10, length);
    }

    private void delete(KeysLog log, byte[] key) throws IOException {
        log.ensureRoom(KeyRecord.size(key.length));
        log.append(KeyRecord.DELETE, key, 0, 0);
        index.remove(key, length);
    }

    /**
     * A chain that keeps its range in memory, like the shard manifest on disk. Its next {@code
     * failures} records fail: the first after taking effect (a rename done, the force of the directory
     * failed), any later one before.
     */
    private static final class FlakyChain implements KeysLog.Chain {
        long first;
        long last;
        int failures;
        private boolean tookEffect;

        @Override
        public long recordedFirst() {
            return first;
        }

        @Override
        public long recordedLast() {
            return last;
        }

        @Override
        public void record(long first, long last) throws IOException {
            if (failures > 0 && tookEffect) {
                failures--;
                throw new IOException("injected: record failed");
            }
            this.first = first;
            this.last = last;
            if (failures > 0) {
                failures--;
                tookEffect = failures > 0;
                throw new IOException("injected: directory force failed after the rename");
            }
            tookEffect = false;
        }
    }

    private KeysLog open(FlakyChain chain, TreeMap<byte[], Long> replayed) throws IOException {
        return KeysLog.recover(
                dir,
                FILE_SIZE,
                FileAllocator.DEFAULT,
                () -> {},
                (rec, file, offset) -> {
                    replayed.put(rec.key(), rec.address());
                    return null;
                },
                chain);
    }

    /** Puts keys until a roll fails; returns how many were put. */
    private int putUntilARollFails(KeysLog log) {
        for (int i = 0; ; i++) {
            try {
                put(log, key("roll-", i), i + 1);
            } catch (IOException e) {
                return i;
            }
        }
    }

    private void assertRangeExists(FlakyChain chain) {
        for (long n = chain.first; n <= chain.last; n++) {
            assertTrue(Files.exists(FileNames.keysFile(dir, n)), "keys file " + n + " is recorded but missing");
        }
    }

    /** Replays the log in {@code dir} as {@code chain} records it and compares it with the index. */
    private void assertReplaysToTheIndex(FlakyChain chain) throws IOException {
        TreeMap<byte[], Long> replayed = new TreeMap<>(Arrays::compareUnsigned);
        open(chain, replayed).close();
        assertEquals(indexContents(), replayed);
    }

    @Test
    void aRollWhoseRecordFailsAfterTakingEffectRecordsTheOldRangeAgain() throws IOException {
        FlakyChain chain = new FlakyChain();
        KeysLog log = open(chain, new TreeMap<>(Arrays::compareUnsigned));
        chain.failures = 1;
        assertTrue(putUntilARollFails(log) > 0);
        assertEquals(1, chain.last, "the old range recorded again");
        assertRangeExists(chain);
        log.close();
        assertReplaysToTheIndex(chain);
    }

    @Test
    void aRollWhoseRecordAndItsUndoFailGoesOnInTheNewFile() throws IOException {
        FlakyChain chain = new FlakyChain();
        KeysLog log = open(chain, new TreeMap<>(Arrays::compareUnsigned));
        chain.failures = 2;
        int put = putUntilARollFails(log);
        assertEquals(2, chain.last, "the failed record took effect");
        assertRangeExists(chain);
        put(log, key("roll-", put), put + 1);
        assertEquals(2, log.syncPoint().file().number(), "appends go to the new file, the last at replay");
        log.close();
        assertReplaysToTheIndex(chain);
    }

    private TreeMap<byte[], Long> indexContents() {
        TreeMap<byte[], Long> m = new TreeMap<>(Arrays::compareUnsigned);
        SortedIndex.Cursor c = index.cursor(null);
        while (c.next()) {
            m.put(c.key(), c.address());
        }
        return m;
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void rewriteKeepsWhatWasWrittenAfterItsWalkAndReplaysToTheIndex() throws IOException {
        KeysLog log = open(dir, new TreeMap<>(Arrays::compareUnsigned));
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 2000; i++) {
                put(log, key("k", i), round * 10_000L + i);
            }
        }
        KeysLog.Rewrite r = log.beginRewrite();
        log.writeLive(r, live(index));
        // Written after the walk, before the end: overwrites, deletes, new keys, and enough of them
        // that the old log starts a new file meanwhile.
        for (int i = 0; i < 500; i++) {
            put(log, key("k", i), 50_000L + i);
        }
        for (int i = 500; i < 600; i++) {
            delete(log, key("k", i));
        }
        for (int i = 0; i < 3000; i++) {
            put(log, key("new", i), 60_000L + i);
        }
        long dropped = finishRewrite(log, r);
        assertTrue(dropped > 0, "dropped " + dropped);
        put(log, key("after", 1), 70_000L); // the rewritten log takes appends
        log.forceAndClose();

        assertTrue(
                fileNames().stream().noneMatch(n -> n.endsWith(".tmp")),
                fileNames().toString());
        TreeMap<byte[], Long> replayed = new TreeMap<>(Arrays::compareUnsigned);
        open(dir, replayed).close();
        assertEquals(indexContents(), replayed);
        assertEquals(2000 - 100 + 3000 + 1, replayed.size());
    }

    @Test
    void abortedRewriteLeavesTheOldLogAsItWas() throws IOException {
        KeysLog log = open(dir, new TreeMap<>(Arrays::compareUnsigned));
        for (int i = 0; i < 3000; i++) {
            put(log, key("k", i % 1000), i);
        }
        List<String> before = fileNames();
        KeysLog.Rewrite r = log.beginRewrite();
        log.writeLive(r, live(index));
        log.abortRewrite(r);
        assertEquals(before, fileNames());
        log.forceAndClose();
        TreeMap<byte[], Long> replayed = new TreeMap<>(Arrays::compareUnsigned);
        open(dir, replayed).close();
        assertEquals(indexContents(), replayed);
    }

    private void clear(KeysLog log) throws IOException {
        log.ensureRoom(KeyRecord.size(0));
        log.append(KeyRecord.CLEAR, new byte[0], 0, 0);
        index.clear();
    }

    private static void copyFiles(Path from, Path to, List<String> names) throws IOException {
        Files.createDirectories(to);
        for (String n : names) {
            Files.copy(from.resolve(n), to.resolve(n), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private TreeMap<byte[], Long> replay(Path at) throws IOException {
        TreeMap<byte[], Long> replayed = new TreeMap<>(Arrays::compareUnsigned);
        open(at, replayed).close();
        return replayed;
    }

    /**
     * Every directory a crash in {@link KeysLog#switchToRewrite} can leave replays to the state the
     * rewrite ended at: the new files are named from the last to the first, so the directory holds
     * the old files and a suffix of the new ones; once the first is named (it begins with a CLEAR),
     * any old files a failed delete or a power loss left behind are ignored. Written since the mark:
     * overwrites, deletes and a CLEAR, some before the walk (so it sees them too) and some after.
     */
    @Test
    void everyDirectoryACrashInTheRewriteCanLeaveReplaysToTheSameState() throws IOException {
        Path live = dir.resolve("live");
        Files.createDirectories(live);
        KeysLog log = open(live, new TreeMap<>(Arrays::compareUnsigned));
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 30_000; i++) {
                put(log, key("k", i), round * 10_000L + i);
            }
        }
        for (int i = 0; i < 300; i++) {
            delete(log, key("k", i));
        }
        KeysLog.Rewrite r = log.beginRewrite();
        for (int i = 300; i < 600; i++) {
            put(log, key("k", i), 20_000L + i); // since the mark, seen by the walk too
        }
        log.writeLive(r, live(index));
        for (int i = 600; i < 700; i++) {
            delete(log, key("k", i));
        }
        clear(log);
        for (int i = 0; i < 500; i++) {
            put(log, key("k", i * 7), 30_000L + i); // after the CLEAR: the only live keys
        }
        delete(log, key("k", 14));
        List<String> oldNames;
        try (Stream<Path> s = Files.list(live)) {
            oldNames = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".k"))
                    .sorted()
                    .toList();
        }
        Path old = dir.resolve("old");
        copyFiles(live, old, oldNames); // the old files as the end of the rewrite finds them
        finishRewrite(log, r);
        List<String> newNames;
        try (Stream<Path> s = Files.list(live)) {
            newNames = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        log.forceAndClose();
        TreeMap<byte[], Long> expected = indexContents();
        assertEquals(499, expected.size());
        assertTrue(newNames.size() >= 3, "want a rewrite of three files or more: " + newNames);
        assertTrue(newNames.get(0).compareTo(oldNames.get(oldNames.size() - 1)) > 0, oldNames + " " + newNames);

        int state = 0;
        for (int first = newNames.size() - 1; first >= 0; first--) {
            List<String> present = newNames.subList(first, newNames.size());
            // Before the first new file is named every old file is still there; after, any of them may be.
            List<List<String>> oldSets = new java.util.ArrayList<>(List.of(oldNames));
            if (first == 0) {
                oldSets.add(List.of());
                for (int i = 0; i < oldNames.size(); i++) {
                    oldSets.add(oldNames.subList(i, oldNames.size()));
                    oldSets.add(List.of(oldNames.get(i)));
                }
            }
            for (List<String> leftOld : oldSets) {
                Path at = dir.resolve("crash-" + state++);
                copyFiles(old, at, leftOld);
                copyFiles(live, at, present);
                assertEquals(expected, replay(at), "old " + leftOld + ", new " + present);
            }
        }
        assertTrue(state > 2 * oldNames.size(), "states tried: " + state);
        assertEquals(expected, replay(live));
    }

    /**
     * An old file that outlives a finished rewrite (its delete failed, or a power loss kept it while
     * later deletes were kept) replays before the new files; the CLEAR that begins them keeps the keys
     * deleted before the rewrite from coming back.
     */
    @Test
    void anOldFileLeftBehindByARewriteDoesNotBringDeletedKeysBack() throws IOException {
        Path live = dir.resolve("live");
        Files.createDirectories(live);
        KeysLog log = open(live, new TreeMap<>(Arrays::compareUnsigned));
        for (int i = 0; i < 4000; i++) {
            put(log, key("k", i), i);
        }
        for (int i = 0; i < 4000; i += 2) {
            delete(log, key("k", i));
        }
        List<String> oldNames;
        try (Stream<Path> s = Files.list(live)) {
            oldNames = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".k"))
                    .sorted()
                    .toList();
        }
        assertTrue(oldNames.size() >= 2, "want several old files: " + oldNames);
        Path old = dir.resolve("old");
        copyFiles(live, old, oldNames);
        KeysLog.Rewrite r = log.beginRewrite();
        log.writeLive(r, live(index));
        finishRewrite(log, r);
        log.forceAndClose();
        TreeMap<byte[], Long> expected = indexContents();
        assertEquals(2000, expected.size());
        copyFiles(old, live, List.of(oldNames.get(0))); // the first old file, with PUTs of deleted keys
        assertEquals(expected, replay(live));
    }

    @Test
    void aRewriteWritesBatchRecordsThatReplayToTheIndex() throws IOException {
        KeysLog log = open(dir, new TreeMap<>(Arrays::compareUnsigned));
        for (int i = 0; i < 20_000; i++) {
            put(log, String.format("%08x", i).getBytes(StandardCharsets.US_ASCII), i * 274L);
        }
        byte[] longKey = new byte[40_000]; // longer than a block of a 64 KiB file: written as a PUT record
        Arrays.fill(longKey, (byte) 'z');
        put(log, longKey, 1L << 40);
        long before = log.recordBytes();
        KeysLog.Rewrite r = log.beginRewrite();
        long written = log.writeLive(r, live(index));
        finishRewrite(log, r);
        assertEquals(written, log.recordBytes());
        // 20,000 8-byte keys: 27 bytes each as PUT records, about half that packed.
        assertTrue(
                written < (before - KeyRecord.size(longKey.length)) * 0.6 + KeyRecord.size(longKey.length),
                "rewrite wrote " + written + " of " + before);
        log.forceAndClose();
        assertEquals(indexContents(), replay(dir));
    }

    /** A BATCH record whose checksum holds but whose body does not parse is corruption, wherever it lies. */
    @Test
    void aBatchRecordThatDoesNotParseFailsTheOpen() throws IOException {
        KeysLog log = open(dir, new TreeMap<>(Arrays::compareUnsigned));
        for (int i = 0; i < 100; i++) {
            put(log, key("k", i), i);
        }
        KeysLog.Rewrite r = log.beginRewrite();
        log.writeLive(r, live(index));
        finishRewrite(log, r);
        log.forceAndClose();
        Path file = dir.resolve(fileNames().get(0));
        int batch = KeysFile.HEADER_SIZE + KeyRecord.size(0); // after the CLEAR
        byte[] original = Files.readAllBytes(file);
        assertEquals(KeyRecord.BATCH, original[batch + KeyRecord.KIND_OFFSET]);

        byte[] badShare = original.clone();
        badShare[batch + KeyRecord.HEADER_SIZE] = 5; // the first entry shares 5 bytes with no key
        assertOpenFails(file, withChecksum(badShare, batch), "make no key");
        byte[] noEntries = original.clone();
        ByteBufferUtil.putInt(noEntries, batch + KeyRecord.VALUE_LENGTH_OFFSET, 0);
        assertOpenFails(file, withChecksum(noEntries, batch), "0 entries");
        byte[] tooMany = original.clone();
        ByteBufferUtil.putInt(tooMany, batch + KeyRecord.VALUE_LENGTH_OFFSET, 101);
        assertOpenFails(file, withChecksum(tooMany, batch), "entry 100");
    }

    /** A PUT_EXPIRING record replays with its expiry (the empty key too); one whose fields are out of range, checksum or not, fails the open. */
    @Test
    void expiringRecordsReplayWithTheirExpiryAndBadOnesFailTheOpen() throws IOException {
        KeysLog log = open(dir, new TreeMap<>(Arrays::compareUnsigned));
        log.ensureRoom(KeyRecord.size(KeyRecord.PUT_EXPIRING, 1));
        log.appendPut(new byte[] {'e'}, 10, 77, 1234);
        log.ensureRoom(KeyRecord.size(KeyRecord.PUT_EXPIRING, 0));
        log.appendPut(new byte[0], 11, 88, 5678);
        put(log, key("p", 0), 99); // after them: they are not a torn tail
        log.forceAndClose();
        List<KeyRecord> seen = new ArrayList<>();
        KeysLog again = KeysLog.recover(dir, FILE_SIZE, FileAllocator.DEFAULT, () -> {}, (rec, file, offset) -> {
            seen.add(rec);
            return null;
        });
        again.close();
        assertEquals(3, seen.size());
        assertEquals(KeyRecord.PUT_EXPIRING, seen.get(0).kind());
        assertArrayEquals(new byte[] {'e'}, seen.get(0).key());
        assertEquals(1234, seen.get(0).expireAt());
        assertEquals(77, seen.get(0).address());
        assertEquals(10, seen.get(0).valueLength());
        assertArrayEquals(new byte[0], seen.get(1).key());
        assertEquals(5678, seen.get(1).expireAt());
        assertEquals(0, seen.get(2).expireAt(), "a PUT has no expiry");

        Path file = dir.resolve(fileNames().get(0));
        int at = KeysFile.HEADER_SIZE;
        byte[] original = Files.readAllBytes(file);
        byte[] noExpiry = original.clone();
        java.nio.ByteBuffer.wrap(noExpiry)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(at + 19, 0);
        assertOpenFails(file, withChecksum(noExpiry, at), "expiry 0");
        byte[] database = original.clone();
        database[at + 27] = 7;
        assertOpenFails(file, withChecksum(database, at), "database 7");
        byte[] unchecked = original.clone();
        unchecked[at + 20] ^= 1; // the expiry is covered by the checksum
        assertOpenFails(file, unchecked, "checksum");
        byte[] pastTheEnd = original.clone();
        pastTheEnd[at + KeyRecord.KEY_LENGTH_OFFSET + 1] = (byte) 0xFF;
        assertOpenFails(file, pastTheEnd, "runs past the end");
        byte[] badKind = original.clone();
        badKind[at + KeyRecord.KIND_OFFSET] = 7; // 6 is ATOMIC_PART
        assertOpenFails(file, withChecksum(badKind, at), "bad record kind 7");
    }

    private void assertOpenFails(Path file, byte[] bytes, String why) throws IOException {
        Files.write(file, bytes);
        io.toykv.core.CorruptionException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.toykv.core.CorruptionException.class, () -> replay(dir));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    /** Recomputes the checksum of the record at {@code pos}, as a writer of these bytes would have. */
    private static byte[] withChecksum(byte[] file, int pos) {
        int bodyLength = (file[pos + KeyRecord.KEY_LENGTH_OFFSET] & 0xFF)
                | (file[pos + KeyRecord.KEY_LENGTH_OFFSET + 1] & 0xFF) << 8;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(
                file,
                pos + KeyRecord.KIND_OFFSET,
                KeyRecord.headerSize(file[pos + KeyRecord.KIND_OFFSET]) - KeyRecord.KIND_OFFSET + bodyLength);
        ByteBufferUtil.putInt(file, pos, (int) crc.getValue());
        return file;
    }

    private static final class ByteBufferUtil {
        static void putInt(byte[] a, int pos, int v) {
            java.nio.ByteBuffer.wrap(a).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(pos, v);
        }
    }

    /** The two ends of a compaction as the shard runs them (the delete after it lets go of the write lock). */
    private static long finishRewrite(KeysLog log, KeysLog.Rewrite r) throws IOException {
        long dropped = log.switchToRewrite(r);
        log.deleteReplaced(r);
        return dropped;
    }

    /** The index's entries as a rewrite walks them. */
    private static KeysLog.LiveKeys live(SortedIndex index) {
        SortedIndex.Cursor c = index.cursor(null);
        return new KeysLog.LiveKeys() {
            @Override
            public boolean next() {
                return c.next();
            }

            @Override
            public byte[] key() {
                return c.key();
            }

            @Override
            public int length() {
                return c.length();
            }

            @Override
            public long address() {
                return c.address();
            }
        };
    }
}
