package io.toykv.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code toykv-bench}: the embedded workloads, YCSB A-F, and the README chart. */
@Command(
        name = "toykv-bench",
        mixinStandardHelpOptions = true,
        version = "toykv-bench 0.1.0",
        description = "Benchmarks toykv against RocksDB JNI on the same data.",
        subcommands = {EmbeddedCommand.class, YcsbCommand.class, ChartCommand.class, TableCommand.class})
public final class BenchMain {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
