package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.ShardManifest;
import io.toykv.core.engine.StoreManifest;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store knows its files: a missing, misplaced or foreign file fails the open with a message that
 * names it and the repair tool, instead of opening as a smaller store.
 */
class MissingFilesTest {
    static final int KEYS = 4000;

    @TempDir
    Path dir;

    static StoreOptions options(int shards) {
        return StoreOptions.defaults()
                .shards(shards)
                .syncMode(SyncMode.NEVER)
                .bufferSize(64 * 1024)
                .segmentSize(256 * 1024)
                .keysFileSize(64 * 1024)
                .maxValueSize(4000)
                .autoCompaction(false);
    }

    static byte[] key(int i) {
        return String.format("missing-files:key:%08d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] value(int i) {
        byte[] v = new byte[20 + i % 200];
        new Random(i).nextBytes(v);
        return v;
    }

    /** A store of {@code shards} shards holding {@link #KEYS} keys, several keys files and segments per shard. */
    static void write(Path at, int shards) throws IOException {
        try (Store s = Store.open(at, options(shards))) {
            for (int i = 0; i < KEYS; i++) {
                s.put(key(i), value(i));
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(f);
            }
        }
    }

    static List<Path> files(Path shardDir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(shardDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private CorruptionException refused(int shards, String... phrases) {
        CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(dir, options(shards)));
        for (String phrase : phrases) {
            assertTrue(e.getMessage().contains(phrase), e.getMessage());
        }
        assertTrue(e.getMessage().contains("bin/toykv-repair"), e.getMessage());
        return e;
    }

    private Path shard(int i) {
        return FileNames.shardDir(dir, i);
    }

    @Test
    void missingOnlyKeysFileFailsTheOpen() throws IOException {
        try (Store s = Store.open(dir, options(1))) {
            s.put(key(1), value(1));
        }
        Files.delete(FileNames.keysFile(shard(0), 1));
        CorruptionException e = refused(1, "keys file 1 is missing");
        assertEquals(FileNames.keysFile(shard(0), 1), e.file());
    }

    @Test
    void missingFirstMiddleOrLastKeysFileFailsTheOpen() throws IOException {
        write(dir, 1);
        List<Path> keys = files(shard(0), FileNames.KEYS_SUFFIX);
        assertTrue(keys.size() >= 3, "keys files: " + keys);
        for (Path victim : List.of(keys.get(0), keys.get(keys.size() / 2), keys.get(keys.size() - 1))) {
            Path aside = victim.resolveSibling("aside");
            Files.move(victim, aside);
            CorruptionException e = refused(1, "keys file", "is missing");
            assertEquals(victim, e.file());
            Files.move(aside, victim);
        }
        try (Store s = Store.open(dir, options(1))) {
            assertEquals(KEYS, s.size());
        }
    }

    @Test
    void missingSegmentThatLiveKeysNeedFailsTheOpen() throws IOException {
        write(dir, 1);
        Files.delete(FileNames.segment(shard(0), 1));
        refused(1, "is in a missing segment");
    }

    @Test
    void missingShardDirectoryFailsTheOpen() throws IOException {
        write(dir, 4);
        deleteTree(shard(2));
        refused(4, "shard directory shard-002 is missing (the store has 4 shards)");
        refused(4, "shard-002"); // and again: the failed open created nothing
    }

    @Test
    void missingManifestOfAStoreWithDataFailsTheOpen() throws IOException {
        write(dir, 8);
        Files.delete(dir.resolve(FileNames.MANIFEST));
        CorruptionException e = assertThrows(CorruptionException.class, () -> Store.open(dir));
        assertTrue(
                e.getMessage().contains("the store manifest is missing, but " + dir + " holds shard directories"),
                e.getMessage());
        assertTrue(Files.notExists(dir.resolve(FileNames.MANIFEST)), "no new manifest written");
    }

    @Test
    void swappedShardDirectoriesFailTheOpen() throws IOException {
        write(dir, 4);
        Path aside = dir.resolve("aside");
        Files.move(shard(0), aside);
        Files.move(shard(1), shard(0));
        Files.move(aside, shard(1));
        refused(4, "shard directory shard-000 holds the files of shard 1");
    }

    @Test
    void shardDirectoryOfAnotherStoreFailsTheOpen() throws IOException {
        write(dir, 2);
        Path other = dir.resolveSibling(dir.getFileName() + "-other");
        try {
            write(other, 2);
            deleteTree(shard(1));
            copyTree(FileNames.shardDir(other, 1), shard(1));
            refused(2, "shard directory shard-001 belongs to another store");
        } finally {
            deleteTree(other);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (Path f : files(from, "")) {
            Files.copy(f, to.resolve(f.getFileName()));
        }
    }

    @Test
    void newOrEmptyDirectoryStillCreatesAStore() throws IOException {
        Path fresh = dir.resolve("fresh");
        try (Store s = Store.open(fresh, options(3))) {
            s.put(key(1), value(1));
        }
        Files.createDirectories(dir.resolve("empty"));
        try (Store s = Store.open(dir.resolve("empty"), options(2))) {
            assertEquals(0, s.size());
        }
        try (Store s = Store.open(fresh, options(3))) {
            assertEquals(3, s.options().shards());
            assertArrayEquals(value(1), s.get(key(1)));
        }
    }

    /** Rewrites the store as a version 3 build left it: a sixteen-byte manifest and no shard manifests. */
    static void downgradeToVersion3(Path at, int shards) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, StoreManifest.MAGIC).putInt(4, 3).putInt(8, shards);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 12);
        b.putInt(12, (int) crc.getValue());
        Files.write(at.resolve(FileNames.MANIFEST), b.array());
        for (int i = 0; i < shards; i++) {
            Files.delete(FileNames.shardDir(at, i).resolve(ShardManifest.NAME));
        }
    }

    @Test
    void aStoreWithoutIdsIsUpgradedAtOpenAndCheckedFromThen() throws IOException {
        write(dir, 3);
        downgradeToVersion3(dir, 3);
        try (Store s = Store.open(dir, options(3))) {
            assertEquals(KEYS, s.size());
            assertArrayEquals(value(7), s.get(key(7)));
        }
        StoreManifest.Contents m = StoreManifest.read(dir);
        assertEquals(StoreManifest.VERSION, m.version());
        for (int i = 0; i < 3; i++) {
            ShardManifest.Contents c = ShardManifest.read(shard(i));
            assertEquals(m.storeId(), c.storeId());
            assertEquals(i, c.shard());
            List<Path> keys = files(shard(i), FileNames.KEYS_SUFFIX);
            assertEquals(keys.size(), c.lastKeysFile() - c.firstKeysFile() + 1);
        }
        Files.delete(files(shard(1), FileNames.KEYS_SUFFIX).get(0));
        refused(3, "is missing");
    }

    @Test
    void anUpgradeRefusesSwappedShardsOnceTheyHaveManifests() throws IOException {
        write(dir, 2);
        downgradeToVersion3(dir, 2);
        // A version 3 store has nothing to tell its shards apart: the open that upgrades it trusts the names.
        ShardManifest.write(shard(0), new ShardManifest.Contents(42, 1, 2, 1, 1));
        refused(2, "shard directory shard-000 holds the files of shard 1");
    }

    @Test
    void anUpgradeThatFailedAndIsRetriedGivesEveryShardTheNewId() throws IOException {
        write(dir, 2);
        downgradeToVersion3(dir, 2);
        // What an upgrade that failed after shard 0 opened leaves: its manifest, with that open's id.
        long files = files(shard(0), FileNames.KEYS_SUFFIX).size();
        ShardManifest.write(shard(0), new ShardManifest.Contents(42, 0, 2, 1, files));
        Store.open(dir, options(2)).close();
        try (Store s = Store.open(dir, options(2))) {
            assertEquals(KEYS, s.size());
        }
        assertEquals(
                StoreManifest.read(dir).storeId(), ShardManifest.read(shard(0)).storeId());
    }

    @Test
    void anUpgradeRebuildsTheKeysFileRangeAndTrustsNoLeftoverShardManifest() throws IOException {
        write(dir, 1);
        // An upgrade that failed left this shard manifest; then an older build opened the store and
        // rewrote its keys log (the compaction stands in for it), so the range it names is stale.
        byte[] stale = Files.readAllBytes(shard(0).resolve(ShardManifest.NAME));
        try (Store s = Store.open(dir, options(1))) {
            s.compact();
        }
        List<Path> keys = files(shard(0), FileNames.KEYS_SUFFIX);
        downgradeToVersion3(dir, 1);
        Files.write(shard(0).resolve(ShardManifest.NAME), stale);
        try (Store s = Store.open(dir, options(1))) {
            assertEquals(KEYS, s.size());
        }
        assertEquals(keys, files(shard(0), FileNames.KEYS_SUFFIX), "the upgrade deleted no keys file");
        ShardManifest.Contents c = ShardManifest.read(shard(0));
        assertEquals(StoreManifest.read(dir).storeId(), c.storeId());
        assertEquals(FileNames.keysFile(shard(0), c.firstKeysFile()), keys.get(0));
        assertEquals(FileNames.keysFile(shard(0), c.lastKeysFile()), keys.get(keys.size() - 1));
    }

    @Test
    void keysFilesPastTheRecordedOnesAreARollsKeptOrARewritesDeleted() throws IOException {
        write(dir, 1);
        ShardManifest.Contents before = ShardManifest.read(shard(0));
        long last = before.lastKeysFile();
        // A crash in a roll, after the new file and before its record: kept, and recorded by the open.
        io.toykv.core.log.KeysFile.create(
                        FileNames.keysFile(shard(0), last + 1),
                        last + 1,
                        64 * 1024,
                        io.toykv.core.io.FileAllocator.DEFAULT)
                .unmap();
        // A crash in a keys-log rewrite that named its last files but not its first (past a gap): the old
        // files hold everything, so the open deletes them.
        Files.copy(FileNames.keysFile(shard(0), last), FileNames.keysFile(shard(0), last + 3));
        try (Store s = Store.open(dir, options(1))) {
            assertEquals(KEYS, s.size());
        }
        assertTrue(Files.notExists(FileNames.keysFile(shard(0), last + 3)));
        assertEquals(last + 1, ShardManifest.read(shard(0)).lastKeysFile());
        assertEquals(before.firstKeysFile(), ShardManifest.read(shard(0)).firstKeysFile());
    }

    @Test
    void aKeysLogRewriteRecordsItsFilesAndTheOldOnesMayGo() throws IOException {
        write(dir, 1);
        try (Store s = Store.open(dir, options(1))) {
            for (int i = 0; i < KEYS; i += 2) {
                s.delete(key(i));
            }
            s.compact();
        }
        ShardManifest.Contents c = ShardManifest.read(shard(0));
        List<Path> keys = files(shard(0), FileNames.KEYS_SUFFIX);
        assertEquals(FileNames.keysFile(shard(0), c.firstKeysFile()), keys.get(0), "old files deleted: " + keys);
        assertEquals(FileNames.keysFile(shard(0), c.lastKeysFile()), keys.get(keys.size() - 1));
        try (Store s = Store.open(dir, options(1))) {
            assertEquals(KEYS / 2, s.size());
        }
    }

    private void writeShardManifest(byte[] bytes) throws IOException {
        Files.write(shard(0).resolve(ShardManifest.NAME), bytes);
    }

    @Test
    void malformedShardManifestsFailTheOpenByName() throws IOException {
        write(dir, 1);
        Path file = shard(0).resolve(ShardManifest.NAME);
        byte[] good = Files.readAllBytes(file);

        writeShardManifest(java.util.Arrays.copyOf(good, 20));
        assertEquals(
                file, refused(1, "shard manifest has 20 bytes, expected 44").file());

        byte[] flipped = good.clone();
        flipped[30] ^= 1;
        writeShardManifest(flipped);
        refused(1, "shard manifest checksum mismatch");

        byte[] garbage = new byte[44];
        new Random(7).nextBytes(garbage);
        writeShardManifest(garbage);
        refused(1, "not a toykv shard manifest (bad magic)");

        writeShardManifest(new byte[0]);
        refused(1, "not a toykv shard manifest (bad magic)");

        Files.delete(file);
        refused(1, "shard manifest is missing");

        writeShardManifest(good);
        try (Store s = Store.open(dir, options(1))) {
            assertEquals(KEYS, s.size());
        }
    }
}
