package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
     * repairs with default options: maxKeySize 1024), is only noted: the report says nothing was lost and
     * bin/toykv-repair exits 0, though the write is gone. The same key found in a shard directory is
     * counted as lost (copyAll).
     */
    @Test
    void aJournalRecordTheNewStoreRefusesCountsAsLost() throws IOException {
        byte[] longKey = new byte[1500];
        Arrays.fill(longKey, (byte) 'L');
        crashWithJournalOnlyWrites(s -> s.put(longKey, value("v1", 0)));

        StoreRepair.Report r = StoreRepair.repair(store, output, StoreOptions.defaults());

        assertFalse(r.lostNothing(), "an acknowledged write was not redone, yet:\n" + r);
    }

    /**
     * Manifest unreadable and the last shard's directory gone: the repair takes 1 shard (the highest
     * directory). The journal's first record of shard 1 then fails the scan's field check (shard >=
     * shards), so every later record, of shard 0 too, is dropped: acknowledged overwrites of shard 0's
     * keys that only the journal held are lost (and the report still says nothing was lost).
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
     * each open start two laps on, so the bytes after the last record are an earlier lap's). The repair
     * still says the reading stopped on "a write torn by the crash ..., or damage, after which any record
     * is lost": the routine end of every journal past its first lap reads as possible damage.
     */
    @Test
    void anUndamagedJournalIsNotReportedAsPossiblyDamaged() throws IOException {
        crashWithJournalOnlyWrites(s -> {
            for (int i = 0; i < 10; i++) {
                s.put(key(i), value("v1", i));
            }
        });

        StoreRepair.Report r = StoreRepair.repair(store, output, StoreOptions.defaults());

        assertFalse(r.toString().contains("damage"), r.toString());
    }
}
