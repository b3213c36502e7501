package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with SIGKILL at a random moment, reopens the store, and checks that every
 * acknowledged write is there with the right value. Repeated on the same directory, so each round also
 * recovers on top of the last one's crash.
 */
class CrashTest {
    @TempDir
    Path dir;

    static StoreOptions options(String mode) {
        switch (mode) {
            case "small":
                return StoreModelTest.smallFiles();
            case "gc":
                return StoreModelTest.smallFiles().gcGarbageRatio(0.3);
            case "always":
                return StoreModelTest.smallFiles().gcGarbageRatio(0.3).syncMode(SyncMode.ALWAYS);
            default:
                return StoreOptions.defaults().shards(3).syncMode(SyncMode.NEVER);
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesKillNine() throws Exception {
        runRounds(dir.resolve("default"), "default", 3);
    }

    @Test
    void everyAcknowledgedWriteSurvivesKillNineWithTinyFilesThatFlushAndRollOften() throws Exception {
        runRounds(dir.resolve("small"), "small", 3);
    }

    @Test
    void everyAcknowledgedWriteSurvivesKillNineDuringGarbageCollection() throws Exception {
        Path store = dir.resolve("gc");
        runRounds(store, "gc", 4);
        // Whatever the interrupted collections left behind, the next one reclaims.
        try (Store s = Store.open(store, options("gc").autoCompaction(false))) {
            s.compact();
            for (Map.Entry<String, Long> e : s.stats().garbageBytesBySegment().entrySet()) {
                assertTrue(e.getValue() < 0.3 * 256 * 1024, e.getKey() + " kept " + e.getValue() + " garbage bytes");
            }
        }
    }

    /**
     * {@code ALWAYS} mode: each put is acknowledged once the commit journal is forced, the shards' logs
     * later; a kill lands among group commits, checkpoints and collections, and the journal's replay at
     * each reopen runs over shards that already hold most of its records.
     */
    @Test
    void everyAcknowledgedWriteSurvivesKillNineInAlwaysMode() throws Exception {
        runRounds(dir.resolve("always"), "always", 4);
    }

    private void runRounds(Path store, String mode, int rounds) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<Integer, Long> model = new HashMap<>(); // key -> operation number of its value; -1 = deleted
        long nextOp = 1;
        for (int round = 0; round < rounds; round++) {
            String ctx = "seed " + seed + " round " + round;
            List<String> lines = runAndKill(store, random.nextLong(), nextOp, mode, 300 + random.nextInt(1500), ctx);
            InDoubt doubt = readLines(lines, model);
            nextOp = Math.max(nextOp, doubt.nextOp());
            Integer doubtfulKey = doubt.key();
            Long doubtfulOp = doubt.op();
            try (Store s = Store.open(store, options(mode).autoCompaction(false))) {
                int checked = 0;
                for (Map.Entry<Integer, Long> e : model.entrySet()) {
                    byte[] actual = s.get(CrashWriter.key(e.getKey()));
                    if (e.getKey().equals(doubtfulKey)) {
                        // The killed operation may or may not have happened; either outcome is correct.
                        byte[] before = e.getValue() < 0 ? null : CrashWriter.value(e.getValue());
                        byte[] after = doubtfulOp < 0 ? null : CrashWriter.value(doubtfulOp);
                        assertTrue(
                                java.util.Arrays.equals(actual, before) || java.util.Arrays.equals(actual, after),
                                ctx + ": in-doubt key " + e.getKey());
                        model.put(e.getKey(), java.util.Arrays.equals(actual, after) ? doubtfulOp : e.getValue());
                        continue;
                    }
                    assertArrayEquals(
                            e.getValue() < 0 ? null : CrashWriter.value(e.getValue()),
                            actual,
                            ctx + ": key " + e.getKey() + " (op " + e.getValue() + ")");
                    checked++;
                }
                if (doubtfulKey != null && !model.containsKey(doubtfulKey)) {
                    byte[] actual = s.get(CrashWriter.key(doubtfulKey));
                    byte[] after = doubtfulOp < 0 ? null : CrashWriter.value(doubtfulOp);
                    assertTrue(actual == null || java.util.Arrays.equals(actual, after), ctx + ": new in-doubt key");
                    if (actual != null) {
                        model.put(doubtfulKey, doubtfulOp);
                    }
                }
                long live = model.values().stream().filter(op -> op >= 0).count();
                assertEquals(live, s.size(), ctx + ": live key count");
                assertTrue(checked > 0 || round > 0, ctx + ": the child acknowledged nothing");
            }
        }
    }

    /** What a child's lines leave in doubt: the key and operation (-1: a delete) of the last line not acknowledged. */
    record InDoubt(Integer key, long op, long nextOp) {}

    /**
     * Reads a child's {@code P key n} and {@code D key} lines, each followed by {@code OK} once
     * acknowledged: puts each acknowledged one into {@code model} (key to operation, -1 for a delete);
     * returns the one left in doubt (a null key if none) and the operation after the last one seen.
     */
    static InDoubt readLines(List<String> lines, Map<Integer, Long> model) {
        Integer doubtfulKey = null;
        long doubtfulOp = -1;
        long nextOp = 1;
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ");
            if (!f[0].equals("P") && !f[0].equals("D")) {
                continue;
            }
            int k = Integer.parseInt(f[1]);
            long op = f[0].equals("P") ? Long.parseLong(f[2]) : -1;
            nextOp = Math.max(nextOp, op + 1);
            if (i + 1 < lines.size() && lines.get(i + 1).equals("OK")) {
                model.put(k, op);
            } else {
                doubtfulKey = k;
                doubtfulOp = op;
            }
        }
        return new InDoubt(doubtfulKey, doubtfulOp, nextOp);
    }

    private static List<String> runAndKill(
            Path store, long seed, long firstOp, String mode, int killAfterMillis, String ctx) throws Exception {
        return runAndKill(CrashWriter.class, store, seed, firstOp, mode, killAfterMillis, ctx);
    }

    /** Runs {@code child}'s main with the store, seed, first operation and mode; kills it after a while; returns its lines. */
    static List<String> runAndKill(
            Class<?> child, Path store, long seed, long firstOp, String mode, int killAfterMillis, String ctx)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                child.getName(),
                store.toString(),
                Long.toString(seed),
                Long.toString(firstOp),
                mode));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            String first = in.readLine();
            if (!"READY".equals(first)) {
                p.destroyForcibly();
                fail(ctx + ": child did not start: " + first);
            }
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(killAfterMillis);
                    // SIGKILL on Unix: no shutdown hooks, no close, no flush. The handle's destroy, unlike
                    // Process.destroyForcibly, leaves our end of the pipe open so we read every line.
                    p.toHandle().destroyForcibly();
                } catch (InterruptedException ignored) {
                    p.toHandle().destroyForcibly();
                }
            });
            killer.start();
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
            killer.join();
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), ctx + ": child did not die");
        assertEquals(137, p.exitValue(), ctx + ": child was not killed by SIGKILL");
        return lines;
    }
}
