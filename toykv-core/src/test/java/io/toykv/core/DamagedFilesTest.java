package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.io.FileNames;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.KeysFile;
import io.toykv.core.log.ValueBuffer;
import io.toykv.core.log.ValueRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Torn tails and bit flips in each kind of file. A torn tail (damage past what was ever forced) is cut
 * off and exactly the records before it survive; damage to forced data fails the open, or the read,
 * with the file and offset named. A wrong value is never returned.
 */
class DamagedFilesTest {
    private static final int N = 200;
    private static final int KEY_LENGTH = 6;

    @TempDir
    Path dir;

    private static StoreOptions oneShard() {
        return StoreOptions.defaults()
                .shards(1)
                .syncMode(SyncMode.NEVER)
                .bufferSize(1 << 20)
                .segmentSize(4 << 20)
                .keysFileSize(1 << 20)
                .maxValueSize(4000);
    }

    private static byte[] key(int i) {
        return String.format("k%05d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int i) {
        byte[] v = new byte[i % 300];
        new Random(i).nextBytes(v);
        return v;
    }

    private Path shardDir() {
        return FileNames.shardDir(dir, 0);
    }

    /** Writes N keys and leaves the files as a kill -9 would: nothing flushed, nothing forced. */
    private void writeAndCrash() throws IOException {
        Store s = Store.open(dir, oneShard());
        for (int i = 0; i < N; i++) {
            s.put(key(i), value(i));
        }
        s.abandon();
    }

    private void writeAndClose(StoreOptions options) throws IOException {
        try (Store s = Store.open(dir, options)) {
            for (int i = 0; i < N; i++) {
                s.put(key(i), value(i));
            }
        }
    }

    private static void overwrite(Path file, long from, long to, long seed) throws IOException {
        byte[] garbage = new byte[(int) (to - from)];
        new Random(seed).nextBytes(garbage);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(garbage), from);
        }
    }

    private static void flipBit(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x10));
            ch.write(b.rewind(), offset);
        }
    }

    /** Flips a bit in the value of key {@code i} as {@link #writeAndClose} left it in segment 1; returns its record's offset. */
    private long damageValueInFirstSegment(int i) throws IOException {
        long offset = 0;
        for (int j = 0; j < i; j++) {
            offset += ValueRecord.size(value(j).length);
        }
        flipBit(FileNames.segment(shardDir(), 1), offset + ValueRecord.HEADER_SIZE + 1);
        return offset;
    }

    private void assertExactlyFirst(int survivors) throws IOException {
        try (Store s = Store.open(dir, oneShard())) {
            assertEquals(survivors, s.size());
            for (int i = 0; i < N; i++) {
                if (i < survivors) {
                    assertArrayEquals(value(i), s.get(key(i)), "key " + i);
                } else {
                    assertNull(s.get(key(i)), "key " + i);
                }
            }
            // The store keeps working after the cut: new writes survive a clean reopen.
            s.put(key(N + 1), value(7));
        }
        try (Store s = Store.open(dir, oneShard())) {
            assertArrayEquals(value(7), s.get(key(N + 1)));
            assertEquals(survivors + 1, s.size());
        }
    }

    @RepeatedTest(5)
    void recoverCutsTornKeysLogTailAndKeepsEarlierRecords() throws IOException {
        writeAndCrash();
        Random r = new Random();
        int torn = r.nextInt(N);
        int recordSize = KeyRecord.size(KEY_LENGTH);
        long from = KeysFile.HEADER_SIZE + (long) torn * recordSize + r.nextInt(recordSize);
        overwrite(
                FileNames.keysFile(shardDir(), 1),
                from,
                KeysFile.HEADER_SIZE + (long) N * recordSize + 64,
                r.nextLong());
        assertExactlyFirst(torn);
    }

    @RepeatedTest(5)
    void recoverDropsKeysWhoseValuesWereTornFromTheBuffer() throws IOException {
        writeAndCrash();
        Random r = new Random();
        int torn = r.nextInt(N);
        long offset = ValueBuffer.HEADER_SIZE;
        for (int i = 0; i < torn; i++) {
            offset += ValueRecord.size(value(i).length);
        }
        long from = offset + r.nextInt(ValueRecord.HEADER_SIZE);
        overwrite(FileNames.buffer(shardDir()), from, from + 100_000, r.nextLong());
        assertExactlyFirst(torn);
    }

    @Test
    void bitFlipInForcedKeysLogFailsTheOpenNamingFileAndOffset() throws IOException {
        writeAndClose(oneShard());
        int victim = 123;
        long recordAt = KeysFile.HEADER_SIZE + (long) victim * KeyRecord.size(KEY_LENGTH);
        flipBit(FileNames.keysFile(shardDir(), 1), recordAt + KeyRecord.HEADER_SIZE + 2);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(dir, oneShard()));
        assertEquals(FileNames.keysFile(shardDir(), 1), e.file());
        assertEquals(recordAt, e.offset());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void bitFlipInKeysFileHeaderFailsTheOpen() throws IOException {
        writeAndClose(oneShard());
        flipBit(FileNames.keysFile(shardDir(), 1), 9);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(dir, oneShard()));
        assertEquals(8, e.offset(), "the number field");
    }

    /**
     * A keys file's header is updated in place, its synced length first and then its checksum: a kill -9
     * between the two leaves a checksum that does not match. That is no damage (the magic, version and
     * number hold): the store opens with every key, and writes the header whole again.
     */
    @Test
    void aHeaderWhoseSyncedLengthUpdateWasCutShortOpensWithEveryKey() throws IOException {
        writeAndClose(oneShard());
        Path keys = FileNames.keysFile(shardDir(), 1);
        try (FileChannel ch = FileChannel.open(keys, StandardOpenOption.WRITE)) {
            ByteBuffer synced = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            synced.putLong(0, KeysFile.HEADER_SIZE + 40L); // a new length, the old checksum
            ch.write(synced, 16);
        }
        for (int round = 0; round < 2; round++) {
            try (Store s = Store.open(dir, oneShard())) {
                assertEquals(N, s.size());
                for (int i = 0; i < N; i++) {
                    assertArrayEquals(value(i), s.get(key(i)), "key " + i);
                }
            }
        }
    }

    @Test
    void bitFlipInSegmentValueFailsThatGetAndNoOther() throws IOException {
        writeAndClose(oneShard());
        int victim = 77;
        long offset = damageValueInFirstSegment(victim);
        Path segment = FileNames.segment(shardDir(), 1);
        try (Store s = Store.open(dir, oneShard())) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> s.get(key(victim)));
            CorruptionException c = assertInstanceOf(CorruptionException.class, e.getCause());
            assertEquals(segment, c.file());
            assertEquals(offset, c.offset());
            for (int i = 0; i < N; i++) {
                if (i != victim) {
                    assertArrayEquals(value(i), s.get(key(i)));
                }
            }
            assertThrows(UncheckedIOException.class, () -> {
                try (ScanIterator it = s.scan(null, null)) {
                    it.forEachRemaining(e2 -> {});
                }
            });
        }
    }

    @Test
    void collectionLeavesADamagedLiveValueWhereItIsAndKeepsItsSegment() throws IOException {
        writeAndClose(oneShard());
        int victim = 77;
        damageValueInFirstSegment(victim);
        Path segment = FileNames.segment(shardDir(), 1);
        try (Store s = Store.open(dir, oneShard().autoCompaction(false))) {
            // Overwrite every key but the victim and one other, then fill the buffer past a segment,
            // so segment 1 is sealed, almost all garbage, and a victim of the next collection.
            for (int i = 0; i < N; i++) {
                if (i != victim && i != 5) {
                    s.put(key(i), value(i + 1));
                }
            }
            byte[] filler = new byte[3000];
            for (int i = 0; s.stats().segments() < 3; i++) {
                s.put(("f" + i % 10).getBytes(StandardCharsets.US_ASCII), filler); // garbage at once
            }
            s.compact();
            assertTrue(s.stats().gcBytesWritten() > 0, s.stats().toString());
            assertTrue(java.nio.file.Files.exists(segment), "the segment holding the damaged live value was deleted");
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> s.get(key(victim)));
            assertInstanceOf(CorruptionException.class, e.getCause());
            assertArrayEquals(value(5), s.get(key(5)));

            // Later collections leave the segment alone rather than try again and again, each trial
            // spending a segment id: the next segment a roll makes gets the next id or close to it.
            long before = highestSegmentId();
            for (int i = 0; i < 20; i++) {
                s.compact();
            }
            int segments = s.stats().segments();
            for (int i = 0; s.stats().segments() == segments; i++) {
                s.put(("g" + i % 10).getBytes(StandardCharsets.US_ASCII), filler);
            }
            assertTrue(
                    highestSegmentId() <= before + 3, "segment ids went from " + before + " to " + highestSegmentId());
            assertTrue(java.nio.file.Files.exists(segment));
        }
    }

    private long highestSegmentId() throws IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(shardDir())) {
            return files.mapToLong(p -> FileNames.parseSegment(p.getFileName().toString()))
                    .max()
                    .orElse(0);
        }
    }

    @Test
    void bitFlipInBufferedValueFailsTheReadNotWithAWrongValue() throws IOException {
        Store s = Store.open(dir, oneShard());
        s.put(key(1), value(299));
        s.abandon();
        // The value is still in the buffer: damage it there.
        flipBit(FileNames.buffer(shardDir()), ValueBuffer.HEADER_SIZE + ValueRecord.HEADER_SIZE + 5);
        try (Store again = Store.open(dir, oneShard())) {
            // Unforced data: the damaged record is a torn tail, so the key is gone rather than wrong.
            assertNull(again.get(key(1)));
        }
    }

    @Test
    void leftoversOfFileCreationsACrashCutShortAreRemovedAtOpen() throws IOException {
        writeAndClose(oneShard());
        // What a kill leaves mid-creation: temp files (a keys file, the buffer, a collection's segment),
        // and a segment made by a roll the buffer never reached (kept, and deleted by a collection).
        java.nio.file.Files.write(shardDir().resolve("00000002.k.tmp"), new byte[8192]);
        java.nio.file.Files.write(shardDir().resolve("values.b.tmp"), new byte[8192]);
        java.nio.file.Files.write(shardDir().resolve("00000009.v.tmp"), new byte[8192]);
        java.nio.file.Files.write(FileNames.segment(shardDir(), 2), new byte[0]);
        try (Store s = Store.open(dir, oneShard().segmentSize(64 * 1024).bufferSize(64 * 1024))) {
            for (int i = 0; i < N; i++) {
                assertArrayEquals(value(i), s.get(key(i)));
            }
            for (int i = 0; i < 2000; i++) {
                s.put(key(i), new byte[300]); // rolls to new segments, past the removed one's id
            }
        }
        assertTrue(!java.nio.file.Files.exists(shardDir().resolve("00000002.k.tmp")));
        assertTrue(!java.nio.file.Files.exists(shardDir().resolve("values.b.tmp")));
        assertTrue(!java.nio.file.Files.exists(shardDir().resolve("00000009.v.tmp")));
        try (Store s = Store.open(dir, oneShard())) {
            assertEquals(2000, s.size());
        }
    }

    /**
     * A power loss, played after an abandon: the buffer's data region from offset 0 on is lost (it
     * holds what was appended since the last flush, which nothing but a flush or a force promised to
     * keep). Returns how many bytes were overwritten.
     */
    private long loseBufferedRecords(long bytes) throws IOException {
        overwrite(FileNames.buffer(shardDir()), ValueBuffer.HEADER_SIZE, ValueBuffer.HEADER_SIZE + bytes, 99);
        return bytes;
    }

    private static long recordBytes(int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            total += ValueRecord.size(value(i).length);
        }
        return total;
    }

    @Test
    void powerLossAfterAKeysLogRewriteOpensWithEverySyncedWrite() throws IOException {
        Store s = Store.open(dir, oneShard().autoCompaction(false));
        for (int i = 0; i < N; i++) {
            s.put(key(i), value(i));
        }
        s.sync(); // round 1 is durable: flushed to segment 1, keys forced
        for (int i = 0; i < N; i++) {
            s.put(key(i), value(i + 1)); // round 2: in the buffer only (sync mode NEVER)
        }
        s.compact(); // rewrites the keys log: round 1's records are dead
        s.abandon();
        // Unless the rewrite made round 2's values durable before its key records, a power loss may
        // take them; the store must still open, with each key at one of the values it was given.
        loseBufferedRecords(recordBytes(1, N + 1));
        try (Store again = Store.open(dir, oneShard())) {
            assertEquals(N, again.size());
            for (int i = 0; i < N; i++) {
                byte[] v = again.get(key(i));
                assertTrue(
                        java.util.Arrays.equals(value(i), v) || java.util.Arrays.equals(value(i + 1), v), "key " + i);
            }
        }
    }

    @Test
    void powerLossAfterAKeysFileRollOpensWithEverySyncedWrite() throws IOException {
        StoreOptions options = oneShard().autoCompaction(false).keysFileSize(64 * 1024);
        Store s = Store.open(dir, options);
        for (int i = 0; i < N; i++) {
            s.put(key(i), value(i));
        }
        s.sync();
        // Round 2, new keys, enough key records to fill keys file 1 and start file 2 (so file 1 is
        // forced and no longer the last), few enough value bytes that the buffer is never flushed.
        int round2 = 3000;
        for (int i = N; i < N + round2; i++) {
            s.put(key(i), value(i % 50));
        }
        assertTrue(java.nio.file.Files.exists(FileNames.keysFile(shardDir(), 2)), "keys file 1 did not fill");
        s.abandon();
        long lost = 0;
        for (int i = N; i < N + round2; i++) {
            lost += ValueRecord.size(value(i % 50).length);
        }
        loseBufferedRecords(lost);
        try (Store again = Store.open(dir, options)) {
            for (int i = 0; i < N; i++) {
                assertArrayEquals(value(i), again.get(key(i)), "synced key " + i);
            }
            for (int i = N; i < N + round2; i++) {
                byte[] v = again.get(key(i));
                assertTrue(v == null || java.util.Arrays.equals(value(i % 50), v), "key " + i);
            }
        }
    }

    @Test
    void damagedManifestFailsTheOpen() throws IOException {
        writeAndClose(oneShard());
        flipBit(dir.resolve(FileNames.MANIFEST), 8);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(dir, oneShard()));
        assertEquals(dir.resolve(FileNames.MANIFEST), e.file());
    }

    @Test
    void bothBufferHeaderSlotsDamagedFailsTheOpen() throws IOException {
        writeAndClose(oneShard());
        flipBit(FileNames.buffer(shardDir()), 1);
        flipBit(FileNames.buffer(shardDir()), 65);
        assertThrows(CorruptionException.class, () -> Store.open(dir, oneShard()));
    }
}
