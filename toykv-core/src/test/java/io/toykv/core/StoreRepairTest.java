package io.toykv.core;

import static io.toykv.core.MissingFilesTest.KEYS;
import static io.toykv.core.MissingFilesTest.key;
import static io.toykv.core.MissingFilesTest.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.ShardManifest;
import io.toykv.core.engine.ShardRouter;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of damage the open refuses, then a repair into a new directory: the new store opens, every
 * key that was not lost is there with its value, and the report counts what was lost.
 */
class StoreRepairTest {
    @TempDir
    Path root;

    private Path store() {
        return root.resolve("store");
    }

    private Path output() {
        return root.resolve("repaired");
    }

    private StoreRepair.Report repair() throws IOException {
        StoreRepair.Report r = StoreRepair.repair(store(), output());
        assertEquals(output(), r.output());
        return r;
    }

    /** Opens the repaired store and checks every key it has against what was written; returns how many it has. */
    private long assertRepairedHoldsOnlyTrueValues(int shards) throws IOException {
        try (Store s = Store.open(output())) {
            assertEquals(shards, s.options().shards());
            long present = 0;
            for (int i = 0; i < KEYS; i++) {
                byte[] v = s.get(key(i));
                if (v != null) {
                    assertArrayEquals(value(i), v, "key " + i);
                    present++;
                }
            }
            assertEquals(present, s.size());
            return present;
        }
    }

    @Test
    void missingKeysFileLosesOnlyItsKeys() throws IOException {
        MissingFilesTest.write(store(), 1);
        List<Path> keys = MissingFilesTest.files(FileNames.shardDir(store(), 0), FileNames.KEYS_SUFFIX);
        Files.delete(keys.get(1));
        assertThrows(CorruptionException.class, () -> Store.open(store(), MissingFilesTest.options(1)));

        StoreRepair.Report r = repair();
        assertEquals(1, r.keysFilesMissing());
        assertFalse(r.lostNothing());
        assertTrue(r.toString().contains("keys file " + keys.get(1).getFileName() + " is missing"), r.toString());
        long present = assertRepairedHoldsOnlyTrueValues(1);
        assertEquals(r.keysCopied(), present);
        assertTrue(present > 0 && present < KEYS, present + " keys");
    }

    @Test
    void missingSegmentLosesTheKeysWhoseValuesItHeld() throws IOException {
        MissingFilesTest.write(store(), 1);
        Files.delete(FileNames.segment(FileNames.shardDir(store(), 0), 1));

        StoreRepair.Report r = repair();
        assertEquals(1, r.segmentsMissing());
        assertTrue(r.keysWithoutValue() > 0);
        long present = assertRepairedHoldsOnlyTrueValues(1);
        assertEquals(KEYS, present + r.keysWithoutValue());
    }

    @Test
    void missingShardDirectoryLosesExactlyItsKeys() throws IOException {
        MissingFilesTest.write(store(), 4);
        MissingFilesTest.deleteTree(FileNames.shardDir(store(), 2));

        StoreRepair.Report r = repair();
        assertEquals(1, r.shardDirsMissing());
        try (Store s = Store.open(output())) {
            for (int i = 0; i < KEYS; i++) {
                if (ShardRouter.shardOf(key(i), 4) == 2) {
                    assertNull(s.get(key(i)), "key " + i);
                } else {
                    assertArrayEquals(value(i), s.get(key(i)), "key " + i);
                }
            }
            assertEquals(r.keysCopied(), s.size());
        }
    }

    @Test
    void missingManifestTakesTheShardCountFromTheShardDirectories() throws IOException {
        MissingFilesTest.write(store(), 8);
        Files.delete(store().resolve(FileNames.MANIFEST));

        StoreRepair.Report r = repair();
        assertEquals(8, r.shards());
        assertTrue(r.lostNothing(), r.toString());
        assertEquals(KEYS, assertRepairedHoldsOnlyTrueValues(8));
    }

    @Test
    void swappedShardDirectoriesAreReroutedNotDropped() throws IOException {
        MissingFilesTest.write(store(), 4);
        Path aside = store().resolve("aside");
        Files.move(FileNames.shardDir(store(), 0), aside);
        Files.move(FileNames.shardDir(store(), 3), FileNames.shardDir(store(), 0));
        Files.move(aside, FileNames.shardDir(store(), 3));

        StoreRepair.Report r = repair();
        assertTrue(r.lostNothing(), r.toString());
        long expected = 0;
        for (int i = 0; i < KEYS; i++) {
            int shard = ShardRouter.shardOf(key(i), 4);
            expected += shard == 0 || shard == 3 ? 1 : 0;
        }
        assertEquals(expected, r.keysRerouted());
        assertTrue(r.toString().contains("shard-000: holds the files of shard 3"), r.toString());
        assertEquals(KEYS, assertRepairedHoldsOnlyTrueValues(4));
    }

    @Test
    void shardDirectoryOfAnotherStoreIsReportedAndImportedOnlyWhenAskedFor() throws IOException {
        MissingFilesTest.write(store(), 2);
        Path other = root.resolve("other");
        MissingFilesTest.write(other, 2);
        MissingFilesTest.deleteTree(FileNames.shardDir(store(), 1));
        MissingFilesTest.copyTree(FileNames.shardDir(other, 1), FileNames.shardDir(store(), 1));
        long inShard0 = 0;
        for (int i = 0; i < KEYS; i++) {
            inShard0 += ShardRouter.shardOf(key(i), 2) == 0 ? 1 : 0;
        }

        StoreRepair.Report r = repair();
        assertTrue(r.toString().contains("shard-001: belongs to another store"), r.toString());
        assertTrue(r.toString().contains("not imported"), r.toString());
        assertEquals(1, r.foreignDirsNotImported());
        assertFalse(r.lostNothing(), "this store's shard 1 is lost");
        assertEquals(inShard0, assertRepairedHoldsOnlyTrueValues(2));

        MissingFilesTest.deleteTree(output());
        r = StoreRepair.repair(store(), output(), StoreOptions.defaults(), true);
        assertEquals(0, r.foreignDirsNotImported());
        assertEquals(KEYS, assertRepairedHoldsOnlyTrueValues(2));
    }

    @Test
    void aKeyDeletedInItsShardIsNotBroughtBackByAStrayCopy() throws IOException {
        MissingFilesTest.write(store(), 2);
        Path stray = root.resolve("stray");
        MissingFilesTest.copyTree(FileNames.shardDir(store(), 0), stray);
        long deletedInShard0 = 0;
        try (Store s = Store.open(store(), MissingFilesTest.options(2))) {
            for (int i = 0; i < 100; i++) {
                s.delete(key(i));
                deletedInShard0 += ShardRouter.shardOf(key(i), 2) == 0 ? 1 : 0;
            }
        }
        // A copy of shard 0 from before the deletes, left where the store does not look (past its shards).
        Files.move(stray, FileNames.shardDir(store(), 2));

        StoreRepair.Report r = repair();
        assertEquals(deletedInShard0, r.keysNotRestored(), r.toString());
        assertTrue(r.toString().contains("shard-002: " + deletedInShard0 + " live keys not copied"), r.toString());
        assertTrue(r.lostNothing(), r.toString());
        assertEquals(KEYS - 100, assertRepairedHoldsOnlyTrueValues(2));
        try (Store s = Store.open(output())) {
            for (int i = 0; i < 100; i++) {
                assertNull(s.get(key(i)), "deleted key " + i + " came back");
            }
        }
    }

    @Test
    void damagedShardManifestIsReportedAndTheShardSalvaged() throws IOException {
        MissingFilesTest.write(store(), 1);
        Files.write(FileNames.shardDir(store(), 0).resolve(ShardManifest.NAME), new byte[] {1, 2, 3});

        StoreRepair.Report r = repair();
        assertTrue(r.toString().contains("not a toykv shard manifest"), r.toString());
        assertEquals(KEYS, assertRepairedHoldsOnlyTrueValues(1));
    }

    @Test
    void repairOfAnIntactStoreCopiesEverythingAndLeavesItAsItWas() throws IOException {
        MissingFilesTest.write(store(), 2);
        StoreRepair.Report r = repair();
        assertTrue(r.lostNothing(), r.toString());
        assertEquals(KEYS, r.keysCopied());
        assertEquals(0, r.keysRerouted());
        assertEquals(KEYS, assertRepairedHoldsOnlyTrueValues(2));
        try (Store s = Store.open(store(), MissingFilesTest.options(2))) {
            assertEquals(KEYS, s.size());
        }
    }

    @Test
    void repairRefusesAStoreThatIsOpen() throws IOException {
        MissingFilesTest.write(store(), 1);
        try (Store s = Store.open(store(), MissingFilesTest.options(1))) {
            IOException e = assertThrows(IOException.class, () -> StoreRepair.repair(store(), output()));
            assertTrue(e.getMessage().contains("already open in this process"), e.getMessage());
            s.put(key(1), value(1)); // and the store is still fine
        }
    }

    @Test
    void repairRefusesAnOutputThatIsNotEmpty() throws IOException {
        MissingFilesTest.write(store(), 1);
        Files.createDirectories(output());
        Files.writeString(output().resolve("something"), "x");
        IOException e = assertThrows(IOException.class, () -> StoreRepair.repair(store(), output()));
        assertTrue(e.getMessage().contains("is not an empty directory"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StoreRepair.repair(store(), store().resolve("inside")));
    }
}
