package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM ({@link DatabasesCrashWriter}) with SIGKILL while it puts, deletes, moves keys
 * between databases, applies changes of two databases (with a swap between their writes, or without),
 * swaps and clears one database or all in
 * {@code ALWAYS} mode; reopens and checks every key of every database against what was acknowledged.
 * The operation in flight at the kill shows wholly or not at all: a moved key is in one database, never
 * both or neither, and a clear empties its database (or all) whole or leaves it as it was.
 */
class DatabasesCrashTest {
    private static final int DBS = DatabasesCrashWriter.DATABASES;

    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSwapsAndMovesSurviveKillNine() throws Exception {
        runRounds(dir.resolve("default"), "default", 3);
    }

    @Test
    void acknowledgedWritesSurviveKillNineWithTinyFilesThatFlushAndRollOften() throws Exception {
        runRounds(dir.resolve("small"), "small", 3);
    }

    /** Value op of each key (absent: not there), per database. */
    private static List<Map<Integer, Long>> copy(List<Map<Integer, Long>> m) {
        List<Map<Integer, Long>> c = new ArrayList<>();
        for (Map<Integer, Long> db : m) {
            c.add(new HashMap<>(db));
        }
        return c;
    }

    private void runRounds(Path store, String mode, int rounds) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Map<Integer, Long>> model = new ArrayList<>();
        for (int i = 0; i < DBS; i++) {
            model.add(new HashMap<>());
        }
        long nextOp = 1;
        int moves = 0;
        int swaps = 0;
        int applies = 0;
        int swapApplies = 0;
        // At least `rounds` rounds, and more (up to four times as many) until every kind of change has
        // happened at least once: a slow host gets through few changes before each kill.
        for (int round = 0;
                round < rounds || round < 4 * rounds && (moves == 0 || swaps == 0 || applies == 0 || swapApplies == 0);
                round++) {
            String ctx = "seed " + seed + " round " + round;
            List<String> lines = CrashTest.runAndKill(
                    DatabasesCrashWriter.class,
                    store,
                    random.nextLong(),
                    nextOp,
                    mode,
                    1500 + random.nextInt(2500), // each move and apply forces its log and databases
                    ctx);
            List<List<Map<Integer, Long>>> candidates = List.of(model);
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).split(" ");
                if (f[0].equals("OK") || f[0].equals("READY")) {
                    continue;
                }
                boolean acked = i + 1 < lines.size() && lines.get(i + 1).equals("OK");
                List<Map<Integer, Long>> after = copy(model);
                switch (f[0]) {
                    case "P" -> {
                        long op = Long.parseLong(f[3]);
                        after.get(Integer.parseInt(f[1])).put(Integer.parseInt(f[2]), op);
                        nextOp = Math.max(nextOp, op + 1);
                    }
                    case "D" -> after.get(Integer.parseInt(f[1])).remove(Integer.parseInt(f[2]));
                    case "M" -> {
                        int k = Integer.parseInt(f[1]);
                        Map<Integer, Long> from = after.get(Integer.parseInt(f[2]));
                        Map<Integer, Long> to = after.get(Integer.parseInt(f[3]));
                        if (from.containsKey(k) && !to.containsKey(k)) {
                            to.put(k, from.remove(k));
                            moves++;
                        }
                    }
                    case "S" -> {
                        int a = Integer.parseInt(f[1]);
                        int b = Integer.parseInt(f[2]);
                        Map<Integer, Long> t = after.get(a);
                        after.set(a, after.get(b));
                        after.set(b, t);
                        swaps++;
                    }
                    case "X" -> {
                        long op = Long.parseLong(f[3]);
                        Map<Integer, Long> other = after.get(Integer.parseInt(f[4]));
                        after.get(Integer.parseInt(f[1])).put(Integer.parseInt(f[2]), op);
                        other.remove(Integer.parseInt(f[5]));
                        other.put(Integer.parseInt(f[6]), op);
                        nextOp = Math.max(nextOp, op + 1);
                        applies++;
                    }
                    case "W" -> {
                        int a = Integer.parseInt(f[1]);
                        int b = Integer.parseInt(f[4]);
                        long op = Long.parseLong(f[3]);
                        after.get(a).put(Integer.parseInt(f[2]), op);
                        Map<Integer, Long> t = after.get(a);
                        after.set(a, after.get(b));
                        after.set(b, t);
                        after.get(a).put(Integer.parseInt(f[5]), op);
                        if (Boolean.parseBoolean(f[7])) {
                            after.get(b).clear();
                        } else {
                            after.get(b).remove(Integer.parseInt(f[6]));
                        }
                        nextOp = Math.max(nextOp, op + 1);
                        swapApplies++;
                    }
                    case "F" -> after.forEach(Map::clear);
                    default -> after.get(Integer.parseInt(f[1])).clear();
                }
                if (acked) {
                    model = after;
                } else {
                    candidates = List.of(model, after);
                }
            }
            if (candidates.size() == 1) {
                candidates = List.of(model); // every operation was acknowledged
            }
            try (Databases dbs = Databases.open(store, DatabasesCrashWriter.options(mode), DBS)) {
                List<Map<Integer, byte[]>> found = read(dbs);
                List<Map<Integer, Long>> matched = null;
                for (List<Map<Integer, Long>> c : candidates) {
                    matched = matched == null && shows(found, c) ? c : matched;
                }
                assertTrue(matched != null, ctx + ": found keys " + keysOf(found) + "; expected one of " + candidates);
                model = matched;
            }
        }
        assertTrue(
                moves > 0 && swaps > 0 && applies > 0 && swapApplies > 0,
                "seed " + seed + ": the run made " + moves + " moves, " + applies + " applies, " + swaps + " swaps and "
                        + swapApplies + " applies with a swap");
    }

    private static List<Map<Integer, byte[]>> read(Databases dbs) {
        List<Map<Integer, byte[]>> found = new ArrayList<>();
        for (int db = 0; db < DBS; db++) {
            Map<Integer, byte[]> keys = new HashMap<>();
            for (int k = 0; k < DatabasesCrashWriter.KEYS; k++) {
                byte[] v = dbs.database(db).get(CrashWriter.key(k));
                if (v != null) {
                    keys.put(k, v);
                }
            }
            assertTrue(
                    keys.size() == dbs.database(db).size(),
                    "database " + db + " size " + dbs.database(db).size() + " but " + keys.size() + " keys");
            found.add(keys);
        }
        return found;
    }

    /** Whether the store's keys are exactly the model's, each with the value of its operation. */
    private static boolean shows(List<Map<Integer, byte[]>> found, List<Map<Integer, Long>> model) {
        for (int db = 0; db < DBS; db++) {
            Map<Integer, byte[]> keys = found.get(db);
            Map<Integer, Long> expected = model.get(db);
            if (!keys.keySet().equals(expected.keySet())) {
                return false;
            }
            for (Map.Entry<Integer, Long> e : expected.entrySet()) {
                if (!Arrays.equals(CrashWriter.value(e.getValue()), keys.get(e.getKey()))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static List<Object> keysOf(List<Map<Integer, byte[]>> found) {
        List<Object> out = new ArrayList<>();
        for (Map<Integer, byte[]> db : found) {
            out.add(new java.util.TreeSet<>(db.keySet()));
        }
        return out;
    }
}
