package io.toykv.bench.gc;

import io.toykv.core.Entry;
import io.toykv.core.ScanIterator;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The engine issue's workload, the original toy-kv benchmark's shape: N shuffled {@code %08x} keys
 * with 256-byte values, one thread: random fill, N random gets, one full ordered scan, close, reopen.
 * Repeats it and prints each run plus the median, so one noisy run does not decide the figure.
 *
 * <pre>java -cp toykv-bench/target/toykv-bench.jar io.toykv.bench.gc.SeedBenchmark [n] [runs] [dir] [sync]</pre>
 */
public final class SeedBenchmark {
    private SeedBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path base = Path.of(args.length > 2 ? args[2] : "/tmp/toykv-seed-bench");
        SyncMode sync = args.length > 3 ? SyncMode.valueOf(args[3]) : SyncMode.EVERY_SECOND;
        System.out.printf(
                Locale.ROOT,
                "# seed workload: %d keys, 256-byte values, sync %s; %d cpus, java %s%n",
                n,
                sync,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        byte[][] keys = GcBenchmark.seedKeys(n);
        double[][] results = new double[6][runs];
        for (int run = 0; run < runs; run++) {
            Path dir = base.resolve("run" + run);
            GcBenchmark.deleteTree(dir);
            double[] r = once(dir, keys, StoreOptions.defaults().syncMode(sync));
            for (int i = 0; i < r.length; i++) {
                results[i][run] = r[i];
            }
            System.out.printf(
                    Locale.ROOT,
                    "run %d: %.0f puts/s, %.0f gets/s, %.0f scanned/s, reopen %.0f ms, index %.1f B/key,"
                            + " %.2f us CPU/put%n",
                    run,
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5]);
            GcBenchmark.deleteTree(dir);
        }
        System.out.printf(
                Locale.ROOT,
                "median: %.0f puts/s, %.0f gets/s, %.0f scanned/s, reopen %.0f ms, index %.1f B/key,"
                        + " %.2f us CPU/put%n",
                median(results[0]),
                median(results[1]),
                median(results[2]),
                median(results[3]),
                median(results[4]),
                median(results[5]));
    }

    private static double[] once(Path dir, byte[][] keys, StoreOptions options) throws Exception {
        int n = keys.length;
        byte[] value = new byte[256];
        new Random(1).nextBytes(value);
        double puts;
        double gets;
        double scanned;
        double indexBytes;
        double cpuPerPut;
        try (Store s = Store.open(dir, options)) {
            long cpu = processCpuNanos();
            long t = System.nanoTime();
            for (byte[] k : keys) {
                s.put(k, value);
            }
            puts = n / ((System.nanoTime() - t) / 1e9);
            cpuPerPut = (processCpuNanos() - cpu) / 1e3 / n;
            t = System.nanoTime();
            long found = 0;
            for (byte[] k : keys) {
                found += s.get(k) != null ? 1 : 0;
            }
            gets = n / ((System.nanoTime() - t) / 1e9);
            if (found != n) {
                throw new AssertionError("found " + found + " of " + n);
            }
            t = System.nanoTime();
            long count = 0;
            try (ScanIterator it = s.scan(null, null)) {
                while (it.hasNext()) {
                    Entry e = it.next();
                    count += e.value().length > 0 ? 1 : 0;
                }
            }
            scanned = count / ((System.nanoTime() - t) / 1e9);
            indexBytes = s.stats().indexBytes() / (double) n;
        }
        long t = System.nanoTime();
        try (Store s = Store.open(dir, options)) {
            double reopen = (System.nanoTime() - t) / 1e6;
            if (s.size() != n) {
                throw new AssertionError("reopened with " + s.size() + " keys");
            }
            return new double[] {puts, gets, scanned, reopen, indexBytes, cpuPerPut};
        }
    }

    /**
     * CPU time of the whole process (every thread, the collector's too): on a shared, noisy machine the
     * CPU a put costs moves much less than wall-clock throughput does.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(double[] xs) {
        double[] c = xs.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }
}
