package io.toykv.bench.metrics;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The README's tables from summary rows: per suite, shape and thread count, one throughput and latency
 * table, and for the embedded suite one space and memory table built from the reopen rows.
 */
public final class MarkdownTables {
    private MarkdownTables() {}

    public static void print(Summary summary, PrintStream out) {
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : summary.rows()) {
            String g = r.suite() + ", " + r.shape() + ", " + r.threads() + " thread" + (r.threads() == 1 ? "" : "s");
            groups.computeIfAbsent(g, k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Result>> g : groups.entrySet()) {
            out.println("**" + g.getKey() + "**");
            out.println();
            out.println("| workload | engine | ops/s | vs RocksDB | p50 us | p99 us | p99.9 us |");
            out.println("|---|---|---:|---:|---:|---:|---:|");
            List<Result> reopen = new ArrayList<>();
            for (String w :
                    g.getValue().stream().map(Result::workload).distinct().toList()) {
                for (Result r : g.getValue()) {
                    if (!r.workload().equals(w)) {
                        continue;
                    }
                    if (!Double.isNaN(r.reopenMs())) {
                        reopen.add(r);
                        continue;
                    }
                    out.printf(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s | %s | %s |%n",
                            w,
                            r.engine(),
                            grouped(r.opsPerSec()),
                            ratio(summary.ratio(r)),
                            Result.fixed(r.p50Us(), 1),
                            Result.fixed(r.p99Us(), 1),
                            Result.fixed(r.p999Us(), 1));
                }
            }
            out.println();
            if (!reopen.isEmpty()) {
                out.println("| engine | reopen ms | write_bytes / user byte | disk bytes / live byte "
                        + "| heap bytes / key | off-heap bytes / key |");
                out.println("|---|---:|---:|---:|---:|---:|");
                for (Result r : reopen) {
                    out.printf(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s | %s |%n",
                            r.engine(),
                            Result.fixed(r.reopenMs(), 0),
                            Result.fixed(r.writeAmp(), 2),
                            Result.fixed(r.spaceAmp(), 2),
                            Result.fixed(r.heapBytesPerKey(), 0),
                            Result.fixed(r.offHeapBytesPerKey(), 0));
                }
                out.println();
            }
        }
    }

    /**
     * One line per workload with every engine side by side: throughput of each, toykv's ratio to RocksDB,
     * and p50 / p99 / p99.9 of toykv and RocksDB. Engines absent from the rows are left out.
     */
    public static void printWide(Summary summary, PrintStream out) {
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : summary.rows()) {
            String g = r.suite() + ", " + r.shape() + ", " + r.threads() + " thread" + (r.threads() == 1 ? "" : "s");
            groups.computeIfAbsent(g, k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Result>> g : groups.entrySet()) {
            List<String> engines =
                    g.getValue().stream().map(Result::engine).distinct().toList();
            out.println("**" + g.getKey() + "**");
            out.println();
            StringBuilder head = new StringBuilder("| workload |");
            StringBuilder rule = new StringBuilder("|---|");
            for (String e : engines) {
                head.append(' ').append(e).append(" ops/s |");
                rule.append("---:|");
            }
            head.append(" toykv / rocksdb | toykv p50 / p99 / p99.9 us | rocksdb p50 / p99 / p99.9 us |");
            rule.append("---:|---:|---:|");
            out.println(head);
            out.println(rule);
            for (String w :
                    g.getValue().stream().map(Result::workload).distinct().toList()) {
                StringBuilder line = new StringBuilder("| " + w + " |");
                Result toykv = null;
                Result rocks = null;
                for (String e : engines) {
                    Result r = find(g.getValue(), w, e);
                    line.append(' ')
                            .append(
                                    r == null
                                            ? ""
                                            : Double.isNaN(r.reopenMs())
                                                    ? grouped(r.opsPerSec())
                                                    : Result.fixed(r.reopenMs(), 0) + " ms")
                            .append(" |");
                    toykv = e.equals("toykv") ? r : toykv;
                    rocks = e.equals(Summary.BASELINE) ? r : rocks;
                }
                line.append(' ')
                        .append(toykv == null ? "" : ratio(summary.ratio(toykv)))
                        .append(" |");
                line.append(' ')
                        .append(latencies(toykv))
                        .append(" | ")
                        .append(latencies(rocks))
                        .append(" |");
                out.println(line);
            }
            out.println();
        }
    }

    private static Result find(List<Result> rows, String workload, String engine) {
        for (Result r : rows) {
            if (r.workload().equals(workload) && r.engine().equals(engine)) {
                return r;
            }
        }
        return null;
    }

    private static String latencies(Result r) {
        if (r == null || Double.isNaN(r.p50Us())) {
            return "";
        }
        return Result.fixed(r.p50Us(), 1) + " / " + Result.fixed(r.p99Us(), 1) + " / " + Result.fixed(r.p999Us(), 1);
    }

    private static String grouped(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ratio(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2fx", v);
    }
}
