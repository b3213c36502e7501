package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.powerloss.CrashImage;
import io.toykv.core.powerloss.SimulatedDisk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database's directory (databases/db-N) and the entries that lead to it are forced before anything is
 * written to it: a MOVE to a database never used that returned survives a power loss, though the
 * source's delete and the DONE mark are forced too.
 */
class NewDatabaseSurvivesPowerLossTest {
    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StoreOptions options() {
        return StoreModelTest.smallFiles()
                .shards(2)
                .activeExpiry(false)
                .autoCompaction(false)
                .backgroundSync(false);
    }

    @Test
    void aMoveToANewDatabaseThatReturnedSurvivesAPowerLoss() throws IOException {
        Path root = tmp.resolve("disk");
        Path store = root.resolve("store");
        Files.createDirectories(store);
        // Before the simulated device: database 1 exists and the redo log exists (a first move).
        try (Databases dbs = Databases.open(store, options(), 16)) {
            dbs.database(1).put(b("x"), b("1"));
            dbs.move(b("x"), 1, 0);
        }
        SimulatedDisk disk = new SimulatedDisk(root);
        CrashImage image;
        Databases dbs = Databases.open(store, options().fileIo(disk), 16);
        try {
            dbs.database(0).put(b("k"), b("v"));
            dbs.database(0).sync();
            assertTrue(dbs.move(b("k"), 0, 5)); // returned: acknowledged, "durable in every sync mode"
            image = disk.capture();
        } finally {
            dbs.abandon();
        }
        Path after = tmp.resolve("after");
        Files.createDirectories(after);
        // CrashState.writeTo checks the parent only; an entry whose grandparent was lost is dropped here too.
        for (CrashImage.CrashState.Entry e :
                image.state(CrashImage.Mode.ALL_LOST, new Random(1)).entries()) {
            Path p = after.resolve(e.path().toString());
            if (!Files.isDirectory(p.getParent())) {
                System.out.println("lost with its directory: " + e.path());
                continue;
            }
            if (e.bytes() == null) {
                Files.createDirectories(p);
            } else {
                Files.write(p, e.bytes());
            }
        }
        try (Databases reopened = Databases.open(after.resolve("store"), options(), 16)) {
            boolean in0 = reopened.database(0).get(b("k")) != null;
            boolean in5 = reopened.database(5).get(b("k")) != null;
            assertTrue(in0 ^ in5, "after a power loss k is in db0: " + in0 + ", in db5: " + in5);
            assertTrue(in5, "the move returned, so k must be in db5");
        }
    }
}
