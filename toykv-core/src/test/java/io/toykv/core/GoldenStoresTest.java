package io.toykv.core;

import static io.toykv.core.GoldenStore.OPTIONS;
import static io.toykv.core.GoldenStore.assertContents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.CommitJournal;
import io.toykv.core.engine.StoreManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A store of every format version, left by that version's last build as a kill -9 leaves it
 * ({@link GoldenStore}), opened by this one: it recovers, reads back, is upgraded to the current version,
 * takes writes, survives garbage collection and a crash. Version 1's own upgrade (its keyed records and
 * one-half buffer) is checked in detail by {@link FormatVersion1Test}.
 */
class GoldenStoresTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {1, 2, 3, 5, 6, 7, 8})
    void aStoreOfAnEarlierVersionOpensIsUpgradedAndKeepsWorking(int version) throws IOException {
        GoldenStore.unzip(version, dir);
        assertEquals(version, GoldenStore.manifestVersion(dir));
        Map<Integer, byte[]> model = GoldenStore.fixtureContents(version);
        Store s = Store.open(dir, OPTIONS);
        assertEquals(StoreManifest.VERSION, GoldenStore.manifestVersion(dir), "upgraded on open");
        assertContents(s, model);
        GoldenStore.writeCollectCrashAndReopen(s, dir, model);
    }

    /**
     * A version 7 store's journal keeps both header slots in its first sector, and holds writes no
     * checkpoint covered: it is replayed as it is, then, in ALWAYS mode, replaced by a journal whose slots
     * lie a sector apart (version 2), which takes the writes from then on.
     */
    @org.junit.jupiter.api.Test
    void aVersion7JournalIsReplayedAndReplacedByOneWithASectorPerSlot() throws IOException {
        GoldenStore.unzip(7, dir);
        Path journal = dir.resolve("journal.log");
        assertEquals(1, intAt(journal, 4), "the golden journal's slot 0 is of version 1");
        Map<Integer, byte[]> model = GoldenStore.fixtureContents(7);
        try (Store s = Store.open(dir, OPTIONS.copy().syncMode(SyncMode.ALWAYS))) {
            assertContents(s, model);
            assertEquals(CommitJournal.VERSION, intAt(journal, CommitJournal.SLOT_SPACING + 4), "replaced");
            s.put(GoldenStore.key(70), GoldenStore.value(70, 9));
            model.put(70, GoldenStore.value(70, 9));
            s.abandon();
        }
        try (Store s = Store.open(dir, OPTIONS)) {
            assertContents(s, model);
        }
    }

    private static int intAt(Path file, long at) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ch.read(b, at);
            return b.getInt(0);
        }
    }

    /** A version 5 store has no batch commit file: the upgrade makes one, and the store takes atomic batches. */
    @org.junit.jupiter.api.Test
    void aVersion5StoreTakesAtomicBatchesOnceUpgraded() throws IOException {
        GoldenStore.unzip(5, dir);
        Map<Integer, byte[]> model = GoldenStore.fixtureContents();
        try (Store s = Store.open(dir, OPTIONS)) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 40; i++) {
                batch.put(GoldenStore.key(i), GoldenStore.value(i, 9));
                model.put(i, GoldenStore.value(i, 9));
            }
            batch.delete(GoldenStore.key(40));
            model.remove(40);
            s.apply(batch);
            s.abandon();
        }
        try (Store s = Store.open(dir, OPTIONS)) {
            assertContents(s, model);
        }
    }

    /**
     * A version 6 store opened in ALWAYS mode gets its commit journal, and the writes made through it
     * are there after a kill -9, whatever mode reopens the store (any open replays the journal).
     */
    @org.junit.jupiter.api.Test
    void aVersion6StoreOpenedInAlwaysModeJournalsItsWrites() throws IOException {
        GoldenStore.unzip(6, dir);
        Map<Integer, byte[]> model = GoldenStore.fixtureContents();
        try (Store s = Store.open(dir, OPTIONS.copy().syncMode(SyncMode.ALWAYS))) {
            for (int i = 0; i < 60; i++) {
                s.put(GoldenStore.key(i), GoldenStore.value(i, 8));
                model.put(i, GoldenStore.value(i, 8));
            }
            s.delete(GoldenStore.key(61));
            model.remove(61);
            s.abandon();
        }
        assertTrue(java.nio.file.Files.exists(dir.resolve("journal.log")));
        try (Store s = Store.open(dir, OPTIONS)) {
            assertContents(s, model);
        }
    }
}
