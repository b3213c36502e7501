package io.toykv.core.engine;

import io.toykv.core.log.KeysLog;
import java.io.IOException;

/**
 * Makes one shard's appends durable: {@link #sync} writes the buffered values to their segment and
 * forces both logs; {@link #syncTo} lets concurrent writers share one force.
 */
final class GroupCommit {
    private final ShardState state;

    GroupCommit(ShardState state) {
        this.state = state;
    }

    /**
     * Forces everything appended so far: writes the buffered values to their segment (O_DIRECT, then
     * fdatasync), then forces the keys log. Flushing rather than forcing the buffer mapping means each
     * value reaches the device once, in its segment; the price is up to 4 KiB of padding per call.
     * Used by the once-a-second sync, {@link io.toykv.core.Store#sync()} and garbage collection.
     */
    void sync() throws IOException {
        // The buffered values go to their segment without the write lock held for the device: the
        // write before them is waited for first, then theirs is handed to the flusher under the lock
        // and waited for after it (puts go on into the buffer's other half meanwhile).
        state.values.awaitInFlight();
        long target;
        state.writeLock.lock();
        try {
            if (state.closed) {
                return;
            }
            state.ensureForcing();
            try {
                state.values.startFlush();
            } catch (IOException | RuntimeException e) {
                state.stopWritesIf(e); // the half before this one met a failed force
                throw e;
            }
            target = state.appendSequence;
        } finally {
            state.writeLock.unlock();
        }
        state.values.awaitWritten();
        syncTo(target);
    }

    /**
     * Returns once every append up to {@code sequence} is on the device. Concurrent callers share one
     * force: whoever gets the lock forces everything appended so far, and the others find their
     * sequence already durable.
     */
    void syncTo(long sequence) {
        if (state.durableSequence >= sequence) {
            return;
        }
        state.syncLock.lock();
        try {
            if (state.durableSequence >= sequence || state.closed) {
                return;
            }
            // A force that failed while this caller waited for the lock: forcing again may report
            // success for pages the kernel dropped, so this caller's appends must not be acknowledged.
            state.ensureForcing();
            long target;
            KeysLog.SyncPoint point;
            state.writeLock.lock();
            try {
                target = state.appendSequence;
                point = state.keys.syncPoint();
            } finally {
                state.writeLock.unlock();
            }
            // Values first: a key record forced before its value could outlive it in a power loss.
            try {
                state.values.force();
                point.force();
            } catch (RuntimeException e) {
                state.stopWritesIf(e); // before the sync lock goes: no writer waiting for it forces again
                throw e;
            }
            state.writeLock.lock();
            try {
                point.file().markSynced(point.end());
            } finally {
                state.writeLock.unlock();
            }
            state.durableSequence = target;
        } finally {
            state.syncLock.unlock();
        }
    }

    /**
     * Forces one shard's logs, values first, then the keys log, as a group commit forces them; under the
     * write lock, so nothing is appended between the force and what the caller does next.
     */
    static void forceLocked(ShardState state) {
        state.ensureForcing();
        state.values.force();
        KeysLog.SyncPoint point = state.keys.syncPoint();
        point.force();
        point.file().markSynced(point.end());
    }
}
