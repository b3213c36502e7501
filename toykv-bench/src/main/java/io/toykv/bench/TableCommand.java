package io.toykv.bench;

import io.toykv.bench.metrics.Csv;
import io.toykv.bench.metrics.MarkdownTables;
import io.toykv.bench.metrics.Result;
import io.toykv.bench.metrics.Summary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints the README's Markdown tables (medians over every row given) from benchmark CSV files. */
@Command(
        name = "table",
        mixinStandardHelpOptions = true,
        description = "Prints Markdown tables (medians, ratios to RocksDB) from benchmark CSV files.")
final class TableCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", description = "Raw CSV files written by the embedded or ycsb command.")
    List<Path> csvFiles;

    @Option(names = "--wide", description = "One line per workload, engines side by side.")
    boolean wide;

    @Override
    public Integer call() throws Exception {
        List<Result> rows = new ArrayList<>();
        for (Path f : csvFiles) {
            rows.addAll(Csv.read(f));
        }
        if (wide) {
            MarkdownTables.printWide(Summary.of(rows), System.out);
        } else {
            MarkdownTables.print(Summary.of(rows), System.out);
        }
        return 0;
    }
}
