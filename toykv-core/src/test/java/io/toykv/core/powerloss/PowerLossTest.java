package io.toykv.core.powerloss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Explores the crash states a power loss can leave while workloads run ({@link Explorer}) and checks
 * that each recovers what the store promised. Properties:
 * <ul>
 *   <li>{@code toykv.powerloss.states}: crash states to explore (default 10,000; a release run sets millions);
 *   <li>{@code toykv.powerloss.seed}: a master seed (default: the clock; printed at the start);
 *   <li>{@code toykv.powerloss.workload}: replay only the workload of this seed (printed with each failure);
 *   <li>{@code toykv.powerloss.ops}: ops a workload (default 120);
 *   <li>{@code toykv.powerloss.keep}: a directory to keep each failing crash state in, for FormatDump;
 *   <li>{@code toykv.powerloss.concurrentSyncs}: explore, at each buffer header change, another thread's
 *       sync landing there (default true; false leaves those crash points out);
 *   <li>{@code toykv.powerloss.keepWorking}: one in this many states (a seeded choice) is also written to,
 *       collected, reopened later on the explorer's clock and checked again (default 1: every state);
 *   <li>{@code toykv.powerloss.syncThread}: EVERY_SECOND stores run their own once-a-second sync thread
 *       instead of its rounds at seeded points of the workload (default false; true does not replay).
 * </ul>
 * Runs alone with {@code ./mvnw -q -pl toykv-core verify -Dgroups=power-loss}.
 */
@Tag("power-loss")
class PowerLossTest {
    @TempDir
    Path tempDir;

    /**
     * A directory on tmpfs when there is one: a crash state is written, opened and closed thousands of
     * times, and the forces of the simulated disk's own files need not reach a device.
     */
    private Path workDir() throws java.io.IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, "toykv-powerloss-");
        }
        return tempDir;
    }

    @Test
    void everyCrashStateRecoversWhatWasPromised() throws Exception {
        PrintStream out = System.out;
        Path work = workDir();
        Logger toykvLog = Logger.getLogger("io.toykv");
        Level level = toykvLog.getLevel();
        toykvLog.setLevel(Level.SEVERE); // every recovery logs what it cut off: thousands of lines
        try {
            explore(out, work);
        } finally {
            toykvLog.setLevel(level);
            Explorer.deleteTree(work);
        }
    }

    private static void explore(PrintStream out, Path work) throws Exception {
        long states = Long.getLong("toykv.powerloss.states", 10_000);
        int length = Integer.getInteger("toykv.powerloss.ops", 120);
        Long only = Long.getLong("toykv.powerloss.workload");
        long master = Long.getLong("toykv.powerloss.seed", System.nanoTime());
        out.println("power-loss exploration: master seed " + master + " (-Dtoykv.powerloss.seed=" + master + ")"
                + (only != null ? ", workload " + only : "") + ", " + states + " states");
        Explorer explorer = new Explorer(work, out, 2, 8, Integer.getInteger("toykv.powerloss.keepWorking", 1));
        explorer.stateLimit(states);
        explorer.syncThread(Boolean.getBoolean("toykv.powerloss.syncThread"));
        explorer.concurrentSyncs(Boolean.parseBoolean(System.getProperty("toykv.powerloss.concurrentSyncs", "true")));
        SplittableRandom seeds = new SplittableRandom(master);
        List<Explorer.Failure> failures = new ArrayList<>();
        long started = System.nanoTime();
        int workloads = 0;
        while (explorer.explored() < states && (only == null || workloads == 0)) {
            Workload w = Workload.generate(only != null ? only : seeds.nextLong(), length);
            long before = explorer.explored();
            Explorer.Failure f = explorer.run(w);
            workloads++;
            out.println("  workload seed " + w.seed() + " (" + w.syncMode() + ", " + w.shards() + " shard(s)"
                    + (w.autoCompaction() ? ", background GC" : "") + "): " + (explorer.explored() - before) + " states"
                    + (f == null ? "" : ", FAILED"));
            if (f != null) {
                out.println(f + " (replay: -Dtoykv.powerloss.workload=" + w.seed() + ")");
                Explorer.Failure shrunk = explorer.shrink(f, 40);
                out.println("  shrunk: " + shrunk);
                out.println("  shrunk workload: " + shrunk.workload());
                failures.add(f);
            }
        }
        out.printf(
                "crash states explored: %d, failures: %d (%d workloads, %.1f s)%n",
                explorer.explored(), failures.size(), workloads, (System.nanoTime() - started) / 1e9);
        out.println("  " + explorer.timings());
        assertEquals(
                List.of(), failures.stream().map(Explorer.Failure::toString).toList());
    }
}
