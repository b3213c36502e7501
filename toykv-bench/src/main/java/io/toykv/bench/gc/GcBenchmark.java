package io.toykv.bench.gc;

import io.toykv.bench.metrics.DiskBreakdown;
import io.toykv.bench.metrics.DiskUsage;
import io.toykv.bench.metrics.Latencies;
import io.toykv.bench.metrics.ProcIo;
import io.toykv.bench.workload.Keys;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.StoreStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The garbage-collection benchmark of issue 3: load N keys of the original's shape (8-byte keys,
 * 256-byte values), then M random overwrites (uniform, then Zipfian), with garbage collection on and
 * off, in one process run so the figures sit side by side. Reports overwrite throughput, write
 * amplification (bytes the process sent to the device, {@code write_bytes} in /proc/self/io, per byte
 * of user data), and space amplification (bytes on disk per live byte) at the end and at the peak,
 * and, as a comment line, the latency of the put calls (the value's random bytes are made outside the
 * timed call; the throughput includes them, over half of the writer's CPU by a JFR profile).
 *
 * <pre>java -Xms4g -Xmx4g -XX:+AlwaysPreTouch -cp toykv-bench/target/toykv-bench.jar io.toykv.bench.gc.GcBenchmark [keys] [overwrites] [dir]
 *     [gcGarbageRatio] [segment MiB] [uniform|zipfian|all] [gcSpaceTarget] [buffer KiB] [keys file KiB] [on|off|both] [warm|cold] [gc threads]</pre>
 *
 * The last five default to the store's defaults, both runs, a warm-up and the store's collector threads; {@code on} runs only the one with GC (for
 * sweeps of the space options, where the run without GC is the same every time).
 *
 * <p>Warm-up: before the measured runs, a fifth of the same work on a throwaway store, GC on then off,
 * not measured, so that the JIT has compiled the collector as it has the put path (which the load
 * compiles for both runs). Without it the first GC-on run shares the CPU with the compiler threads for
 * its first seconds (about 0.4 of a core over 3 s of an 8 s run on this 2-core machine), a cost
 * a long-running store pays once. {@code cold} skips it.
 */
public final class GcBenchmark {
    private static final int VALUE_SIZE = 256;

    private GcBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 3 * n;
        Path base = Path.of(args.length > 2 ? args[2] : "/tmp/toykv-gc-bench");
        double ratio = args.length > 3 ? Double.parseDouble(args[3]) : StoreOptions.DEFAULT_GC_GARBAGE_RATIO;
        long segment = args.length > 4 ? Long.parseLong(args[4]) << 20 : StoreOptions.DEFAULT_SEGMENT_SIZE;
        String only = args.length > 5 ? args[5] : "all";
        double target = args.length > 6 ? Double.parseDouble(args[6]) : StoreOptions.DEFAULT_GC_SPACE_TARGET;
        StoreOptions defaults = StoreOptions.defaults();
        if (args.length > 7) {
            defaults.bufferSize(Integer.parseInt(args[7]) << 10);
        }
        if (args.length > 8) {
            defaults.keysFileSize(Integer.parseInt(args[8]) << 10);
        }
        String gcRuns = args.length > 9 ? args[9] : "both";
        boolean warm = args.length <= 10 || args[10].equals("warm");
        if (args.length > 11) {
            defaults.gcThreads(Integer.parseInt(args[11]));
        }
        defaults.gcGarbageRatio(ratio).gcSpaceTarget(target).segmentSize(segment);
        System.out.printf(
                Locale.ROOT,
                "# gc benchmark: %d keys, %d overwrites, %d-byte values; %d cpus, max heap %d MiB, java %s%n",
                n,
                m,
                VALUE_SIZE,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"));
        boolean assertions = false;
        assert assertions = true;
        if (assertions) {
            System.out.println("# WARNING: assertions are enabled; figures are not representative");
        }
        if (!preTouched()) {
            // Without it, G1 may grow the young generation over heap never touched, and every 4 KiB of
            // it costs a page fault on first use, which can make the collector twice as slow.
            System.out.println(
                    "# WARNING: run with -XX:+AlwaysPreTouch (and -Xms = -Xmx); first-touch page faults skew the figures");
        }
        System.out.printf(
                Locale.ROOT,
                "# gcGarbageRatio %.2f, gcSpaceTarget %.2f, segmentSize %d MiB, bufferSize %d KiB,"
                        + " keysFileSize %d KiB, gcThreads %d, other options default%n",
                ratio,
                target,
                segment >> 20,
                defaults.bufferSize() >> 10,
                defaults.keysFileSize() >> 10,
                defaults.gcThreads());
        if (warm) {
            for (boolean gc : new boolean[] {true, false}) {
                Path dir = base.resolve("warm-up");
                deleteTree(dir);
                System.out.println("# warm-up, not measured: "
                        + run(dir, n / 5, m / 5, "uniform", defaults.copy().autoCompaction(gc), segment, false));
                deleteTree(dir);
            }
        } else {
            System.out.println("# no warm-up: the first GC-on run shares the CPU with the JIT compiling the collector");
        }
        System.out.println(
                "distribution | gc | overwrites/s | write amp | space amp end | space amp after compact() | space amp peak | gc MiB written | segments reclaimed");
        System.out.println("---|---|---|---|---|---|---|---|---");
        for (String dist : new String[] {"uniform", "zipfian"}) {
            if (!only.equals("all") && !only.equals(dist)) {
                continue;
            }
            for (boolean gc : new boolean[] {true, false}) {
                if (!gcRuns.equals("both") && gcRuns.equals("on") != gc) {
                    continue;
                }
                Path dir = base.resolve(dist + (gc ? "-gc" : "-nogc"));
                deleteTree(dir);
                System.out.println(run(dir, n, m, dist, defaults.copy().autoCompaction(gc), segment, true));
                deleteTree(dir);
            }
        }
    }

    static String run(Path dir, int n, int m, String dist, StoreOptions options, long segment, boolean describe)
            throws IOException {
        boolean gc = options.autoCompaction();
        byte[][] keys = seedKeys(n);
        byte[] value = new byte[VALUE_SIZE];
        Random r = new Random(7);
        long liveBytes = (long) n * (keys[0].length + VALUE_SIZE);
        try (Store s = Store.open(dir, options)) {
            for (byte[] k : keys) {
                r.nextBytes(value);
                s.put(k, value);
            }
            long written0 = ProcIo.writeBytes();
            long peak = bytesOnDisk(dir);
            KeyChooser chooser = dist.equals("uniform") ? KeyChooser.uniform(n, 11) : KeyChooser.zipfian(n);
            Latencies latencies = new Latencies();
            long t0 = System.nanoTime();
            for (int i = 0; i < m; i++) {
                r.nextBytes(value);
                byte[] key = keys[chooser.next()];
                long before = System.nanoTime();
                s.put(key, value);
                latencies.record(System.nanoTime() - before);
                if (i % 100_000 == 0) {
                    peak = Math.max(peak, bytesOnDisk(dir));
                }
            }
            long nanos = System.nanoTime() - t0;
            s.sync();
            long written = ProcIo.writeBytes() - written0;
            long end = bytesOnDisk(dir);
            peak = Math.max(peak, end);
            if (describe) {
                System.out.printf(
                        Locale.ROOT,
                        "# %s, gc %s: put latency (the put call alone) p50 %.1f us, p99 %.1f us,"
                                + " p99.9 %.0f us, p99.99 %.0f us, max %.0f us%n",
                        dist,
                        gc ? "on" : "off",
                        latencies.percentileMicros(50),
                        latencies.percentileMicros(99),
                        latencies.percentileMicros(99.9),
                        latencies.percentileMicros(99.99),
                        latencies.percentileMicros(100));
                describe(dist + ", gc " + (gc ? "on" : "off") + ", at the end", dir, s.stats(), liveBytes, segment);
            }
            if (gc) {
                s.compact(); // what is left once collection has caught up
                if (describe) {
                    describe(dist + ", gc on, after compact()", dir, s.stats(), liveBytes, segment);
                }
            }
            long settled = bytesOnDisk(dir);
            StoreStats st = s.stats();
            long userBytes = (long) m * (keys[0].length + VALUE_SIZE);
            return String.format(
                    Locale.ROOT,
                    "%s | %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.0f | %d",
                    dist,
                    gc ? "on" : "off",
                    m / (nanos / 1e9),
                    written / (double) userBytes,
                    end / (double) liveBytes,
                    settled / (double) liveBytes,
                    peak / (double) liveBytes,
                    st.gcBytesWritten() / 1048576.0,
                    st.gcSegmentsReclaimed());
        }
    }

    private static boolean preTouched() {
        try {
            return Boolean.parseBoolean(java.lang.management.ManagementFactory.getPlatformMXBean(
                            com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption("AlwaysPreTouch")
                    .getValue());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Prints, as comment lines, where the bytes on disk go and how garbage spreads over the sealed segments. */
    private static void describe(String when, Path dir, StoreStats st, long liveBytes, long segment) {
        System.out.println("# " + when + ": keys-log records " + (st.keysLogBytes() >> 20) + " MiB, values log "
                + (st.valuesLogBytes() >> 20) + " MiB in " + st.segments() + " segments, sealed garbage "
                + (st.garbageBytes() >> 20) + " MiB, puts paced " + st.gcPaceNanos() / 1_000_000 + " ms");
        for (String line :
                DiskBreakdown.describe(DiskBreakdown.of(dir), liveBytes).split("\n")) {
            System.out.println("#   " + line);
        }
        int[] byTenth = new int[11];
        for (long g : st.garbageBytesBySegment().values()) {
            byTenth[(int) Math.min(10, Math.max(0, g * 10 / segment))]++;
        }
        System.out.println(
                "#   sealed segments by garbage tenth (0-10%, 10-20%, ...): " + java.util.Arrays.toString(byTenth));
    }

    /** Blocks allocated under {@code dir}, in bytes ({@code du}): segments are sparse, so sizes overstate. */
    static long bytesOnDisk(Path dir) {
        return DiskUsage.allocatedBytes(dir);
    }

    /** The engine issue's keys: ids 0..n-1 shuffled with {@code new Random(42)}, as {@code %08x}. */
    static byte[][] seedKeys(int n) {
        int[] ids = Keys.shuffled(n, Keys.FILL_SEED);
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = Keys.key(ids[i], 8);
        }
        return keys;
    }

    static void deleteTree(Path dir) throws IOException {
        DiskUsage.deleteTree(dir);
    }
}
