package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM ({@link AtomicBatchCrashWriter}) with SIGKILL while it applies atomic batches across
 * shards, reopens the store, and checks that the last batch found is whole (every key holds its value,
 * its marker is there and the marker before it is gone), that no key holds another batch's value, and
 * that it is the last acknowledged batch or the one in flight.
 */
class AtomicBatchCrashTest {
    @TempDir
    Path dir;

    @Test
    void everyBatchIsWhollyPresentOrWhollyAbsentAfterKillNine() throws Exception {
        runRounds(dir.resolve("default"), "default", 4);
    }

    @Test
    void batchesStayWholeAfterKillNineWithTinyFilesThatRollAndFlushOften() throws Exception {
        runRounds(dir.resolve("small"), "small", 4);
    }

    private void runRounds(Path store, String mode, int rounds) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long next = 1;
        long acknowledgedTotal = 0;
        for (int round = 0; round < rounds; round++) {
            String ctx = "seed " + seed + " round " + round;
            List<String> lines = CrashTest.runAndKill(
                    AtomicBatchCrashWriter.class,
                    store,
                    random.nextLong(),
                    next,
                    mode,
                    300 + random.nextInt(1200),
                    ctx);
            long lastAcked = next - 1;
            long inFlight = -1;
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).split(" ");
                if (f[0].equals("B")) {
                    long n = Long.parseLong(f[1]);
                    if (i + 1 < lines.size() && lines.get(i + 1).equals("OK")) {
                        lastAcked = n;
                        acknowledgedTotal++;
                    } else {
                        inFlight = n;
                    }
                }
            }
            try (Store s = Store.open(store, AtomicBatchCrashWriter.options(mode))) {
                byte[] first = s.get(CrashWriter.key(0));
                long found = lastAcked;
                if (first != null && inFlight > 0 && Arrays.equals(CrashWriter.value(inFlight), first)) {
                    found = inFlight;
                }
                if (found == 0) {
                    for (int k = 0; k < AtomicBatchCrashWriter.KEYS; k++) {
                        assertNull(s.get(CrashWriter.key(k)), ctx + ": key " + k + " without any batch");
                    }
                } else {
                    for (int k = 0; k < AtomicBatchCrashWriter.KEYS; k++) {
                        assertArrayEquals(
                                CrashWriter.value(found),
                                s.get(CrashWriter.key(k)),
                                ctx + ": key " + k + " should hold batch " + found + " (acknowledged " + lastAcked
                                        + ", in flight " + inFlight + ")");
                    }
                    assertNotNull(s.get(AtomicBatchCrashWriter.marker(found)), ctx + ": marker of batch " + found);
                    assertTrue(s.expiry(AtomicBatchCrashWriter.marker(found)) > 0, ctx + ": the marker's expiry");
                    assertNull(s.get(AtomicBatchCrashWriter.marker(found - 1)), ctx + ": batch " + found + "'s delete");
                }
                assertEquals(found == 0 ? 0 : AtomicBatchCrashWriter.KEYS + 1, s.size(), ctx + ": no stray key");
                next = found + 1;
            }
        }
        assertTrue(acknowledgedTotal > 0, "seed " + seed + ": no batch was acknowledged");
    }
}
