package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM ({@link ClearCrashWriter}) with SIGKILL while it clears databases of thousands of
 * keys in sixteen shards, one database ({@code Store.clear}) or all ({@code Databases.clearAll}); after
 * the restart each clear is wholly there or wholly absent: a database holds every key or none, and a
 * clear of all leaves every database full or every one empty.
 */
class ClearCrashTest {
    private static final int DBS = ClearCrashWriter.DATABASES;

    @TempDir
    Path dir;

    @Test
    void aClearCutShortByKillNineIsWholeOrAbsent() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long next = 1;
        int clearsCut = 0;
        for (int round = 0; round < 12 && clearsCut < 3; round++) {
            String ctx = "seed " + seed + " round " + round;
            String mode = round % 2 == 0 ? "EVERY_SECOND" : "ALWAYS";
            List<String> lines = CrashTest.runAndKill(
                    ClearCrashWriter.class, dir, random.nextLong(), next, mode, 500 + random.nextInt(2500), ctx);
            // The state before the last step: after a W acknowledged, every database full of its value.
            long filled = -1;
            String inFlight = null;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                boolean acked = i + 1 < lines.size() && lines.get(i + 1).equals("OK");
                if (line.startsWith("W ")) {
                    long n = Long.parseLong(line.substring(2));
                    next = n + 1;
                    filled = acked ? n : -1;
                    inFlight = acked ? null : line;
                } else if (line.startsWith("C ") || line.equals("F")) {
                    inFlight = acked ? null : line;
                }
            }
            try (Databases dbs = Databases.open(dir, ClearCrashWriter.options(mode), DBS)) {
                long[] sizes = new long[DBS];
                for (int db = 0; db < DBS; db++) {
                    sizes[db] = dbs.database(db).size();
                }
                if (inFlight != null && inFlight.startsWith("C ")) {
                    int cleared = Integer.parseInt(inFlight.substring(2));
                    clearsCut++;
                    assertTrue(
                            sizes[cleared] == 0 || sizes[cleared] == ClearCrashWriter.KEYS,
                            ctx + ": database " + cleared + " cleared in part, " + sizes[cleared] + " keys left");
                    for (int db = 0; db < DBS; db++) {
                        if (db != cleared) {
                            assertEquals(ClearCrashWriter.KEYS, sizes[db], ctx + ": database " + db);
                            assertFull(dbs.database(db), filled, ctx);
                        }
                    }
                    if (sizes[cleared] > 0) {
                        assertFull(dbs.database(cleared), filled, ctx);
                    }
                } else if ("F".equals(inFlight)) {
                    clearsCut++;
                    boolean allFull = true;
                    boolean allEmpty = true;
                    for (long size : sizes) {
                        allFull &= size == ClearCrashWriter.KEYS;
                        allEmpty &= size == 0;
                    }
                    assertTrue(
                            allFull || allEmpty,
                            ctx + ": a clear of all cut short left " + java.util.Arrays.toString(sizes));
                }
            }
            dbs(dir, mode); // the next round starts from empty databases
        }
        System.out.println("ClearCrashTest seed " + seed + ": " + clearsCut + " clears cut short by the kill");
    }

    private static void assertFull(Store store, long value, String ctx) {
        for (int k = 0; k < ClearCrashWriter.KEYS; k += 97) {
            assertArrayEquals(CrashWriter.value(value), store.get(CrashWriter.key(k)), ctx + ": key " + k);
        }
    }

    /** Empties every database, so that a fill cut short by the next kill is told apart from a clear. */
    private static void dbs(Path dir, String mode) throws Exception {
        try (Databases dbs = Databases.open(dir, ClearCrashWriter.options(mode), DBS)) {
            dbs.clearAll();
        }
    }
}
