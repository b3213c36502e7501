package io.toykv.bench;

import io.toykv.bench.engine.EngineKind;
import io.toykv.bench.metrics.Csv;
import io.toykv.bench.metrics.Environment;
import io.toykv.bench.metrics.Result;
import io.toykv.bench.metrics.Summary;
import io.toykv.bench.workload.EmbeddedSuite;
import io.toykv.bench.workload.Shape;
import io.toykv.bench.workload.Workload;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The embedded workloads (db_bench-like) against every engine in turn. */
@Command(
        name = "embedded",
        mixinStandardHelpOptions = true,
        description = "fillseq, fillrandom, overwrite, readrandom, readmissing, seekrandom, fullscan, reopen, "
                + "deleterandom against each engine in turn; writes <out>/embedded-<time>.csv and -summary.csv.")
final class EmbeddedCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(names = "--num", defaultValue = "1000000", description = "Keys per store (default: ${DEFAULT-VALUE}).")
    long num;

    @Option(
            names = "--shapes",
            split = ",",
            defaultValue = "k8v256,k16v1k,k16v4k",
            description = "Key/value shapes (default: ${DEFAULT-VALUE}).")
    List<String> shapes;

    @Option(
            names = "--threads",
            split = ",",
            defaultValue = "1,2",
            description = "Thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(
            names = "--workloads",
            split = ",",
            defaultValue =
                    "fillseq,fillrandom,overwrite,readrandom,readmissing,seekrandom,fullscan,reopen,deleterandom",
            description = "Workloads (fillrandom always runs when a later one is asked for).")
    List<String> workloads;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        List<EngineKind> engines = run.engineKinds();
        EnumSet<Workload> ws = EnumSet.noneOf(Workload.class);
        workloads.forEach(w -> ws.add(Workload.parse(w.trim())));
        List<Shape> shapeList = shapes.stream().map(s -> Shape.parse(s.trim())).toList();
        Files.createDirectories(run.dir);

        out.println("toykv-bench embedded");
        Environment.print(out, run.dir);
        out.printf(
                "%-12s %d keys, shapes %s, threads %s, durability %s, repeat %d, engines %s%n",
                "run:", num, shapes, threads, run.durabilitySetting().label(), run.repeat, run.engines);
        out.println();

        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path csvFile = run.out.resolve("embedded-" + stamp + ".csv");
        List<Result> all = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        EmbeddedSuite suite = new EmbeddedSuite(run.dir, num, run.durabilitySetting(), ws, out);
        try (Csv csv = Csv.create(csvFile)) {
            for (int rep = 1; rep <= run.repeat; rep++) {
                for (Shape shape : shapeList) {
                    for (int t : threads) {
                        for (EngineKind engine : EmbeddedSuite.rotation(engines, rep)) {
                            if (skipped.contains(engine.label())) {
                                continue;
                            }
                            out.printf(
                                    "  [rep %d] %s, %s, %d thread%s%n",
                                    rep, engine.label(), shape.name(), t, t == 1 ? "" : "s");
                            try {
                                suite.run(engine, shape, t, rep, r -> {
                                    all.add(r);
                                    try {
                                        csv.append(r);
                                    } catch (java.io.IOException e) {
                                        throw new java.io.UncheckedIOException(e);
                                    }
                                });
                            } catch (UnsupportedOperationException e) {
                                out.println("    " + engine.label() + " skipped for the rest of the run: "
                                        + e.getMessage());
                                skipped.add(engine.label());
                            }
                        }
                    }
                }
            }
        }
        Summary summary = Summary.of(all);
        Path summaryFile = run.out.resolve("embedded-" + stamp + "-summary.csv");
        Csv.write(summaryFile, summary.rows());
        out.println();
        out.println("Summary (medians over " + run.repeat + " repetition" + (run.repeat == 1 ? "" : "s")
                + "; ratio = throughput / rocksdb's, for reopen rocksdb's time / this one's):");
        summary.print(out);
        out.println();
        out.println("CSV: " + csvFile + " and " + summaryFile);
        return 0;
    }
}
