package io.toykv.bench.metrics;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Medians over repetitions and ratios to RocksDB: the figures the README shows. Every figure of a summary
 * row is the median of that figure over the repetitions (each taken separately, so a summary row need not
 * be one real run); the ratio is the median throughput over RocksDB's median throughput for the same suite,
 * shape, thread count and workload.
 */
public final class Summary {
    /** The engine ratios are taken against. */
    public static final String BASELINE = "rocksdb";

    private final List<Result> medians;

    private Summary(List<Result> medians) {
        this.medians = medians;
    }

    public static Summary of(List<Result> rows) {
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : rows) {
            groups.computeIfAbsent(groupKey(r, r.engine()), k -> new ArrayList<>())
                    .add(r);
        }
        List<Result> medians = new ArrayList<>();
        for (List<Result> g : groups.values()) {
            Result f = g.get(0);
            double seconds = median(g, Result::seconds);
            double opsPerSec = median(g, Result::opsPerSec);
            long ops = Double.isNaN(opsPerSec) ? f.ops() : Math.round(opsPerSec * seconds);
            medians.add(new Result(
                    f.suite(),
                    0,
                    f.engine(),
                    f.shape(),
                    f.threads(),
                    f.workload(),
                    ops,
                    seconds,
                    median(g, Result::p50Us),
                    median(g, Result::p99Us),
                    median(g, Result::p999Us),
                    medianLong(g, r -> r.userBytes()),
                    medianLong(g, r -> r.writeBytes()),
                    medianLong(g, r -> r.diskBytes()),
                    medianLong(g, r -> r.liveBytes()),
                    median(g, Result::heapBytesPerKey),
                    median(g, Result::offHeapBytesPerKey),
                    median(g, Result::reopenMs)));
        }
        return new Summary(medians);
    }

    public List<Result> rows() {
        return medians;
    }

    /**
     * Median throughput of {@code r} over the baseline's for the same suite, shape, threads and workload;
     * for the reopen workload, the baseline's reopen time over {@code r}'s (higher is better either way).
     */
    public double ratio(Result r) {
        for (Result b : medians) {
            if (b.engine().equals(BASELINE) && groupKey(b, BASELINE).equals(groupKey(r, BASELINE))) {
                if (!Double.isNaN(r.reopenMs()) && !Double.isNaN(b.reopenMs()) && r.reopenMs() > 0) {
                    return b.reopenMs() / r.reopenMs();
                }
                return r.opsPerSec() / b.opsPerSec();
            }
        }
        return Double.NaN;
    }

    /** Prints one fixed-width table of every summary row. */
    public void print(PrintStream out) {
        String fmt = "%-8s %-10s %2s  %-22s %-13s %12s %7s %9s %9s %9s %6s %6s %8s %8s %9s%n";
        out.printf(
                Locale.ROOT,
                fmt,
                "suite",
                "shape",
                "th",
                "workload",
                "engine",
                "ops/s",
                "ratio",
                "p50 us",
                "p99 us",
                "p99.9 us",
                "w-amp",
                "s-amp",
                "heap/key",
                "off/key",
                "reopen ms");
        for (Result r : medians) {
            out.printf(
                    Locale.ROOT,
                    fmt,
                    r.suite(),
                    r.shape(),
                    r.threads(),
                    r.workload(),
                    r.engine(),
                    Result.fixed(r.opsPerSec(), 0),
                    Result.fixed(ratio(r), 2),
                    Result.fixed(r.p50Us(), 2),
                    Result.fixed(r.p99Us(), 1),
                    Result.fixed(r.p999Us(), 1),
                    Result.fixed(r.writeAmp(), 2),
                    Result.fixed(r.spaceAmp(), 2),
                    Result.fixed(r.heapBytesPerKey(), 1),
                    Result.fixed(r.offHeapBytesPerKey(), 1),
                    Result.fixed(r.reopenMs(), 1));
        }
    }

    private static String groupKey(Result r, String engine) {
        return r.suite() + '\u0000' + engine + '\u0000' + r.shape() + '\u0000' + r.threads() + '\u0000' + r.workload();
    }

    /** Median of the known (non-NaN) values; the mean of the middle two for an even count; NaN if none. */
    static double median(List<Result> rows, ToDoubleFunction<Result> f) {
        double[] v = rows.stream()
                .mapToDouble(f)
                .filter(d -> !Double.isNaN(d))
                .sorted()
                .toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private static long medianLong(List<Result> rows, ToDoubleFunction<Result> f) {
        double m = median(rows, r -> {
            double d = f.applyAsDouble(r);
            return d < 0 ? Double.NaN : d;
        });
        return Double.isNaN(m) ? -1 : Math.round(m);
    }
}
