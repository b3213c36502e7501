package io.toykv.core.powerloss;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.SyncMode;
import io.toykv.core.engine.ShardRouter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A record written after an atomic batch that names one of the batch's values (an expiry change keeps
 * the value where it is; a collection's move names its copy) must never bring the batch back in part:
 * in the modes where a batch forces nothing, the open may abort it (a power loss took one of its parts),
 * and such a record would still hand its key the batch's value. Each test runs a short workload of its
 * own on the simulated disk and explores every crash state the {@link Explorer} finds for it.
 */
class RecordsNamingBatchValuesTest {
    private static final int KEYS = 40;
    /** The keys a batch writes ({@link Workload.Op#changes}) start here and lie below {@link #FILLER}. */
    private static final int BATCH_FROM = 1;
    /** Keys at or above this one only fill segments, so that the batch's segment becomes a victim. */
    private static final int FILLER = 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(
            value = SyncMode.class,
            names = {"EVERY_SECOND", "NEVER"})
    void anExpiryChangeNeverBringsBackPartOfAnAbortedBatch(SyncMode mode) throws IOException {
        List<Workload.Op> ops = initialPuts();
        Workload.Op batch = batchOverBothShards();
        ops.add(batch);
        for (Workload.BatchChange c : batch.changes(KEYS)) {
            ops.add(new Workload.Op(Workload.Kind.EXPIRE_AT, c.key(), 0, 60_000));
        }
        for (Workload.BatchChange c : batch.changes(KEYS)) {
            ops.add(new Workload.Op(Workload.Kind.PERSIST, c.key(), 0));
        }
        assertNull(explore(new Workload(1, mode, 2, 64 * 1024, false, KEYS, ops)));
    }

    @ParameterizedTest
    @EnumSource(
            value = SyncMode.class,
            names = {"EVERY_SECOND", "NEVER"})
    void aCollectionsMoveNeverBringsBackPartOfAnAbortedBatch(SyncMode mode) throws IOException {
        List<Workload.Op> ops = initialPuts();
        ops.add(batchOverBothShards());
        // Two rounds of filler: the first rolls the batch's segment in each shard, the second leaves
        // that segment mostly garbage, a victim whose live values (the batch's among them) are moved.
        for (int round = 0; round < 2; round++) {
            for (int k = FILLER; k < KEYS; k++) {
                ops.add(new Workload.Op(Workload.Kind.PUT, k, 7_000));
            }
        }
        ops.add(new Workload.Op(Workload.Kind.COMPACT, 0, 0));
        assertNull(explore(new Workload(2, mode, 2, 64 * 1024, false, KEYS, ops)));
    }

    /** Every key a batch may write put once, and synced: a batch's key aborted holds this put's value. */
    private static List<Workload.Op> initialPuts() {
        List<Workload.Op> ops = new ArrayList<>();
        for (int k = BATCH_FROM; k < FILLER; k++) {
            ops.add(new Workload.Op(Workload.Kind.PUT, k, 100));
        }
        ops.add(new Workload.Op(Workload.Kind.SYNC, 0, 0));
        return ops;
    }

    /** A BATCH whose puts land in both of two shards (the first seed that gives one). */
    private static Workload.Op batchOverBothShards() {
        for (long seed = 1; ; seed++) {
            Workload.Op op = new Workload.Op(Workload.Kind.BATCH, BATCH_FROM, 200, seed);
            boolean[] shards = new boolean[2];
            for (Workload.BatchChange c : op.changes(KEYS)) {
                if (c.size() >= 0) {
                    shards[ShardRouter.shardOf(Workload.key(c.key()), 2)] = true;
                }
            }
            if (shards[0] && shards[1]) {
                assertTrue(op.changes(KEYS).stream().allMatch(c -> c.key() < FILLER));
                return op;
            }
        }
    }

    private Explorer.Failure explore(Workload w) throws IOException {
        Logger toykvLog = Logger.getLogger("io.toykv");
        Level level = toykvLog.getLevel();
        toykvLog.setLevel(Level.SEVERE); // every recovery logs what it cut off
        Path shm = Path.of("/dev/shm"); // as PowerLossTest: states are written and reopened many times
        Path work = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "toykv-batch-values-")
                : dir;
        try {
            // Every force point with four sampled states besides all-lost and all-kept; one in eight of
            // the points between forces; one state in sixteen also checked to keep working.
            Explorer explorer = new Explorer(work, new PrintStream(OutputStream.nullOutputStream()), 4, 8, 16);
            return explorer.run(w);
        } finally {
            toykvLog.setLevel(level);
            Explorer.deleteTree(work);
        }
    }
}
