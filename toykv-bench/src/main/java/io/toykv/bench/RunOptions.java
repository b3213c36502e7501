package io.toykv.bench;

import io.toykv.bench.engine.Durability;
import io.toykv.bench.engine.EngineKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options both benchmark commands share. */
final class RunOptions {
    @Option(
            names = "--engines",
            split = ",",
            defaultValue = "toykv,rocksdb,rocksdb-blob",
            description = "Engines to compare, run in turn (default: ${DEFAULT-VALUE}).")
    List<String> engines;

    @Option(
            names = "--durability",
            defaultValue = "everysec",
            description = "always, everysec or no, applied to every engine (default: ${DEFAULT-VALUE}).")
    String durability;

    @Option(
            names = "--dir",
            defaultValue = "${sys:java.io.tmpdir}/toykv-bench",
            description = "Where the stores' directories are made and deleted (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(
            names = "--out",
            defaultValue = "bench-results",
            description = "Directory for the CSV files (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--repeat",
            defaultValue = "1",
            description = "Repetitions of the whole rotation; the summary takes medians (default: ${DEFAULT-VALUE}).")
    int repeat;

    List<EngineKind> engineKinds() {
        List<EngineKind> kinds = new ArrayList<>();
        for (String e : engines) {
            kinds.add(EngineKind.parse(e.trim()));
        }
        return kinds;
    }

    Durability durabilitySetting() {
        return Durability.parse(durability);
    }
}
