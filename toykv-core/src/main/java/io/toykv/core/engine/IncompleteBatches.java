package io.toykv.core.engine;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The open's check that every atomic batch it applies is whole, and the cut of the shards' keys logs
 * at the batches it drops.
 *
 * <p>A batch committed without forces ({@link BatchCommits}: every mode but {@code ALWAYS}) names how
 * many parts it wrote; a power loss can keep its commit record and lose a part, or keep parts and lose
 * the commit record (their pages reach the disk in any order). Such a batch is dropped. Records a shard
 * wrote after a dropped batch's part may depend on the batch without naming it (an expiry sweep's delete,
 * a put that kept the batch's expiry, a collection's move): so the shard's log is cut at the part, and
 * they are dropped with it. That loses nothing acknowledged: every force a caller or a deletion relies
 * on settles the batches first (every shard synced, then the commit records forced: {@link
 * BatchCommits#settle}), so a batch still unsettled at the crash had no shard synced on its behalf since
 * its part. A batch with a part past a cut is dropped in turn, until no cut moves.
 *
 * <p>The dropped batches that had a commit record are aborted in {@code batches.log}, durably, before any
 * shard builds its index; every shard that was cut rewrites its keys log before the store takes a write.
 */
public final class IncompleteBatches {
    private static final System.Logger LOG = System.getLogger(IncompleteBatches.class.getName());

    private IncompleteBatches() {}

    /**
     * Works out the batches to drop from what the replays of {@code shards} found, aborts the committed
     * ones among them, and returns them all, sorted (none: an empty array). With {@code
     * cutUncommitted} false (a store of a format whose builds skipped an uncommitted part and went on
     * writing after it), a part without a commit record is skipped without a cut.
     */
    public static long[] abort(BatchCommits commits, List<Shard.Recovering> shards, boolean cutUncommitted)
            throws IOException {
        long[] all = toDrop(
                commits,
                shards.stream().map(Shard.Recovering::committedParts).toList(),
                shards.stream().map(Shard.Recovering::partsInOrder).toList(),
                cutUncommitted);
        long[] toAbort = Arrays.stream(all).filter(commits::committed).toArray();
        if (toAbort.length > 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "atomic batches " + Arrays.toString(toAbort)
                            + " lost a part in a crash, or follow one that did: none of their changes count");
            commits.abort(toAbort); // before any index is built: a crash from here on decides the same
        }
        return all;
    }

    /**
     * The batches to drop, sorted, decided as {@link #abort} decides them but writing nothing (the repair
     * decides so for the directories it salvages): {@code committedParts} holds each shard's accepted
     * parts of committed batches, {@code partsInOrder} each shard's parts since its last CLEAR, committed
     * or not, in log order.
     */
    public static long[] toDrop(
            BatchCommits commits, List<long[]> committedParts, List<long[]> partsInOrder, boolean cutUncommitted) {
        Set<Long> dropped = new HashSet<>();
        for (long id : commits.incomplete(committedParts)) {
            dropped.add(id);
        }
        if (cutUncommitted) {
            for (long[] order : partsInOrder) {
                for (long id : order) {
                    if (!commits.committed(id)) {
                        dropped.add(id);
                    }
                }
            }
        }
        boolean moved = !dropped.isEmpty();
        while (moved) {
            moved = false;
            for (long[] order : partsInOrder) {
                boolean cut = false;
                for (long id : order) {
                    if (cut) {
                        moved |= dropped.add(id);
                    } else {
                        cut = dropped.contains(id);
                    }
                }
            }
        }
        return dropped.stream().mapToLong(Long::longValue).sorted().toArray();
    }
}
