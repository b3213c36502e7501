package io.toykv.core.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repair command's arguments and exit status. */
class RepairTest {
    @TempDir
    Path dir;

    private void writeStore(Path at) throws IOException {
        try (Store s = Store.open(at, StoreOptions.defaults().shards(2))) {
            for (int i = 0; i < 100; i++) {
                s.put(("k" + i).getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) i});
            }
        }
    }

    @Test
    void exitStatusSaysWhetherAnythingWasLost() throws IOException {
        Path store = dir.resolve("store");
        writeStore(store);
        assertEquals(0, Repair.run(new String[] {
            store.toString(), "--output", dir.resolve("a").toString()
        }));
        Files.delete(FileNames.keysFile(FileNames.shardDir(store, 1), 1));
        assertEquals(1, Repair.run(new String[] {
            store.toString(), "--output", dir.resolve("b").toString()
        }));
        // The output is not empty now: the repair cannot run.
        assertEquals(3, Repair.run(new String[] {
            store.toString(), "--output", dir.resolve("b").toString()
        }));
        assertEquals(1, Repair.run(new String[] {
            store.toString(), "--output", dir.resolve("c").toString(), "--import-foreign"
        }));
    }

    @Test
    void wrongArgumentsAreAUsageError() {
        assertEquals(2, Repair.run(new String[] {}));
        assertEquals(2, Repair.run(new String[] {"store", "out"}));
        assertEquals(2, Repair.run(new String[] {"store", "--output", "out", "--import-everything"}));
        assertEquals(0, Repair.run(new String[] {"--help"}));
    }
}
