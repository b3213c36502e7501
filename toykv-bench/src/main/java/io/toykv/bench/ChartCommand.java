package io.toykv.bench;

import io.toykv.bench.chart.RatioChart;
import io.toykv.bench.metrics.Csv;
import io.toykv.bench.metrics.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Draws the README picture from CSV files the benchmarks wrote. */
@Command(
        name = "chart",
        mixinStandardHelpOptions = true,
        description = "Draws throughput relative to RocksDB, per workload, from benchmark CSV files, as a PNG.")
final class ChartCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", description = "CSV files written by the embedded or ycsb command (raw or summary).")
    List<Path> csvFiles;

    @Option(names = "--png", required = true, description = "The PNG to write, e.g. imgs/bench-embedded.png.")
    Path png;

    @Option(names = "--title", defaultValue = "toykv against RocksDB JNI", description = "Chart title.")
    String title;

    @Override
    public Integer call() throws Exception {
        List<Result> rows = new ArrayList<>();
        for (Path f : csvFiles) {
            rows.addAll(Csv.read(f));
        }
        RatioChart.draw(rows, title, png);
        System.out.println("wrote " + png + " from " + rows.size() + " rows");
        return 0;
    }
}
