package io.toykv.core.engine;

import io.toykv.core.SyncMode;
import io.toykv.core.index.SortedIndex;
import io.toykv.core.io.ForceFailedException;
import io.toykv.core.log.Address;
import io.toykv.core.log.KeysLog;
import io.toykv.core.log.ValuesLog;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the parts of one {@link Shard} share: its logs and index, its two locks, and the counters the
 * write path keeps for garbage collection. The parts ({@link ShardWriter}, {@link GroupCommit},
 * {@link SegmentEvacuation}, {@link DeadSegments}, {@link KeysLogCompaction}) each hold this one object;
 * each field below says what guards it.
 */
final class ShardState {
    final Path dir;
    final SyncMode syncMode;
    final SortedIndex index;
    final ValuesLog values;
    final KeysLog keys;
    /** The expiry times of the keys that have one; changed under {@link #writeLock}, read anywhere. */
    final Expiries expiries;
    /** Change counters of the keys; changed under {@link #writeLock}, read anywhere. */
    final KeyVersions versions = new KeyVersions();
    /** The time, in milliseconds since the epoch, that expiries are compared with. */
    final java.util.function.LongSupplier clock;

    /** Guards appends to both logs, index changes, {@link #appendSequence}, {@link #liveBytes} and {@link #liveValueBytes}. */
    final ReentrantLock writeLock = new ReentrantLock();
    /**
     * Serialises forces (group commit). Taken before {@link #writeLock}, never while holding it. A lock
     * rather than a monitor: on Java 21-23 a virtual thread waiting for a monitor pins its carrier.
     */
    final ReentrantLock syncLock = new ReentrantLock();

    /**
     * The store's commit journal in {@code ALWAYS} mode, set once the open has replayed it; null before,
     * and in the other modes. Each write appends its redo record there under {@link #writeLock}.
     */
    volatile CommitJournal journal;

    /**
     * Settles the store's atomic batches ({@link BatchCommits#settle}; {@link Shard#settleBatchesWith}): run
     * before a keys-log rewrite drops atomic parts, and before a segment is deleted. Null in a shard
     * opened alone.
     */
    volatile BatchCommits.IoAction batchSettler;
    /** This shard's index in the store, as journal records name it. */
    volatile int shardIndex;
    /** Set while the open replays the journal into this shard: its writes wait for no force. */
    volatile boolean replaying;

    /** Appends since open; under {@link #writeLock}. */
    long appendSequence;
    /**
     * Bytes the live keys would take as one ordinary PUT record each (see
     * {@link KeysLogCompaction#keysLogUsage}); under {@link #writeLock}.
     */
    long liveKeyRecordBytes;
    /** Bytes the last keys-log rewrite's walk wrote per byte of {@link #liveKeyRecordBytes}; 1 until one ran. Under {@link #writeLock}. */
    double keysPacking = 1;
    /** The last append known forced; written under {@link #syncLock}, read anywhere. */
    volatile long durableSequence;
    /** Bytes of live value records by segment id: what garbage collection will weigh. Under {@link #writeLock}. */
    final SegmentCounts liveBytes;
    /**
     * By segment id, the append that last left it with nothing live; with {@link #clearedAt}, what
     * {@link DeadSegments#dropIfDead} must have made durable before it deletes the segment. 0 for what was
     * dead at open (the open makes everything it replayed durable). Under {@link #writeLock}.
     */
    final SegmentCounts emptiedAt = new SegmentCounts();
    /** The append of the last CLEAR, which left every segment with nothing live. Under {@link #writeLock}. */
    long clearedAt;
    /** The sum of {@link #liveBytes}. Under {@link #writeLock}. */
    long liveValueBytes;
    /** Set once, under both locks, by close. */
    volatile boolean closed;
    /** Why writes are refused after a failure that left the logs unsafe to append to, or null. */
    volatile String broken;
    /**
     * The failed force ({@link io.toykv.core.io.ForceFailedException}) that stopped every later write,
     * force and collection of this shard until reopen, or null. Set where the failure is found, before
     * the lock held there is released ({@link #stopWrites}), so no writer waiting for that lock can force
     * again and be acknowledged; the store also sets it on every shard once any of them failed.
     */
    private final java.util.concurrent.atomic.AtomicReference<Throwable> forceFailure =
            new java.util.concurrent.atomic.AtomicReference<>();

    ShardState(
            Path dir,
            SyncMode syncMode,
            SortedIndex index,
            ValuesLog values,
            KeysLog keys,
            SegmentCounts liveBytes,
            Expiries expiries,
            java.util.function.LongSupplier clock) {
        this.dir = dir;
        this.expiries = expiries;
        this.clock = clock;
        this.syncMode = syncMode;
        this.index = index;
        this.values = values;
        this.keys = keys;
        this.liveBytes = liveBytes;
        this.liveValueBytes = liveBytes.total();
    }

    /** Whether this thread holds the write lock: for {@code assert}s in the methods that need it. */
    boolean writer() {
        return writeLock.isHeldByCurrentThread();
    }

    /** Adds {@code delta} to the live bytes of the segment {@code address} is in. */
    void addLive(long address, long delta) {
        assert writer();
        long segment = Address.segment(address);
        long live = liveBytes.add(segment, delta);
        liveValueBytes += delta;
        if (delta < 0 && live == 0) {
            emptiedAt.set(segment, appendSequence + 1); // the append under way: each caller counts it after
        }
    }

    /** The append that must be durable before segment {@code id}, dead, may go. */
    long emptiedBy(long id) {
        assert writer();
        return Math.max(clearedAt, emptiedAt.get(id));
    }

    boolean isDeadAndSealed(long segmentId) {
        assert writer();
        boolean dead = liveBytes.get(segmentId) == 0;
        return dead && !values.writable(segmentId);
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
        if (broken != null) {
            throw new IllegalStateException(broken);
        }
        ensureForcing();
    }

    /** Throws once a failed force stopped this shard ({@link #forceFailure}). */
    void ensureForcing() {
        Throwable t = forceFailure();
        if (t != null) {
            throw ForceFailedException.writesStopped(dir, t);
        }
    }

    /** The failed force that stopped this shard, here or in its flusher ({@link ValuesLog#forceFailure}), or null. */
    Throwable forceFailure() {
        Throwable t = forceFailure.get();
        return t != null ? t : values.forceFailure();
    }

    /** Stops this shard's writes if {@code t} is or was caused by a failed force; the first one is kept. */
    void stopWritesIf(Throwable t) {
        if (ForceFailedException.isIn(t)) {
            stopWrites(t);
        }
    }

    void stopWrites(Throwable t) {
        forceFailure.compareAndSet(null, t);
    }
}
