package io.toykv.core.engine;

import io.toykv.core.log.Segment;
import io.toykv.core.log.ValuesLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Garbage collection's deletions in one shard: sealed segments left with nothing live. */
final class DeadSegments {
    private final ShardState state;
    private final GroupCommit commit;

    DeadSegments(ShardState state, GroupCommit commit) {
        this.state = state;
        this.commit = commit;
    }

    /** Deletes a sealed segment that holds no live value, as {@link #dropIfDead(long[])} does; returns the bytes freed. */
    long dropIfDead(long segmentId) throws IOException {
        return dropIfDead(new long[] {segmentId})[0];
    }

    /** {@link #dropIfDead(long[], long[])}, returning what it freed. */
    long[] dropIfDead(long[] ids) throws IOException {
        long[] freed = new long[ids.length];
        dropIfDead(ids, freed);
        return freed;
    }

    /**
     * Deletes those of the sealed segments {@code ids} that hold no live value; sets in {@code freed}
     * the bytes freed for each (0 if not deleted) as it takes them out of the log, so that the caller
     * can count them even when an unlink then fails and this throws (the file is tried again by later
     * calls, {@link ValuesLog#delete}). The key records that left them dead (deletes, overwrites, moves) are
     * made durable first, if they are not yet ({@link ShardState#emptiedAt}), for all of them at once and the way
     * {@link GroupCommit#sync} does it (the buffer written to its segment, not forced through its mapping: each
     * value then reaches the device once): a power loss that took those records would bring back older
     * ones pointing into a deleted segment; and, as those records may be parts of atomic batches, the
     * batches are settled ({@link BatchCommits#settle}). A sealed segment, once dead, stays dead (only the collector
     * points keys into sealed segments, and not into this one).
     */
    void dropIfDead(long[] ids, long[] freed) throws IOException {
        long needed = -1;
        boolean[] deadBeforeSettle = new boolean[ids.length];
        state.writeLock.lock();
        try {
            state.ensureOpen();
            for (int i = 0; i < ids.length; i++) {
                if (state.isDeadAndSealed(ids[i])) {
                    deadBeforeSettle[i] = true;
                    needed = Math.max(needed, state.emptiedBy(ids[i]));
                }
            }
        } finally {
            state.writeLock.unlock();
        }
        if (needed < 0) {
            if (state.values.unlinkPending()) {
                state.values.delete(
                        List.of()); // files whose unlink failed before: try them again (delete below does too)
            }
            return;
        }
        if (state.durableSequence < needed) {
            commit.sync(); // usually not needed for a round's victims: its own sync covered the moves that emptied them
        }
        BatchCommits.IoAction settler = state.batchSettler;
        if (settler != null) {
            // The records that emptied it may be an atomic batch's part: durable here, yet the batch
            // counts only once its other parts and commit record are too (it settles those).
            settler.run();
        }
        List<Segment> detached = new ArrayList<>();
        state.writeLock.lock();
        try {
            state.ensureOpen();
            long durable = state.durableSequence;
            for (int i = 0; i < ids.length; i++) {
                // Dead before the settle, and its emptying durable: one emptied since the look above
                // waits for a later round. (Its emptying may be an atomic batch committed after the
                // settle noted what to cover: a power loss could still drop that batch, and with it
                // every later record of this shard, bringing back records that point into it.)
                if (deadBeforeSettle[i] && state.emptiedBy(ids[i]) <= durable) {
                    Segment s = state.values.detachSegment(ids[i]);
                    if (s != null) {
                        detached.add(s);
                        freed[i] = s.size();
                        state.emptiedAt.set(ids[i], 0); // gone: the id is never used again while open
                    }
                }
            }
        } finally {
            state.writeLock.unlock();
        }
        state.values.delete(detached); // the slow part (unmap, unlink, directory force), without the lock
    }
}
