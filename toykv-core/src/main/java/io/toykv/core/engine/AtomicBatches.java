package io.toykv.core.engine;

import io.toykv.core.log.AtomicPart;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.Segment;
import io.toykv.core.log.ValueRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies atomic batches: puts, deletes and expiry changes across any shards, all or nothing.
 *
 * <p>Commit protocol. A batch takes the write locks of the shards it touches, in shard order (so two
 * batches cannot deadlock, and a single-shard write waits as it would for another put). It gets the next
 * batch id, and in each shard appends its values to the buffer and then one ATOMIC_PART record (its
 * changes in that shard, tagged with the id) to the keys log; then it appends a commit record to
 * {@link BatchCommits}: the commit point. In {@code ALWAYS} mode it first forces the buffer and keys log
 * of every shard it wrote (and journals a BARRIER for each), and forces the commit record, so the batch
 * is durable when {@link #apply} returns. In the other modes it forces nothing: the commit record says
 * how many parts the batch wrote, and the open applies the batch only if the record survived and it
 * finds every part ({@link IncompleteBatches}); the next sync makes the batch durable, as it does a put.
 * Replay applies a part only if its batch counts, so whatever subset of a batch's pages a crash or power
 * loss keeps, the batch is whole or absent. Ids are never reused: numbering starts above every id the
 * keys logs and the commits name.
 *
 * <p>Keys-log rewrites and garbage collection take the same write lock, so neither sees a part before
 * its batch is installed or committed: a rewrite's mark falls before the part (which it then copies as
 * it is, id and all) or after the install (and its walk writes the keys' new state, committed by then).
 * A rewrite drops the parts before its mark, so before its new files replace the old ones it settles
 * the batches ({@link BatchCommits#settle}): every shard synced, and a mark in the commit file that
 * the commits so far need no part found.
 *
 * <p>Visibility. The index changes of all the shards are installed only after the commit, under all the
 * locks, inside the {@link ReadFence}: a {@code get} that finds any change of a batch finds all of them,
 * and a writer of one of its keys waits for the lock. A change to a key that the batch also changes is
 * seen in the order the batch lists them (a later change of the same key wins).
 *
 * <p>Cost: in {@code ALWAYS} mode a batch forces the logs of its shards, the journal and the commit
 * file; in the other modes it writes to the page cache only, as a put does.
 */
public final class AtomicBatches {
    private final Shard[] shards;
    private final BatchCommits commits;
    private final ReadFence fence;
    private final AtomicLong nextId;

    public AtomicBatches(Shard[] shards, BatchCommits commits, ReadFence fence) {
        this.shards = shards;
        this.commits = commits;
        this.fence = fence;
        long max = commits.maxId();
        for (Shard s : shards) {
            max = Math.max(max, s.maxBatchId());
        }
        this.nextId = new AtomicLong(max + 1);
    }

    /** The most bytes of keys (and per-change overhead) a batch may hold in one shard: one record's body. */
    public static boolean fitsOnePart(List<BatchOp> opsOfOneShard) {
        long bound = 0;
        for (BatchOp op : opsOfOneShard) {
            bound += AtomicPart.entryBound(op.key().length);
        }
        return bound <= AtomicPart.MAX_BODY;
    }

    /** Set once a batch failed after writing a part and before its commit record (writes then stop). */
    private volatile HalfWrittenBatchException halfWritten;

    /** The failure of a batch that left a part without a commit record, or null: writes stop until a reopen. */
    public HalfWrittenBatchException halfWritten() {
        return halfWritten;
    }

    /**
     * Applies {@code ops} in order, all or nothing, and returns once the batch is visible (and, in
     * {@code ALWAYS} mode, durable).
     * Returns without writing anything if no change has an effect (deletes of absent keys, say).
     *
     * @throws IllegalArgumentException the changes of one shard do not fit in one ATOMIC_PART record
     * @throws IOException a write or force failed: the batch did not commit (or, if the commit file's force
     *     failed, its state is unknown until the store is reopened, and the shards refuse writes)
     */
    public void apply(List<BatchOp> ops) throws IOException {
        TreeMap<Integer, List<BatchOp>> byShard = new TreeMap<>();
        for (BatchOp op : ops) {
            byShard.computeIfAbsent(ShardRouter.shardOf(op.key(), shards.length), i -> new ArrayList<>())
                    .add(op);
        }
        for (Map.Entry<Integer, List<BatchOp>> e : byShard.entrySet()) {
            if (!fitsOnePart(e.getValue())) {
                throw new IllegalArgumentException("the batch's changes in shard " + e.getKey()
                        + " take more than one atomic part's " + AtomicPart.MAX_BODY + " bytes: split the batch");
            }
        }
        // Large values first, each to a segment of its own, durably and without any lock, as a put writes them.
        Map<BatchOp, Segment> large = new IdentityHashMap<>();
        try {
            for (Map.Entry<Integer, List<BatchOp>> e : byShard.entrySet()) {
                Shard shard = shards[e.getKey()];
                for (BatchOp op : e.getValue()) {
                    if (op.kind() == BatchOp.Kind.PUT && shard.state().values.isLarge(op.value().length)) {
                        large.put(op, shard.writeLarge(op.key(), op.value()));
                    }
                }
            }
            applyLocked(byShard, large);
        } finally {
            for (Map.Entry<BatchOp, Segment> e : large.entrySet()) { // those no plan adopted
                shards[ShardRouter.shardOf(e.getKey().key(), shards.length)].discard(e.getValue());
            }
        }
    }

    /**
     * {@link #apply} once the large values are written: {@code large} loses each that a plan adopts.
     */
    private void applyLocked(TreeMap<Integer, List<BatchOp>> byShard, Map<BatchOp, Segment> large) throws IOException {
        List<Integer> order = new ArrayList<>(byShard.keySet());
        // In ALWAYS mode each shard written gets a BARRIER in the journal (reserved before the locks:
        // room there comes from a checkpoint, which needs them).
        CommitJournal journal = shards[0].state().journal;
        long room = journal == null ? 0 : (long) order.size() * CommitJournal.RECORD_HEADER;
        if (journal != null) {
            journal.reserve(room);
        }
        List<ShardState> locked = new ArrayList<>();
        boolean partWritten = false;
        boolean committed = false;
        try {
            for (int i : order) { // in shard order: no deadlock between batches
                ShardState state = shards[i].state();
                state.writeLock.lock();
                locked.add(state);
                state.ensureOpen();
            }
            long id = nextId.getAndIncrement();
            List<ShardState> written = new ArrayList<>();
            List<List<KeyRecord>> changes = new ArrayList<>();
            for (int j = 0; j < locked.size(); j++) {
                ShardState state = locked.get(j);
                List<KeyRecord> entries = plan(state, byShard.get(order.get(j)), large);
                if (entries.isEmpty()) {
                    continue;
                }
                int size = 0;
                for (KeyRecord r : entries) {
                    size += AtomicPart.entrySize(r.kind(), r.key().length);
                }
                AtomicPart part = new AtomicPart(size); // fits: checked before the locks (fitsOnePart)
                for (KeyRecord r : entries) {
                    part.add(r.kind(), r.key(), r.valueLength(), r.address(), r.expireAt());
                }
                state.keys.ensureRoom(KeyRecord.size(part.length()));
                partWritten = true; // from here a failure may leave a part behind
                state.keys.appendAtomicPart(id, part);
                written.add(state);
                changes.add(entries);
            }
            if (written.isEmpty()) {
                return;
            }
            if (journal != null) {
                // ALWAYS: the batch returns durable. Its parts are forced before its commit record.
                for (ShardState state : written) {
                    GroupCommit.forceLocked(state);
                }
                barriers(journal, written);
                commits.commit(id, BatchCommits.FORCED, true);
                committed = true;
            } else {
                // Nothing forced: the record counts the parts, and the open applies the batch only if
                // it finds every one (the next sync makes it durable, as it does a put).
                // Until a settle covers it, an open may drop the batch, and then cuts each shard's log at
                // its part (IncompleteBatches): no later record of these shards outlives it.
                commits.commit(id, written.size(), false);
                committed = true;
            }
            fence.beginInstall();
            try {
                for (int i = 0; i < written.size(); i++) {
                    install(written.get(i), changes.get(i));
                }
            } finally {
                fence.endInstall();
            }
        } catch (IOException | RuntimeException | Error e) {
            // Errors too (an OutOfMemoryError from the commit record's write, an InternalError from a
            // fault on a mapping): a part without a commit record stops writes whatever failed.
            if (partWritten && !committed) {
                // A part without a commit record: the next open cuts its shards' logs there, so no
                // later write may be taken (before the locks go). An error is rethrown as it is.
                HalfWrittenBatchException half = new HalfWrittenBatchException(e);
                halfWritten = half;
                for (Shard shard : shards) {
                    shard.state().stopWrites(half);
                }
                if (e instanceof Error error) {
                    throw error;
                }
                throw half;
            }
            for (ShardState state : locked) {
                state.stopWritesIf(e); // a failed force: before the locks go
            }
            throw e;
        } finally {
            for (int i = locked.size() - 1; i >= 0; i--) {
                locked.get(i).writeLock.unlock();
            }
            if (journal != null) {
                journal.release(room);
            }
        }
    }

    /**
     * Journals a BARRIER for each shard written and forces the journal, before the commit point: the
     * shards were just forced, so replay must not redo their earlier journal records over the batch. Under
     * the shards' write locks, so no record of theirs lands between the force and the barrier.
     */
    private static void barriers(CommitJournal journal, List<ShardState> written) throws IOException {
        long end = 0;
        for (ShardState state : written) {
            end = journal.appendBarrier(state.shardIndex);
        }
        journal.syncTo(end);
    }

    /** A key's state as the batch sees it: the index, then the batch's own earlier changes. */
    private static final class Seen {
        boolean exists;
        long address;
        int length;
        long expireAt;
    }

    /**
     * Decides the records {@code ops} make in one shard against its state (and each other), appending
     * the values of the puts to the buffer. Writer only.
     */
    private static List<KeyRecord> plan(ShardState state, List<BatchOp> ops, Map<BatchOp, Segment> large)
            throws IOException {
        long now = state.clock.getAsLong();
        Map<ByteBuffer, Seen> seen = new HashMap<>();
        List<KeyRecord> entries = new ArrayList<>();
        for (BatchOp op : ops) {
            byte[] key = op.key();
            Seen s = seen.computeIfAbsent(ByteBuffer.wrap(key), k -> lookUp(state, key));
            boolean live = s.exists && !ShardWriter.passed(s.expireAt, now);
            switch (op.kind()) {
                case PUT: {
                    long at = op.expireAt() == ShardWriter.KEEP_EXPIRY ? (live ? s.expireAt : 0) : op.expireAt();
                    if (ShardWriter.passed(at, now)) {
                        deleteIfExists(s, key, entries);
                        break;
                    }
                    Segment own = large.remove(op); // adopted: a segment no key ends up in, collection deletes
                    long address = own != null ? state.values.adoptLarge(own) : state.values.append(key, op.value());
                    s.exists = true;
                    s.address = address;
                    s.length = ValueRecord.size(op.value().length);
                    s.expireAt = at;
                    entries.add(new KeyRecord(KeyRecord.putKind(at), key, s.length, address, at));
                    break;
                }
                case DELETE:
                    deleteIfExists(s, key, entries);
                    break;
                case EXPIRE: {
                    long at = op.expireAt();
                    if (!live || at == 0 && s.expireAt == 0) {
                        break;
                    }
                    if (ShardWriter.passed(at, now)) {
                        deleteIfExists(s, key, entries);
                        break;
                    }
                    s.expireAt = at;
                    entries.add(new KeyRecord(KeyRecord.putKind(at), key, s.length, s.address, at));
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown batch change " + op.kind());
            }
        }
        return entries;
    }

    private static Seen lookUp(ShardState state, byte[] key) {
        Seen s = new Seen();
        int[] length = new int[1];
        s.address = state.index.get(key, length);
        s.exists = s.address >= 0;
        s.length = length[0];
        s.expireAt = s.exists ? state.expiries.get(key) : 0;
        return s;
    }

    private static void deleteIfExists(Seen s, byte[] key, List<KeyRecord> entries) {
        if (s.exists) {
            entries.add(new KeyRecord(KeyRecord.DELETE, key, 0, 0));
            s.exists = false;
            s.expireAt = 0;
        }
    }

    /** Makes a committed part's changes visible, in order, with the accounting a put or delete does. Writer only. */
    private static void install(ShardState state, List<KeyRecord> entries) {
        int[] length = new int[1];
        for (KeyRecord r : entries) {
            byte[] key = r.key();
            long oldExpiry = state.expiries.get(key);
            if (r.kind() == KeyRecord.DELETE) {
                long address = state.index.remove(key, length);
                state.addLive(address, -length[0]);
                state.liveKeyRecordBytes -= KeyRecord.size(KeyRecord.putKind(oldExpiry), key.length);
                if (oldExpiry != 0) {
                    state.expiries.set(key, 0);
                }
            } else {
                long previous = state.index.put(key, r.address(), r.valueLength(), length);
                state.addLive(r.address(), r.valueLength());
                if (previous >= 0) {
                    state.addLive(previous, -length[0]);
                    state.liveKeyRecordBytes -= KeyRecord.size(KeyRecord.putKind(oldExpiry), key.length);
                }
                state.liveKeyRecordBytes += KeyRecord.size(r.kind(), key.length);
                if (r.expireAt() != oldExpiry) {
                    state.expiries.set(key, r.expireAt()); // after the index: see Shard#get
                }
            }
            state.versions.changed(key, ++state.appendSequence);
        }
    }
}
