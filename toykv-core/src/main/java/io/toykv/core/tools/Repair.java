package io.toykv.core.tools;

import io.toykv.core.StoreOptions;
import io.toykv.core.StoreRepair;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The repair command ({@code bin/toykv-repair}): salvages a store that will not open into a new store
 * and prints what was lost. See {@link StoreRepair}.
 *
 * <pre>java -cp toykv-server.jar io.toykv.core.tools.Repair STORE_DIR --output NEW_DIR [--import-foreign]</pre>
 *
 * Exit status: 0 when nothing was lost, 1 when the repair finished but lost something, 2 for a usage
 * error, 3 when the repair could not run (the store is open, the output is not empty, an I/O error).
 */
public final class Repair {
    static final String USAGE = "usage: toykv-repair STORE_DIR --output NEW_DIR [--import-foreign]\n"
            + "  Copies what is readable in STORE_DIR into a new store in NEW_DIR (which must not exist, or be\n"
            + "  empty) and reports what was lost. STORE_DIR is only read (but for the pid in its LOCK), and must\n"
            + "  not be open. Then check the report, move STORE_DIR aside and NEW_DIR into its place.\n"
            + "  --import-foreign: also copy the keys of shard directories of another store, where no directory\n"
            + "  of this store has them (a key this store deleted comes back if the other store has it).";

    private Repair() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return 0;
        }
        boolean importForeign = args.length == 4 && args[3].equals("--import-foreign");
        if (args.length != (importForeign ? 4 : 3) || !args[1].equals("--output")) {
            System.err.println(USAGE);
            return 2;
        }
        try {
            StoreRepair.Report report =
                    StoreRepair.repair(Path.of(args[0]), Path.of(args[2]), StoreOptions.defaults(), importForeign);
            System.out.print(report);
            return report.lostNothing() ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("toykv-repair: " + e.getMessage());
            return 3;
        }
    }
}
