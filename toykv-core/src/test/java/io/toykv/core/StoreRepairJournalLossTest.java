package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.ShardRouter;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repair's replay of journal.log: what it cannot redo counts as lost, and a routine end is not damage. */
class StoreRepairJournalLossTest {
    private static final StoreOptions ALWAYS = StoreOptions.defaults()
            .shards(2)
            .syncMode(SyncMode.ALWAYS)
            .bufferSize(64 * 1024)
            .segmentSize(64 * 1024)
            .keysFileSize(64 * 1024)
            .maxKeySize(2000)
            .maxValueSize(4000)
            .autoCompaction(false);

    @TempDir
    Path store;

    @TempDir
    Path output;

    @TempDir
    Path aside;

    private void crashWithJournalOnlyWrites(StoreRepairJournalTest.StoreWrites journalOnly) throws IOException {
        StoreRepairJournalTest.crashWithJournalOnlyWrites(store, aside, ALWAYS, journalOnly);
    }

    private static byte[] key(int i) {
        return StoreRepairJournalTest.key(i);
    }

    private static byte[] value(String round, int i) {
        return StoreRepairJournalTest.value(round, i);
    }

    /**
     * An acknowledged put only the journal holds, whose key the new store's limits refuse (the CLI always
     * repairs with default options: maxKeySize 1024), counts as lost, as the same key found in a shard
     * directory does.
     */
    @Test
    void aJournalRecordTheNewStoreRefusesCountsAsLost() throws IOException {
        byte[] longKey = new byte[1500];
        Arrays.fill(longKey, (byte) 'L');
        crashWithJournalOnlyWrites(s -> s.put(longKey, value("v1", 0)));

        StoreRepair.Report r = StoreRepair.repair(store, output, StoreOptions.defaults());

        assertEquals(1, r.journalRecordsLost(), r.toString());
        assertFalse(r.lostNothing(), "an acknowledged write was not redone, yet:\n" + r);
    }

    /**
     * Manifest unreadable and the last shard's directory gone: the repair takes 1 shard (the highest
     * directory). The journal's records of shard 1 do not end its reading: the later records of shard 0,
     * acknowledged overwrites only the journal held, are redone, and the missing shard counts as lost.
     */
    @Test
    void aGuessedShardCountDoesNotEndTheJournalAtTheFirstRecordOfAHigherShard() throws IOException {
        crashWithJournalOnlyWrites(s -> {
            for (int i = 0; i < 50; i++) {
                s.put(key(i), value("v1", i));
            }
        });
        Files.delete(store.resolve(FileNames.MANIFEST));
        MissingFilesTest.deleteTree(FileNames.shardDir(store, 1));

        StoreRepair.Report r = StoreRepair.repair(store, output, StoreOptions.defaults());

        assertEquals(1, r.shardDirsMissing(), "shard 1's directory, which the journal shows\n" + r);
        assertFalse(r.lostNothing(), r.toString());
        try (Store s = Store.open(output)) {
            for (int i = 0; i < 50; i++) {
                if (ShardRouter.shardOf(key(i), 2) == 0) {
                    assertArrayEquals(value("v1", i), s.get(key(i)), "key " + i + " of shard 0\n" + r);
                }
            }
        }
    }

    /**
     * Nothing damaged: a crash left journal-only writes in a ring past its first lap (the positions of
     * each open start two laps on, so the bytes after the last record are an earlier lap's). That routine
     * end of the reading is not reported as possible damage: no record checks out past it.
     */
    @Test
    void anUndamagedJournalIsNotReportedAsPossiblyDamaged() throws IOException {
        crashWithJournalOnlyWrites(s -> {
            for (int i = 0; i < 10; i++) {
                s.put(key(i), value("v1", i));
            }
        });

        StoreRepair.Report r = StoreRepair.repair(store, output, StoreOptions.defaults());

        // The notes: the report's counts always name "keys files damaged".
        assertFalse(r.notes().stream().anyMatch(n -> n.contains("damage")), r.toString());
    }

    /** A record damaged among the journal-only ones: records check out past where the reading stopped. */
    @Test
    void aDamagedRecordWithRecordsPastItIsReportedAsDamage() throws IOException {
        crashWithJournalOnlyWrites(s -> {
            for (int i = 0; i < 10; i++) {
                s.put(key(i), value("v1", i));
            }
        });
        Path journal = FileNames.journal(store);
        byte[] bytes = Files.readAllBytes(journal);
        byte[] fourth = value("v1", 3);
        int at = indexOf(bytes, fourth);
        bytes[at] ^= 0x40; // the fourth record's value: its checksum fails
        Files.write(journal, bytes);

        StoreRepair.Report r = StoreRepair.repair(store, output, StoreOptions.defaults());

        assertTrue(r.notes().stream().anyMatch(n -> n.contains("damage")), r.toString());
        assertEquals(3, r.journalRecordsReplayed(), r.toString());
    }

    private static int indexOf(byte[] in, byte[] what) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        throw new AssertionError("not in the journal");
    }
}
