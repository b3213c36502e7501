package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM ({@link LargeValueCrashWriter}) with SIGKILL while it puts large and small values,
 * reopens the store, and checks that every acknowledged write is there; then that a collection leaves
 * no segment that no key points at (what a kill between a large value's segment and its key record,
 * or between an overwrite and the collection, leaves behind).
 */
class LargeValueCrashTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedLargeValuesSurviveKillNineAndNoSegmentIsLeftWithoutAKey() throws Exception {
        runRounds(dir.resolve("default"), "default", 3);
    }

    @Test
    void acknowledgedLargeValuesSurviveKillNineDuringGarbageCollection() throws Exception {
        runRounds(dir.resolve("gc"), "gc", 3);
    }

    private void runRounds(Path store, String mode, int rounds) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<Integer, Long> model = new HashMap<>(); // key -> operation number of its value; -1 = deleted
        long nextOp = 1;
        int largeChecked = 0;
        for (int round = 0; round < rounds; round++) {
            String ctx = "seed " + seed + " round " + round;
            List<String> lines = CrashTest.runAndKill(
                    LargeValueCrashWriter.class,
                    store,
                    random.nextLong(),
                    nextOp,
                    mode,
                    500 + random.nextInt(1500),
                    ctx);
            CrashTest.InDoubt doubt = CrashTest.readLines(lines, model);
            nextOp = Math.max(nextOp, doubt.nextOp());
            Integer doubtfulKey = doubt.key();
            long doubtfulOp = doubt.op();
            try (Store s = Store.open(store, LargeValueCrashWriter.options(mode).autoCompaction(false))) {
                for (int k = 0; k < LargeValueCrashWriter.KEYS; k++) {
                    long op = model.getOrDefault(k, -1L);
                    byte[] expected = op < 0 ? null : LargeValueCrashWriter.value(op);
                    byte[] actual = s.get(CrashWriter.key(k));
                    if (doubtfulKey != null && k == doubtfulKey) {
                        byte[] after = doubtfulOp < 0 ? null : LargeValueCrashWriter.value(doubtfulOp);
                        assertTrue(
                                Arrays.equals(actual, expected) || Arrays.equals(actual, after),
                                ctx + ": in-doubt key " + k);
                        if (!Arrays.equals(actual, expected)) {
                            model.put(k, doubtfulOp);
                        }
                        continue;
                    }
                    assertArrayEquals(expected, actual, ctx + ": key " + k + " (op " + op + ")");
                    largeChecked += expected != null && expected.length > LargeValueCrashWriter.LARGE_VALUE ? 1 : 0;
                }
                s.compact();
                assertNoSegmentWithoutALiveValue(s, store, ctx);
            }
        }
        assertTrue(largeChecked > 0, "seed " + seed + ": no acknowledged large value was checked");
    }

    /** Every sealed segment holds something live, and no segment file is on disk but those the store lists and its heads. */
    private static void assertNoSegmentWithoutALiveValue(Store s, Path store, String ctx) throws IOException {
        Map<String, Long> garbage = s.stats().garbageBytesBySegment();
        for (Map.Entry<String, Long> e : garbage.entrySet()) {
            long size = Files.size(store.resolve(e.getKey()));
            assertTrue(e.getValue() < size, ctx + ": " + e.getKey() + " is all garbage after a collection");
        }
        for (int shard = 0; shard < 2; shard++) {
            Path dir = store.resolve(String.format("shard-%03d", shard));
            String prefix = dir.getFileName() + "/";
            try (Stream<Path> files = Files.list(dir)) {
                long unlisted = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".v") && !garbage.containsKey(prefix + n))
                        .count();
                // The head, and the one after it that the flusher makes ahead.
                assertTrue(unlisted <= 2, ctx + ": " + unlisted + " segment files of " + dir + " are not the store's");
            }
        }
    }
}
