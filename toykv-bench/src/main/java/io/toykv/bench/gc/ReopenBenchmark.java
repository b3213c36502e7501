package io.toykv.bench.gc;

import io.toykv.core.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reopen in a fresh JVM, cold JIT included: the first call fills a store with the seed workload (N
 * shuffled {@code %08x} keys, 256-byte values) and closes it; each later call only opens it and prints
 * how long the open took. Run the open several times, each in its own JVM.
 *
 * <pre>
 * java -cp toykv-bench/target/toykv-bench.jar io.toykv.bench.gc.ReopenBenchmark /tmp/toykv-reopen 1000000   # fill
 * java -cp toykv-bench/target/toykv-bench.jar io.toykv.bench.gc.ReopenBenchmark /tmp/toykv-reopen           # open
 * </pre>
 */
public final class ReopenBenchmark {
    private ReopenBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ReopenBenchmark DIR [N]   (with N: fill DIR first; without: time one open)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        if (args.length == 2) {
            if (Files.exists(dir)) {
                GcBenchmark.deleteTree(dir);
            }
            byte[] value = new byte[256];
            try (Store s = Store.open(dir)) {
                for (byte[] k : GcBenchmark.seedKeys(Integer.parseInt(args[1]))) {
                    s.put(k, value);
                }
            }
            return;
        }
        long t = System.nanoTime();
        try (Store s = Store.open(dir)) {
            System.out.printf(
                    Locale.ROOT, "opened %d keys in %.0f ms (fresh JVM)%n", s.size(), (System.nanoTime() - t) / 1e6);
        }
    }
}
