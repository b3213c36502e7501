package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.StoreManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store whose {@link Store#clear} a crash cut short (its manifest has {@link StoreManifest#CLEARING})
 * opens empty: the open finishes the clear after replaying the shards and the journal. A repair of it
 * shows what the open shows, an empty store, and says why.
 */
class RepairFinishesAClearTest {
    private static final int KEYS = 40;

    @TempDir
    Path root;

    private Path store() {
        return root.resolve("store");
    }

    private static byte[] key(int i) {
        return ("cl-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aRepairFinishesAClearACrashCutShort() throws IOException {
        // ALWAYS: the journal holds the puts too, and the open replays it before it finishes the clear.
        StoreOptions options = TornBatchTest.options().syncMode(SyncMode.ALWAYS);
        try (Store s = Store.open(store(), options)) {
            for (int i = 0; i < KEYS; i++) {
                s.put(key(i), key(i));
            }
            s.abandon(); // a kill -9
        }
        // The crash came once the clear's mark was durable, before any shard's CLEAR record.
        StoreManifest.Contents m = StoreManifest.read(store());
        StoreManifest.write(store(), m.shards(), m.storeId(), true);

        Path out = root.resolve("repaired");
        StoreRepair.Report r = StoreRepair.repair(store(), out, options);
        assertEquals(0, r.keysCopied());
        assertEquals(0, r.journalRecordsReplayed());
        assertTrue(r.lostNothing(), r.toString());
        assertTrue(r.toString().contains("a clear (Store.clear) was under way"), r.toString());
        assertFalse(StoreManifest.read(out).clearing());
        try (Store s = Store.open(out, options)) {
            assertEquals(0, s.size());
        }

        Path copy = root.resolve("copy");
        TornBatchTest.copyTree(store(), copy);
        try (Store s = Store.open(copy, options)) {
            assertEquals(0, s.size(), "the open finishes the clear");
            assertNull(s.get(key(0)));
        }
    }
}
