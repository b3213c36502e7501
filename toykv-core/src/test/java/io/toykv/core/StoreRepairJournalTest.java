package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.CommitJournal;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store last opened in ALWAYS mode whose shards' logs lack the acknowledged writes its commit journal
 * holds (they were not forced: a power loss before the checkpoint), repaired: the repair redoes the
 * journal's records, reports how many, and reports a journal it cannot read without failing the rest.
 */
class StoreRepairJournalTest {
    private static final StoreOptions ALWAYS = StoreOptions.defaults()
            .shards(2)
            .syncMode(SyncMode.ALWAYS)
            .bufferSize(64 * 1024)
            .segmentSize(64 * 1024)
            .keysFileSize(64 * 1024)
            .maxValueSize(4000)
            .autoCompaction(false);
    /** Keys and values of one length: journal records of {@link #RECORD} bytes. */
    private static final int RECORD = CommitJournal.RECORD_HEADER + 7 + 6;

    /** The damaged store, the repair's output, and the shard directories kept aside. */
    @TempDir
    Path store;

    @TempDir
    Path output;

    @TempDir
    Path aside;

    static byte[] key(int i) {
        return String.format("key-%03d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] value(String round, int i) {
        return String.format("%s-%03d", round, i).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Writes 100 keys (closed cleanly: in the shards' logs), keeps a copy of the shard directories, then
     * in ALWAYS mode overwrites keys 0-49, deletes 50-59 and adds 100-119 (80 journal records, the first
     * at ring offset 0), and crashes; the shard directories are then put back as they were before those
     * writes, as a power loss that took the unforced shard pages leaves them ({@link UncoveredJournal}
     * keeps the journal uncovered). Returns what was acknowledged.
     */
    private Map<Integer, byte[]> storeWhoseShardsLackTheJournalsWrites() throws IOException {
        Map<Integer, byte[]> model = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            model.put(i, value("v0", i));
        }
        crashWithJournalOnlyWrites(store, aside, ALWAYS, s -> {
            for (int i = 0; i < 50; i++) {
                s.put(key(i), value("v1", i));
                model.put(i, value("v1", i));
            }
            for (int i = 50; i < 60; i++) {
                s.delete(key(i));
                model.remove(i);
            }
            for (int i = 100; i < 120; i++) {
                s.put(key(i), value("v2", i));
                model.put(i, value("v2", i));
            }
        });
        return model;
    }

    /** Writes made in a store by {@link #crashWithJournalOnlyWrites}. */
    interface StoreWrites {
        void run(Store s) throws IOException;
    }

    /**
     * Puts keys 0-99 (closed cleanly: in the shards' logs) in {@code store} with {@code always} options,
     * keeps a copy of the shard directories in {@code aside}, then runs {@code journalOnly} in ALWAYS mode
     * and crashes; the shard directories are then put back as they were before those writes, as a power
     * loss that took the unforced shard pages leaves them ({@link UncoveredJournal} keeps the journal
     * uncovered).
     */
    static void crashWithJournalOnlyWrites(Path store, Path aside, StoreOptions always, StoreWrites journalOnly)
            throws IOException {
        try (Store s = Store.open(store, always)) {
            for (int i = 0; i < 100; i++) {
                s.put(key(i), value("v0", i));
            }
        }
        for (int i = 0; i < always.shards(); i++) {
            copyTree(FileNames.shardDir(store, i), aside.resolve("shard-" + i));
        }
        Store s = Store.open(store, always.copy().fileIo(UncoveredJournal.IO));
        journalOnly.run(s);
        s.abandon();
        for (int i = 0; i < always.shards(); i++) {
            Path dir = FileNames.shardDir(store, i);
            MissingFilesTest.deleteTree(dir);
            copyTree(aside.resolve("shard-" + i), dir);
        }
    }

    @Test
    void theJournalsWritesAreReplayedIntoTheRepairedStore() throws IOException {
        Map<Integer, byte[]> model = storeWhoseShardsLackTheJournalsWrites();

        StoreRepair.Report r = StoreRepair.repair(store, output);

        assertEquals(100, r.keysCopied(), "the shards' logs hold only the first 100 keys");
        assertEquals(80, r.journalRecordsReplayed(), r.toString());
        assertEquals(0, r.journalsUnreadable());
        assertTrue(r.lostNothing(), r.toString());
        assertTrue(r.toString().contains("replayed 80 commit journal records"), r.toString());
        assertRepairedHolds(model);
    }

    @Test
    void aJournalWithoutAValidHeaderIsReportedAndTheShardsAreStillRepaired() throws IOException {
        storeWhoseShardsLackTheJournalsWrites();
        try (FileChannel ch = FileChannel.open(FileNames.journal(store), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(CommitJournal.HEADER_SIZE), 0); // both header slots gone
        }

        StoreRepair.Report r = StoreRepair.repair(store, output);

        assertEquals(1, r.journalsUnreadable());
        assertEquals(0, r.journalRecordsReplayed());
        assertFalse(r.lostNothing());
        assertTrue(r.toString().contains("journal.log cannot be read"), r.toString());
        Map<Integer, byte[]> shardsOnly = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            shardsOnly.put(i, value("v0", i));
        }
        assertRepairedHolds(shardsOnly);
    }

    @Test
    void aDamagedRecordEndsTheJournalsReplayAndIsReported() throws IOException {
        Map<Integer, byte[]> model = storeWhoseShardsLackTheJournalsWrites();
        long thirtieth = CommitJournal.HEADER_SIZE + 30L * RECORD;
        try (FileChannel ch = FileChannel.open(FileNames.journal(store), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x5A}), thirtieth + CommitJournal.RECORD_HEADER + 2);
        }

        StoreRepair.Report r = StoreRepair.repair(store, output);

        assertEquals(30, r.journalRecordsReplayed(), r.toString());
        assertTrue(r.toString().contains("reading stopped at position"), r.toString());
        for (int i = 30; i < 50; i++) {
            model.put(i, value("v0", i)); // their overwrites were in the records after the damage
        }
        for (int i = 50; i < 60; i++) {
            model.put(i, value("v0", i));
        }
        for (int i = 100; i < 120; i++) {
            model.remove(i);
        }
        assertRepairedHolds(model);
    }

    private void assertRepairedHolds(Map<Integer, byte[]> model) throws IOException {
        try (Store s = Store.open(output)) {
            assertEquals(model.size(), s.size());
            for (int i = 0; i < 130; i++) {
                byte[] expected = model.get(i);
                if (expected == null) {
                    assertNull(s.get(key(i)), "key " + i);
                } else {
                    assertArrayEquals(expected, s.get(key(i)), "key " + i);
                }
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
