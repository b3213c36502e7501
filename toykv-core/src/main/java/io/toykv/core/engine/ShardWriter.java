package io.toykv.core.engine;

import io.toykv.core.SyncMode;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.ValueRecord;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The write path of one shard: put, delete and clear, each appended under the write lock, then made
 * durable by {@link GroupCommit} when the sync mode asks for it, then paced while garbage collection is
 * behind.
 *
 * <p>A put appends the value to the buffer, then the key record that points at it to the keys log, then
 * updates the index: values before the key record that points at them, so a crash can leave an
 * unreferenced value (garbage) but never a key whose value is missing. Room in both logs is made
 * before either is written, so a failed allocation (a full disk) writes nothing.
 */
final class ShardWriter {
    private static final long PACE_PARK_NANOS = 200_000;

    private final ShardState state;
    private final GroupCommit commit;
    /** See {@link #pace}. */
    private volatile long paceNanos;
    private final AtomicLong paceDebt = new AtomicLong();
    /** Time puts spent parked by {@link #pace}, summed over writers: {@link io.toykv.core.StoreStats#gcPaceNanos}. */
    private final LongAdder pacedNanos = new LongAdder();

    ShardWriter(ShardState state, GroupCommit commit) {
        this.state = state;
        this.commit = commit;
    }

    void put(byte[] key, byte[] value) throws IOException {
        int recordSize = ValueRecord.size(value.length);
        int[] previousLength = new int[1];
        long sequence;
        state.writeLock.lock();
        try {
            state.ensureOpen();
            state.keys.ensureRoom(KeyRecord.size(key.length));
            long address = state.values.append(key, value);
            state.keys.append(KeyRecord.PUT, key, recordSize, address);
            long previous = state.index.put(key, address, recordSize, previousLength);
            state.addLive(address, recordSize);
            if (previous >= 0) {
                state.addLive(previous, -previousLength[0]);
            } else {
                state.liveKeyRecordBytes += KeyRecord.size(key.length);
            }
            sequence = ++state.appendSequence;
        } catch (IOException | RuntimeException e) {
            state.stopWritesIf(e); // a keys-file roll's force, or the flusher's: before the lock goes
            throw e;
        } finally {
            state.writeLock.unlock();
        }
        if (state.syncMode == SyncMode.ALWAYS) {
            commit.syncTo(sequence);
        }
        pace();
    }

    /**
     * Slows puts down while garbage collection is behind ({@link #setPace}): each put adds the pace to a
     * debt, and whoever brings it past a park's worth parks that long, so the writers on this shard lose
     * about the pace per put on average (a single park cannot be much shorter than 50 us on Linux), and
     * at most one park per put: a pace above {@value #PACE_PARK_NANOS} ns is paid as that.
     */
    private void pace() {
        long p = paceNanos;
        long debt;
        if (p > 0 && (debt = paceDebt.addAndGet(p)) >= PACE_PARK_NANOS) {
            // One park a put, as the pacing was measured: of a pace above a park, the whole parks past
            // the one paid are dropped, not left as debt for later puts (a later, gentle pace would
            // otherwise park every put until it was paid off).
            paceDebt.addAndGet(-(debt - debt % PACE_PARK_NANOS));
            long parked = System.nanoTime();
            LockSupport.parkNanos(PACE_PARK_NANOS);
            pacedNanos.add(System.nanoTime() - parked);
        }
    }

    /** Time puts on this shard spent slowed down by {@link #pace} since open, summed over writers. */
    long pacedNanos() {
        return pacedNanos.sum();
    }

    /** Sets the delay each put on this shard should average (0: none); the collector sets it each round. */
    void setPace(long nanosPerPut) {
        paceNanos = nanosPerPut;
    }

    boolean delete(byte[] key) throws IOException {
        int[] length = new int[1];
        long sequence;
        state.writeLock.lock();
        try {
            state.ensureOpen();
            if (state.index.get(key, length) < 0) {
                return false;
            }
            state.keys.ensureRoom(KeyRecord.size(key.length));
            state.keys.append(KeyRecord.DELETE, key, 0, 0);
            long address = state.index.remove(key, length);
            state.addLive(address, -length[0]);
            state.liveKeyRecordBytes -= KeyRecord.size(key.length);
            sequence = ++state.appendSequence;
        } catch (IOException | RuntimeException e) {
            state.stopWritesIf(e); // a keys-file roll's force, or the flusher's: before the lock goes
            throw e;
        } finally {
            state.writeLock.unlock();
        }
        if (state.syncMode == SyncMode.ALWAYS) {
            commit.syncTo(sequence);
        }
        return true;
    }

    /** Removes every key with one CLEAR record. */
    void clear() throws IOException {
        long sequence;
        state.writeLock.lock();
        try {
            state.ensureOpen();
            state.keys.ensureRoom(KeyRecord.size(0));
            state.keys.append(KeyRecord.CLEAR, new byte[0], 0, 0);
            state.index.clear();
            state.liveBytes.clear();
            state.clearedAt = state.appendSequence + 1;
            state.liveValueBytes = 0;
            state.liveKeyRecordBytes = 0;
            sequence = ++state.appendSequence;
        } catch (IOException | RuntimeException e) {
            state.stopWritesIf(e); // a keys-file roll's force, or the flusher's: before the lock goes
            throw e;
        } finally {
            state.writeLock.unlock();
        }
        if (state.syncMode == SyncMode.ALWAYS) {
            commit.syncTo(sequence);
        }
    }
}
