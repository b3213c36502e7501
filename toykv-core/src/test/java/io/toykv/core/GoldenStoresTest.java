package io.toykv.core;

import static io.toykv.core.GoldenStore.OPTIONS;
import static io.toykv.core.GoldenStore.assertContents;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.core.engine.StoreManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A store of every earlier format version, left by that version's last build as a kill -9 leaves it
 * ({@link GoldenStore}), opened by this one: it recovers, reads back, is upgraded to the current version,
 * takes writes, survives garbage collection and a crash. Version 1's own upgrade (its keyed records and
 * one-half buffer) is checked in detail by {@link FormatVersion1Test}.
 */
class GoldenStoresTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {1, 2, 3, 5})
    void aStoreOfAnEarlierVersionOpensIsUpgradedAndKeepsWorking(int version) throws IOException {
        GoldenStore.unzip(version, dir);
        assertEquals(version, GoldenStore.manifestVersion(dir));
        Map<Integer, byte[]> model = GoldenStore.fixtureContents();
        Store s = Store.open(dir, OPTIONS);
        assertEquals(StoreManifest.VERSION, GoldenStore.manifestVersion(dir), "upgraded on open");
        assertContents(s, model);
        GoldenStore.writeCollectCrashAndReopen(s, dir, model);
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
}
