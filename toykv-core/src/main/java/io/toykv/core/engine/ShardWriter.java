package io.toykv.core.engine;

import io.toykv.core.SyncMode;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.Segment;
import io.toykv.core.log.ValueRecord;
import io.toykv.core.log.ValuesLog;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The write path of one shard: put (plain, or on a condition), delete, clear, changes of a key's expiry,
 * and the removal of expired keys, each appended under the write lock, then made
 * durable by {@link GroupCommit} when the sync mode asks for it, then paced while garbage collection is
 * behind.
 *
 * <p>A put appends the value to the buffer, then the key record that points at it to the keys log, then
 * updates the index: values before the key record that points at them, so a crash can leave an
 * unreferenced value (garbage) but never a key whose value is missing. Room in both logs is made
 * before either is written, so a failed allocation (a full disk) writes nothing. A value longer than
 * the store's {@code largeValueSize} is instead written, durably and before the write lock is taken,
 * to a segment of its own ({@link ValuesLog#writeLarge}), which the put adopts under the lock.
 *
 * <p>Expiry: a key that has one is put with a PUT_EXPIRING record, and its expiry is kept in
 * {@link Expiries}. A change of the expiry alone appends a PUT or PUT_EXPIRING record with the address
 * the key already has: the value is not copied. A key whose expiry has passed is absent to every
 * caller (conditions included) until it is removed: by the next write that touches it, or by
 * {@link #expireDue}, which appends a DELETE for it as a delete would, so its value becomes garbage
 * that collection reclaims, and a clock that later goes back cannot bring it back.
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

    /** Which state of the key a put needs (the server's SET NX and XX). */
    enum Condition {
        ALWAYS,
        IF_ABSENT,
        IF_PRESENT
    }

    /** For {@link #put}: the key keeps the expiry it has (none if it is absent). */
    static final long KEEP_EXPIRY = -1;

    void put(byte[] key, byte[] value) throws IOException {
        put(key, value, 0, Condition.ALWAYS);
    }

    /**
     * Puts {@code key} if {@code condition} holds; returns whether it did. {@code expireAt}: when the
     * key expires (milliseconds since the epoch), 0 for never, or {@link #KEEP_EXPIRY}. A put whose
     * expiry has already passed leaves the key absent (a DELETE if it was there).
     */
    boolean put(byte[] key, byte[] value, long expireAt, Condition condition) throws IOException {
        int recordSize = ValueRecord.size(value.length);
        int[] previousLength = new int[1];
        // A large value is written to its own segment, durably, before the write lock is taken for the
        // key record: the lock is held for no more than a small put's time whatever the value's size.
        Segment large = state.values.isLarge(value.length) ? writeLarge(key, value) : null;
        CommitJournal journal = state.journal;
        long[] journalEnd = new long[1];
        boolean[] adopted = new boolean[1];
        // A large value's redo is its own durable segment, not a copy in the journal (room for a DELETE
        // only): its put is made durable by forcing the shard, with a barrier (below).
        int journalBytes = large != null ? CommitJournal.recordSize(key, null) : CommitJournal.recordSize(key, value);
        long sequence;
        try {
            sequence = appendJournaled(journal, journalBytes, () -> {
                long now = now();
                // A plain put into a shard without expiries needs nothing of the key's state: no lookup
                // before the index's own put, which keeps the common case at one descent.
                boolean look = condition != Condition.ALWAYS
                        || expireAt == KEEP_EXPIRY
                        || passed(expireAt, now)
                        || state.expiries.size() > 0;
                boolean inIndex = look && state.index.get(key, previousLength) >= 0;
                long oldExpiry = inIndex ? state.expiries.get(key) : 0;
                boolean present = inIndex && !passed(oldExpiry, now);
                if (condition == Condition.IF_ABSENT && present || condition == Condition.IF_PRESENT && !present) {
                    return REFUSED;
                }
                long at = expireAt == KEEP_EXPIRY ? (present ? oldExpiry : 0) : expireAt;
                if (passed(at, now)) {
                    // absent before and after, or removed
                    return inIndex ? removeJournaled(key, journal, journalEnd) : NOTHING;
                }
                byte kind = KeyRecord.putKind(at);
                state.keys.ensureRoom(KeyRecord.size(kind, key.length));
                long address;
                if (large != null) {
                    address = state.values.adoptLarge(large);
                    adopted[0] = true;
                } else {
                    address = state.values.append(key, value);
                }
                state.keys.appendPut(key, recordSize, address, at);
                if (large == null) {
                    journalEnd[0] = journaled(journal, CommitJournal.PUT, key, value, at);
                }
                long previous = state.index.put(key, address, recordSize, previousLength);
                state.addLive(address, recordSize);
                if (previous >= 0) {
                    state.addLive(previous, -previousLength[0]);
                    state.liveKeyRecordBytes -= KeyRecord.size(KeyRecord.putKind(oldExpiry), key.length);
                }
                state.liveKeyRecordBytes += KeyRecord.size(kind, key.length);
                if (at != oldExpiry) {
                    state.expiries.set(key, at); // after the index: see Shard#get
                }
                return changed(key);
            });
        } finally {
            if (large != null && !adopted[0]) {
                discard(large);
            }
        }
        if (sequence == REFUSED) {
            return false;
        }
        if (adopted[0]) { // a large value: nothing of it in the journal
            syncWithBarrierIfAlways(sequence, journal);
        } else {
            syncIfAlways(sequence, journal, journalEnd[0]);
        }
        pace();
        return true;
    }

    /**
     * In {@code ALWAYS} mode, makes a write whose redo the journal does not hold durable: a large value's
     * put or expiry change (the value lies in a segment of its own, durable already; a copy in the journal
     * would cost its size twice). Forces the shard's logs and journals a BARRIER for it in one hold of the
     * write lock, then forces the journal: replay skips a shard's records before its last barrier, so it
     * never redoes an older record of this shard over this write. Not while the open replays the journal.
     */
    private void syncWithBarrierIfAlways(long sequence, CommitJournal journal) throws IOException {
        if (journal == null) {
            syncIfAlways(sequence, null, 0); // a shard without a journal forces its own logs
            return;
        }
        if (sequence <= NOTHING || state.syncMode != SyncMode.ALWAYS || state.replaying) {
            return;
        }
        journal.reserve(CommitJournal.RECORD_HEADER);
        long end;
        try {
            end = appendLocked(() -> {
                GroupCommit.forceLocked(state);
                return journal.appendBarrier(state.shardIndex);
            });
        } finally {
            journal.release(CommitJournal.RECORD_HEADER);
        }
        journal.syncTo(end);
    }

    /**
     * Whether a change of the expiry of {@code key}, whose value record takes {@code recordLength} bytes,
     * is made durable without copying the value into the journal ({@link #syncWithBarrierIfAlways}): the
     * value is large (a segment of its own), or its record would be longer than the journal's largest
     * (a store reopened with lower limits than it was written with).
     */
    private boolean notJournaled(CommitJournal journal, byte[] key, int recordLength) {
        int valueLength = recordLength - ValueRecord.size(0);
        return state.values.isLarge(valueLength)
                || journal != null && !journal.holds(CommitJournal.RECORD_HEADER + (long) key.length + valueLength);
    }

    /** Writes a large value to a segment of its own under a new id ({@link ValuesLog#writeLarge}), outside the lock. */
    Segment writeLarge(byte[] key, byte[] value) throws IOException {
        long id = appendLocked(state.values::reserveSegmentId);
        return state.values.writeLarge(id, key, value);
    }

    /**
     * Deletes a large value's segment that no put adopted (its condition failed, or the put threw). A
     * failed delete leaves a segment no key points at, which the next open finds and a collection deletes.
     */
    void discard(Segment large) {
        try {
            state.values.discardLarge(large);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the unused segment " + large.path(), e);
        }
    }

    private static final System.Logger LOG = System.getLogger(ShardWriter.class.getName());

    /** What {@link #appendLocked}'s body returns when the write's condition failed: nothing written. */
    private static final long REFUSED = -1;
    /** What it returns when the write needed no record. */
    private static final long NOTHING = 0;

    /** A write's work under the lock; returns the sequence of its last append, or {@link #REFUSED} or {@link #NOTHING}. */
    @FunctionalInterface
    private interface LockedWrite {
        long run() throws IOException;
    }

    /**
     * Runs {@code body} as {@link #appendLocked} does, with {@code bytes} of the journal reserved for its
     * records (when there is a journal): reserved before the write lock, since room in the journal comes
     * from a checkpoint, which needs that lock.
     */
    private long appendJournaled(CommitJournal journal, int bytes, LockedWrite body) throws IOException {
        if (journal == null) {
            return appendLocked(body);
        }
        journal.reserve(bytes);
        try {
            return appendLocked(body);
        } finally {
            journal.release(bytes);
        }
    }

    /**
     * Appends the redo record of a write to the journal, within the caller's reservation; returns its end
     * ({@link #syncIfAlways} waits for it), or 0 without a journal. Writer only, after the shard's own
     * records: each shard's journal records are in its log's order.
     */
    private long journaled(CommitJournal journal, byte kind, byte[] key, byte[] value, long expiry) {
        return journal == null ? 0 : journal.append(kind, state.shardIndex, key, value, expiry);
    }

    /** {@link #removeLocked}, with its DELETE journaled within the caller's reservation. Writer only. */
    private long removeJournaled(byte[] key, CommitJournal journal, long[] journalEnd) throws IOException {
        long sequence = removeLocked(key);
        journalEnd[0] = journaled(journal, CommitJournal.DELETE, key, null, 0);
        return sequence;
    }

    /**
     * {@link #removeLocked} of a key whose expiry passed, journaled if the journal has room: nobody waits
     * for it, and a replay that misses it finds the key's expiry passed anyway. Writer only.
     */
    private long expireLocked(byte[] key) throws IOException {
        long sequence = removeLocked(key);
        CommitJournal journal = state.journal;
        if (journal != null) {
            journal.tryAppend(CommitJournal.DELETE, state.shardIndex, key, null, 0);
        }
        return sequence;
    }

    /** Runs {@code body} under the write lock of an open shard; a failed force in it stops the shard's writes. */
    private long appendLocked(LockedWrite body) throws IOException {
        state.writeLock.lock();
        try {
            state.ensureOpen();
            return body.run();
        } catch (IOException | RuntimeException e) {
            state.stopWritesIf(e); // a keys-file roll's force, or the flusher's: before the lock goes
            throw e;
        } finally {
            state.writeLock.unlock();
        }
    }

    /**
     * In {@code ALWAYS} mode, waits until append {@code sequence} (if any) is durable: until the journal
     * is forced up to {@code journalEnd}, where the write's redo record ends (or, in a thread's
     * {@link DeferredJournalWaits} scope, leaves that wait to the scope's end); without a journal (a shard
     * opened alone), until the shard's own logs are forced. Not while the open replays the journal: it
     * forces every shard at its end.
     */
    private void syncIfAlways(long sequence, CommitJournal journal, long journalEnd) throws IOException {
        if (sequence <= NOTHING || state.syncMode != SyncMode.ALWAYS) {
            return;
        }
        if (journal != null) {
            if (!DeferredJournalWaits.defer(journal, journalEnd)) {
                journal.syncTo(journalEnd);
            }
        } else if (!state.replaying) {
            commit.syncTo(sequence);
        }
    }

    /** Counts an append that changed {@code key}: returns its sequence. Writer only. */
    private long changed(byte[] key) {
        long sequence = ++state.appendSequence;
        state.versions.changed(key, sequence);
        return sequence;
    }

    /** Whether an expiry ({@code at}, 0 for none) has passed at {@code now}. */
    static boolean passed(long at, long now) {
        return at != 0 && at <= now;
    }

    /**
     * Sets the expiry of {@code key} to {@code at} (0: none) without copying its value; returns false,
     * writing nothing, if the key is absent (or expired), or if {@code at} is 0 and the key has no
     * expiry. An expiry that has already passed deletes the key.
     */
    boolean setExpiry(byte[] key, long at) throws IOException {
        CommitJournal journal = state.journal;
        while (true) {
            // The journal record holds the value (below): room for the key's current record, looked up
            // without the lock, and looked up again under it.
            int[] peeked = new int[1];
            // A large value is not copied into the journal (syncWithBarrierIfAlways): no room for it.
            int room = state.index.get(key, peeked) < 0 || notJournaled(journal, key, peeked[0]) ? 0 : peeked[0];
            long sequence = setExpiry(key, at, journal, room);
            if (sequence != RETRY) {
                return sequence != REFUSED;
            }
        }
    }

    /** What {@link #setExpiry(byte[], long, CommitJournal, int)} returns when the key's value outgrew the room reserved. */
    private static final long RETRY = -2;

    private long setExpiry(byte[] key, long at, CommitJournal journal, int valueRoom) throws IOException {
        int[] length = new int[1];
        long[] journalEnd = new long[1];
        boolean[] barrier = new boolean[1];
        long sequence = appendJournaled(journal, CommitJournal.RECORD_HEADER + key.length + valueRoom, () -> {
            long now = now();
            long address = state.index.get(key, length);
            long oldExpiry = address >= 0 ? state.expiries.get(key) : 0;
            if (address < 0 || passed(oldExpiry, now) || at == 0 && oldExpiry == 0) {
                return REFUSED;
            }
            if (passed(at, now)) {
                return removeJournaled(key, journal, journalEnd);
            }
            boolean large = notJournaled(journal, key, length[0]);
            if (journal != null && !large && length[0] > valueRoom) {
                return RETRY; // overwritten by a larger value since the look
            }
            byte kind = KeyRecord.putKind(at);
            state.keys.ensureRoom(KeyRecord.size(kind, key.length));
            state.keys.appendPut(key, length[0], address, at); // the same value, a new expiry
            if (journal != null && !large) {
                // Journaled as a put of the value: replay must re-create the key even where a power
                // loss took its earlier put from the shard's log and the journal no longer holds it.
                journalEnd[0] = journaled(journal, CommitJournal.PUT, key, currentValue(key, address, length[0]), at);
            } else if (large) {
                barrier[0] = true;
            }
            state.liveKeyRecordBytes +=
                    KeyRecord.size(kind, key.length) - KeyRecord.size(KeyRecord.putKind(oldExpiry), key.length);
            state.expiries.set(key, at);
            return changed(key);
        });
        if (barrier[0]) {
            syncWithBarrierIfAlways(sequence, journal);
        } else {
            syncIfAlways(sequence, journal, journalEnd[0]);
        }
        return sequence;
    }

    /** The value at {@code address}, which the index holds for {@code key}. Writer only. */
    private byte[] currentValue(byte[] key, long address, int length) throws IOException {
        byte[] value = state.values.read(key, address, length);
        if (value == null) {
            throw new IllegalStateException("the value of a key in the index is gone from its segment");
        }
        return value;
    }

    /**
     * The time expiries are compared with; 0 while the open replays the journal, so that each record
     * redoes what it did when it was written (a put whose expiry has passed since still installs the key,
     * so that a later change of its expiry applies; keys whose expiry passed are absent to callers anyway,
     * and removed later).
     */
    private long now() {
        return state.replaying ? 0 : state.clock.getAsLong();
    }

    /**
     * Removes up to {@code max} keys whose expiry is at or before {@code now}, soonest first, each with
     * a DELETE record, in one hold of the write lock; returns how many. Not synced: a removal a crash
     * takes is made again, since the key's record still carries its expiry.
     */
    int expireDue(long now, int max) throws IOException {
        int[] removed = new int[1];
        appendLocked(() -> {
            for (byte[] key : state.expiries.due(now, max)) {
                expireLocked(key);
                removed[0]++;
            }
            return NOTHING;
        });
        return removed[0];
    }

    /** Removes {@code key} if its expiry has passed (so that its version shows the change); returns whether it did. */
    boolean expireIfDue(byte[] key) throws IOException {
        return appendLocked(() -> state.expiries.expired(key, state.clock.getAsLong()) ? expireLocked(key) : REFUSED)
                != REFUSED;
    }

    /**
     * Appends a DELETE of {@code key}, which the index holds, and removes it from the index and its
     * expiry; returns the append's sequence. Writer only.
     */
    private long removeLocked(byte[] key) throws IOException {
        state.keys.ensureRoom(KeyRecord.size(key.length));
        state.keys.append(KeyRecord.DELETE, key, 0, 0);
        int[] length = new int[1];
        long address = state.index.remove(key, length);
        state.addLive(address, -length[0]);
        long oldExpiry = state.expiries.get(key);
        state.liveKeyRecordBytes -= KeyRecord.size(KeyRecord.putKind(oldExpiry), key.length);
        if (oldExpiry != 0) {
            state.expiries.set(key, 0);
        }
        return changed(key);
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

    /** Removes {@code key}; returns whether it was present (an expired key was not, but goes too). */
    boolean delete(byte[] key) throws IOException {
        boolean[] present = new boolean[1];
        CommitJournal journal = state.journal;
        long[] journalEnd = new long[1];
        long sequence = appendJournaled(journal, CommitJournal.recordSize(key, null), () -> {
            if (state.index.get(key, new int[1]) < 0) {
                return REFUSED;
            }
            present[0] = !state.expiries.expired(key, now());
            return removeJournaled(key, journal, journalEnd);
        });
        syncIfAlways(sequence, journal, journalEnd[0]);
        return present[0];
    }

    /** Removes every key with one CLEAR record. */
    void clear() throws IOException {
        byte[] noKey = new byte[0];
        CommitJournal journal = state.journal;
        long[] journalEnd = new long[1];
        long sequence = appendJournaled(journal, CommitJournal.recordSize(noKey, null), () -> {
            state.keys.ensureRoom(KeyRecord.size(0));
            state.keys.append(KeyRecord.CLEAR, noKey, 0, 0);
            journalEnd[0] = journaled(journal, CommitJournal.CLEAR, noKey, null, 0);
            state.index.clear();
            state.expiries.clear();
            state.liveBytes.clear();
            state.clearedAt = state.appendSequence + 1;
            state.liveValueBytes = 0;
            state.liveKeyRecordBytes = 0;
            long cleared = ++state.appendSequence;
            state.versions.changedAll(cleared);
            return cleared;
        });
        syncIfAlways(sequence, journal, journalEnd[0]);
    }
}
