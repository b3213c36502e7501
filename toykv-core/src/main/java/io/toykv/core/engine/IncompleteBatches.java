package io.toykv.core.engine;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The open's check that every atomic batch it applies is whole. A batch committed without forces
 * ({@link BatchCommits}: every mode but {@code ALWAYS}) names how many parts it wrote; a power loss can
 * keep its commit record and lose a part (their pages reach the disk in any order). Once every shard
 * has replayed its keys log ({@link Shard#recover}) and before any builds its index, such a batch is
 * aborted in {@code batches.log}, durably, and every shard builds its index without it
 * ({@link Shard.Recovering#finish}): it counts nowhere.
 */
public final class IncompleteBatches {
    private static final System.Logger LOG = System.getLogger(IncompleteBatches.class.getName());

    private IncompleteBatches() {}

    /**
     * Aborts the committed batches the replays of {@code shards} did not find whole, and returns their
     * ids, sorted (none: an empty array).
     */
    public static long[] abort(BatchCommits commits, List<Shard.Recovering> shards) throws IOException {
        long[] incomplete = commits.incomplete(
                shards.stream().map(Shard.Recovering::committedParts).toList());
        if (incomplete.length > 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "atomic batches " + Arrays.toString(incomplete)
                            + " lost a part in a crash: none of their changes count");
            commits.abort(incomplete); // before any index is built: a crash from here on decides the same
        }
        return incomplete;
    }
}
