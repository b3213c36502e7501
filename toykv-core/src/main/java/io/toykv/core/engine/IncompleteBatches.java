package io.toykv.core.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The open's check that every atomic batch it applied is whole. A batch committed without forces
 * ({@link BatchCommits}: every mode but {@code ALWAYS}) names how many parts it wrote; a power loss can
 * keep its commit record and lose a part (their pages reach the disk in any order). Such a batch is
 * aborted in {@code batches.log}, durably, and the shards that replayed a part of it are opened again,
 * leaving it out: it counts nowhere.
 */
public final class IncompleteBatches {
    private static final System.Logger LOG = System.getLogger(IncompleteBatches.class.getName());

    /** Opens shard {@code index} again (its replay asks {@link BatchCommits#committed} again). */
    @FunctionalInterface
    public interface Reopen {
        Shard open(int index) throws IOException;
    }

    private IncompleteBatches() {}

    /**
     * Aborts the batches {@code shards} (just opened) did not find whole, and replaces each shard that
     * replayed a part of one with a reopened one. Returns how many batches it aborted.
     */
    public static int drop(BatchCommits commits, Shard[] shards, Reopen reopen) throws IOException {
        List<long[]> found = new ArrayList<>();
        for (Shard s : shards) {
            found.add(s.committedParts());
        }
        long[] incomplete = commits.incomplete(found);
        if (incomplete.length == 0) {
            return 0;
        }
        LOG.log(
                System.Logger.Level.WARNING,
                "atomic batches " + Arrays.toString(incomplete)
                        + " lost a part in a crash: none of their changes count");
        commits.abort(incomplete); // before any reopen: a crash from here on decides the same way
        for (int i = 0; i < shards.length; i++) {
            if (holdsAny(found.get(i), incomplete)) {
                shards[i].close();
                shards[i] = null;
                shards[i] = reopen.open(i);
            }
        }
        return incomplete.length;
    }

    private static boolean holdsAny(long[] parts, long[] sortedIds) {
        for (long id : parts) {
            if (Arrays.binarySearch(sortedIds, id) >= 0) {
                return true;
            }
        }
        return false;
    }
}
