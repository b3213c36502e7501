package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A crash after each step of the protocols of {@link Store#clear} and {@link Databases#apply} (and of
 * {@link Databases#move} and {@link Databases#clearAll}, which use it): {@link CrashPointFileIo} makes
 * every file change from the nth on fail, for each n until the operation completes; the directory is
 * then reopened on the real file system, and every database must show the operation wholly or not at
 * all (wholly, if it returned).
 */
class CrashPointTest {
    private static final int DBS = 3;
    private static final int KEYS = 20;

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    private static StoreOptions options(SyncMode mode) {
        return StoreModelTest.smallFiles()
                .shards(2)
                .syncMode(mode)
                .activeExpiry(false)
                .autoCompaction(false)
                .backgroundSync(false);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every database's keys and values, as strings. */
    private static List<Map<String, String>> contents(Databases dbs) {
        List<Map<String, String>> out = new ArrayList<>();
        for (int db = 0; db < DBS; db++) {
            Map<String, String> keys = new TreeMap<>();
            try (ScanIterator it = dbs.database(db).scan(null, null)) {
                while (it.hasNext()) {
                    Entry e = it.next();
                    keys.put(
                            new String(e.key(), StandardCharsets.UTF_8),
                            new String(e.value(), StandardCharsets.UTF_8) + "@"
                                    + dbs.database(db).expiry(e.key()));
                }
            }
            out.add(keys);
        }
        return out;
    }

    /** Key k is in database db unless k + db is a multiple of 3; every fifth key has an expiry. */
    private static void fill(Databases dbs) {
        for (int db = 0; db < DBS; db++) {
            WriteBatch batch = new WriteBatch(); // one force for all, not one a key (in ALWAYS mode)
            for (int k = 0; k < KEYS; k++) {
                if ((k + db) % 3 != 0) {
                    batch.put(b("k" + k), b("v" + k + "-" + db), k % 5 == 0 ? 4_000_000_000_000L : -1);
                }
            }
            dbs.database(db).apply(batch);
        }
    }

    private enum Operation {
        CLEAR(dbs -> dbs.database(1).clear()),
        CLEAR_ALL(Databases::clearAll),
        MOVE(dbs -> {
            assertTrue(dbs.move(b("k2"), 0, 1));
        }),
        MOVE_WITH_EXPIRY(dbs -> {
            assertTrue(dbs.move(b("k10"), 0, 2));
        }),
        APPLY(dbs -> dbs.apply(new DatabaseChanges()
                .put(0, b("k2"), b("new"), 4_100_000_000_000L)
                .delete(0, b("k4"))
                .clear(1)
                .put(1, b("only"), b("one"), Store.NO_EXPIRY)
                .expireAt(2, b("k1"), 4_200_000_000_000L)
                .persist(2, b("k5"))
                .put(2, b("k0"), b("three"), Store.NO_EXPIRY))),
        SWAP(dbs -> dbs.swap(0, 2)),
        /** Redis's SWAPDB in a transaction, with writes and a clear before and after each swap. */
        APPLY_WITH_SWAPS(dbs -> dbs.apply(new DatabaseChanges()
                .put(0, b("k2"), b("before"), 4_100_000_000_000L)
                .delete(1, b("k4"))
                .swap(0, 1)
                .put(0, b("after"), b("swap"), Store.NO_EXPIRY)
                .expireAt(1, b("k1"), 4_200_000_000_000L)
                .swap(1, 2)
                .clear(1)
                .put(1, b("fresh"), b("one"), Store.NO_EXPIRY)
                .persist(2, b("k5"))));

        final Consumer<Databases> run;

        Operation(Consumer<Databases> run) {
            this.run = run;
        }
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void aCrashAtAnyStepLeavesTheOperationWholeOrAbsent(Operation op) throws IOException {
        crashAtEachStep(op, SyncMode.EVERY_SECOND, 1);
    }

    /** In ALWAYS mode every write also forces the commit journal: every third change, so the test stays short. */
    @ParameterizedTest
    @EnumSource(Operation.class)
    void aCrashAtAnyThirdStepInAlwaysModeLeavesTheOperationWholeOrAbsent(Operation op) throws IOException {
        crashAtEachStep(op, SyncMode.ALWAYS, 3);
    }

    private void crashAtEachStep(Operation op, SyncMode mode, int stride) throws IOException {
        {
            List<Map<String, String>> before;
            List<Map<String, String>> after;
            long steps;
            Path reference = tmp.resolve(op + "-" + mode + "-reference");
            CrashPointFileIo counting = new CrashPointFileIo();
            try (Databases dbs = Databases.open(reference, options(mode).fileIo(counting), DBS)) {
                fill(dbs);
                before = contents(dbs);
                counting.arm(Long.MAX_VALUE);
                op.run.accept(dbs);
                steps = counting.changes();
                after = contents(dbs);
            }
            assertTrue(steps > 0, op + " changed no file");
            assertTrue(!before.equals(after), op + " changed nothing");
            int sawBefore = 0;
            int sawAfter = 0;
            for (long n = 1; n <= steps + 1; n = n + stride > steps + 1 && n < steps + 1 ? steps + 1 : n + stride) {
                String ctx = op + " " + mode + ", crash at change " + n + " of " + steps;
                Path dir = tmp.resolve(op + "-" + mode + "-" + n);
                CrashPointFileIo io = new CrashPointFileIo();
                boolean returned = false;
                Databases dbs = Databases.open(dir, options(mode).fileIo(io), DBS);
                try {
                    fill(dbs);
                    io.arm(n);
                    op.run.accept(dbs);
                    returned = true;
                } catch (RuntimeException expected) {
                    assertTrue(io.crashed(), ctx + ": failed without a crash: " + expected);
                } finally {
                    dbs.abandon(); // as the kill would: nothing more reaches the files
                }
                try (Databases reopened = Databases.open(dir, options(mode), DBS)) {
                    List<Map<String, String>> found = contents(reopened);
                    if (returned) {
                        assertEquals(after, found, ctx + ": returned, so it must be whole");
                    } else {
                        assertTrue(found.equals(before) || found.equals(after), ctx + ": in part: " + found);
                    }
                    sawBefore += found.equals(before) ? 1 : 0;
                    sawAfter += found.equals(after) ? 1 : 0;
                }
            }
            assertTrue(
                    sawBefore > 0 && sawAfter > 0,
                    op + " " + mode + ": " + sawBefore + " crashes left it absent, " + sawAfter + " whole");
        }
    }
}
