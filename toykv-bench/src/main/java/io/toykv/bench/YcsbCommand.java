package io.toykv.bench;

import io.toykv.bench.engine.EngineKind;
import io.toykv.bench.metrics.Csv;
import io.toykv.bench.metrics.DiskUsage;
import io.toykv.bench.metrics.Environment;
import io.toykv.bench.metrics.Result;
import io.toykv.bench.metrics.Summary;
import io.toykv.bench.workload.EmbeddedSuite;
import io.toykv.bench.ycsb.KvClient;
import io.toykv.bench.ycsb.YcsbRunner;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** YCSB core workloads A-F against every engine in turn, through YCSB's own client classes. */
@Command(
        name = "ycsb",
        mixinStandardHelpOptions = true,
        description = "For each YCSB core workload: for each engine, a fresh store, the load phase, then the "
                + "run phase. Writes <out>/ycsb-<time>.csv and -summary.csv.")
final class YcsbCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(
            names = "--workloads",
            split = ",",
            defaultValue = "a,b,c,d,e,f",
            description = "YCSB core workloads (default: ${DEFAULT-VALUE}).")
    List<String> workloads;

    @Option(names = "--records", defaultValue = "1000000", description = "recordcount (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(
            names = "--operations",
            defaultValue = "1000000",
            description = "operationcount of the run phase (default: ${DEFAULT-VALUE}).")
    long operations;

    @Option(names = "--threads", defaultValue = "1", description = "YCSB client threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = {"-p", "--property"},
            description = "Extra YCSB property name=value (repeatable), e.g. " + "-p fieldcount=1 -p fieldlength=256.")
    List<String> extra = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Files.createDirectories(run.dir);
        out.println("toykv-bench ycsb");
        Environment.print(out, run.dir);
        out.printf(
                Locale.ROOT,
                "%-12s workloads %s, %d records, %d operations, %d thread(s), durability %s, "
                        + "repeat %d, engines %s%n",
                "run:",
                workloads,
                records,
                operations,
                threads,
                run.durabilitySetting().label(),
                run.repeat,
                run.engines);
        out.println();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path csvFile = run.out.resolve("ycsb-" + stamp + ".csv");
        List<Result> all = new ArrayList<>();
        List<EngineKind> skipped = new ArrayList<>();
        try (Csv csv = Csv.create(csvFile)) {
            for (int rep = 1; rep <= run.repeat; rep++) {
                for (String w : workloads) {
                    String letter = w.trim().toLowerCase(Locale.ROOT);
                    for (EngineKind kind : EmbeddedSuite.rotation(run.engineKinds(), rep)) {
                        if (skipped.contains(kind)) {
                            continue;
                        }
                        Path dir = run.dir.resolve("ycsb-" + letter + "-" + kind.label() + "-r" + rep);
                        DiskUsage.deleteTree(dir);
                        Files.createDirectories(dir);
                        try {
                            Properties props = YcsbRunner.workload(letter);
                            props.setProperty("recordcount", Long.toString(records));
                            props.setProperty("operationcount", Long.toString(operations));
                            props.setProperty(KvClient.DIR_PROPERTY, dir.toString());
                            props.setProperty(
                                    KvClient.DURABILITY_PROPERTY,
                                    run.durabilitySetting().label());
                            for (String kv : extra) {
                                int eq = kv.indexOf('=');
                                if (eq < 1) {
                                    throw new IllegalArgumentException("-p wants name=value, got " + kv);
                                }
                                props.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
                            }
                            out.printf("  [rep %d] workload %s, %s%n", rep, letter, kind.label());
                            // Fail fast (and skip the engine) if it cannot open at all, before YCSB's
                            // threads would each print a stack trace.
                            kind.open(dir, run.durabilitySetting()).close();
                            for (boolean tx : new boolean[] {false, true}) {
                                String label = "ycsb-" + letter + (tx ? "" : "-load");
                                List<Result> rows = YcsbRunner.runPhase(props, kind, tx, threads, label, rep, out);
                                for (Result r : rows) {
                                    out.printf(
                                            Locale.ROOT,
                                            "    %-13s %-22s %12s ops/s  p50 %8s us  p99 %8s us  " + "p99.9 %8s us%n",
                                            r.engine(),
                                            r.workload(),
                                            String.format(Locale.ROOT, "%,.0f", r.opsPerSec()),
                                            show(r.p50Us()),
                                            show(r.p99Us()),
                                            show(r.p999Us()));
                                    csv.append(r);
                                    all.add(r);
                                }
                            }
                        } catch (UnsupportedOperationException e) {
                            out.println("    " + kind.label() + " skipped for the rest of the run: " + e.getMessage());
                            skipped.add(kind);
                        } finally {
                            DiskUsage.deleteTree(dir);
                        }
                    }
                }
            }
        }
        Summary summary = Summary.of(all);
        Path summaryFile = run.out.resolve("ycsb-" + stamp + "-summary.csv");
        Csv.write(summaryFile, summary.rows());
        out.println();
        out.println("Summary (medians; ratio = throughput / rocksdb's; YCSB latencies have 1 us resolution):");
        summary.print(out);
        out.println();
        out.println("CSV: " + csvFile + " and " + summaryFile);
        return 0;
    }

    private static String show(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }
}
