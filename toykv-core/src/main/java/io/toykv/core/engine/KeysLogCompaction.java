package io.toykv.core.engine;

import io.toykv.core.index.SortedIndex;
import io.toykv.core.log.KeysLog;
import java.io.IOException;

/** Garbage collection of one shard's keys log: rewrites it with only the live records. */
final class KeysLogCompaction {
    private final ShardState state;

    KeysLogCompaction(ShardState state) {
        this.state = state;
    }

    Shard.KeysLogUsage keysLogUsage() {
        state.writeLock.lock();
        try {
            return new Shard.KeysLogUsage(
                    state.keys.recordBytes(),
                    (long) (state.liveKeyRecordBytes * state.keysPacking),
                    state.keys.freshlyRewritten());
        } finally {
            state.writeLock.unlock();
        }
    }

    /**
     * Rewrites the keys log with only the live records ({@link KeysLog.Rewrite}); returns bytes
     * dropped. Puts wait only for the start and the end: the walk of the index and the writing and
     * forcing of the new files take no lock. The end holds the sync lock too, so that no sync is
     * forcing an old file when it is unmapped.
     */
    long compactKeysLog() throws IOException {
        KeysLog.Rewrite r;
        long liveAtBegin;
        state.writeLock.lock();
        try {
            state.ensureOpen();
            r = state.keys.beginRewrite();
            liveAtBegin = state.liveKeyRecordBytes;
        } finally {
            state.writeLock.unlock();
        }
        long written;
        try {
            written = state.keys.writeLive(r, liveKeys(state.index, state.expiries));
        } catch (IOException | RuntimeException e) {
            state.keys.abortRewrite(r); // nothing named yet: only temp files to delete
            throw e;
        }
        double packing = liveAtBegin > 0 ? Math.min(1, (double) written / liveAtBegin) : 1;
        BatchCommits.IoAction settler = state.batchSettler;
        if (settler != null) {
            // The new files hold the parts before the mark as plain records. Before they replace the
            // old ones, every batch committed so far (all of those parts' batches) is made durable in
            // every shard and marked settled, so no open looks for the parts this rewrite drops.
            try {
                settler.run();
            } catch (IOException | RuntimeException e) {
                state.keys.abortRewrite(r);
                throw e;
            }
        }
        long dropped;
        state.syncLock.lock();
        try {
            state.writeLock.lock();
            try {
                if (state.closed || state.broken != null || state.forceFailure() != null) {
                    state.keys.abortRewrite(r); // nothing named yet: only temp files to delete
                    state.ensureOpen();
                }
                try {
                    dropped = state.keys.switchToRewrite(r);
                    state.keysPacking = packing;
                } catch (IOException | RuntimeException e) {
                    // Undone before any other append: a named new file left behind would replay its
                    // stale records after the newer ones appended to the old files.
                    try {
                        state.keys.abortRewrite(r);
                    } catch (IOException | RuntimeException again) {
                        e.addSuppressed(again);
                        state.broken = "a keys-log rewrite in " + state.dir + " failed and could not be undone ("
                                + again + "); writes are refused until the store is reopened";
                    }
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                state.stopWritesIf(e); // the rewrite's forces: before the lock goes
                throw e;
            } finally {
                state.writeLock.unlock();
            }
            // Still under the sync lock: no sync is forcing an old file while it is unmapped.
            state.keys.deleteReplaced(r);
            return dropped;
        } finally {
            state.syncLock.unlock();
        }
    }

    /** The index's entries, in key order, as the keys log's rewrite walks them. */
    static KeysLog.LiveKeys liveKeys(SortedIndex index, Expiries expiries) {
        SortedIndex.Cursor c = index.cursor(null);
        return new KeysLog.LiveKeys() {
            @Override
            public boolean next() {
                return c.next();
            }

            @Override
            public byte[] key() {
                return c.key();
            }

            @Override
            public int length() {
                return c.length();
            }

            @Override
            public long address() {
                return c.address();
            }

            @Override
            public long expireAt() {
                return expiries.get(c.key());
            }
        };
    }
}
