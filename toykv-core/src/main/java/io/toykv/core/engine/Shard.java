package io.toykv.core.engine;

import io.toykv.core.StoreOptions;
import io.toykv.core.index.SortedIndex;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.ForceFailedException;
import io.toykv.core.log.DirectIo;
import io.toykv.core.log.KeysLog;
import io.toykv.core.log.Segment;
import io.toykv.core.log.ValueRecord;
import io.toykv.core.log.ValuesLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

/**
 * One shard: its own keys log, values log and index, and its own write lock. Keys are routed to shards
 * by {@link ShardRouter}, so writers to different shards never wait for each other.
 *
 * <p>This class opens and closes the shard and hands each call to the part that does it: the write path
 * ({@link ShardWriter}), forces ({@link GroupCommit}), and garbage collection's moves
 * ({@link SegmentEvacuation}), deletions ({@link DeadSegments}) and keys-log rewrites
 * ({@link KeysLogCompaction}). What they share, and which lock guards it, is {@link ShardState}.
 */
public final class Shard {
    private final ShardState state;
    private final GroupCommit commit;
    private final ShardWriter writer;
    private final SegmentEvacuation evacuation;
    private final DeadSegments deadSegments;
    private final KeysLogCompaction compaction;

    /** The highest atomic batch id the keys log named at open. */
    private long maxBatchId;
    /**
     * Whether the open cut this shard's keys log at a dropped atomic part ({@link Recovering#finish}),
     * or skipped a part without a commit record: those records are still in the files, so the store
     * rewrites the log ({@link #compactKeysLog}) before any write, or a later open would cut the new
     * records after them.
     */
    private boolean rewriteAtOpen;

    private static final System.Logger LOG = System.getLogger(Shard.class.getName());

    private Shard(ShardState state) {
        this.state = state;
        this.commit = new GroupCommit(state);
        this.writer = new ShardWriter(state, commit);
        this.evacuation = new SegmentEvacuation(state, commit);
        this.deadSegments = new DeadSegments(state, commit);
        this.compaction = new KeysLogCompaction(state);
    }

    public static Shard open(Path dir, StoreOptions options, DirectIo io, FileAllocator allocator) throws IOException {
        return open(dir, options, io, allocator, KeysLog.Chain.NONE);
    }

    /** Opens the shard in {@code dir}; {@code chain} records (and at open checks) its keys files. */
    public static Shard open(Path dir, StoreOptions options, DirectIo io, FileAllocator allocator, KeysLog.Chain chain)
            throws IOException {
        return open(dir, options, io, allocator, chain, id -> false);
    }

    /**
     * Opens the shard in {@code dir}, replaying the parts of the atomic batches {@code committed} holds
     * and leaving out the others ({@link AtomicBatches}).
     */
    public static Shard open(
            Path dir,
            StoreOptions options,
            DirectIo io,
            FileAllocator allocator,
            KeysLog.Chain chain,
            LongPredicate committed)
            throws IOException {
        return recover(dir, options, io, allocator, chain, committed).finish(id -> false);
    }

    /**
     * The first step of an open: replays the keys log of the shard in {@code dir}, accepting the parts
     * of the atomic batches {@code committed} holds, and stops before the index is built, so that the
     * store can check every batch whole across its shards ({@link IncompleteBatches}) first.
     */
    public static Recovering recover(
            Path dir,
            StoreOptions options,
            DirectIo io,
            FileAllocator allocator,
            KeysLog.Chain chain,
            LongPredicate committed)
            throws IOException {
        FileIo.of(dir).createDirectories(dir);
        ValuesLog values = ValuesLog.open(
                dir,
                options.bufferSize(),
                options.segmentSize(),
                ValueRecord.size(options.largestBufferedValue()),
                options.largeValueSize(),
                io,
                allocator);
        if (options.onBackgroundFailure() != null) {
            values.reportErrorsTo(options.onBackgroundFailure());
        }
        KeysLog keys = null;
        try {
            IndexRecovery recovery = new IndexRecovery(values, committed);
            keys = KeysLog.recover(dir, options.keysFileSize(), allocator, values::flush, recovery, chain);
            values.finishRecovery();
            return new Recovering(dir, options, values, keys, recovery);
        } catch (IOException | RuntimeException e) {
            if (keys != null) {
                keys.close();
            }
            values.close();
            throw e;
        }
    }

    /** A shard whose keys log is replayed and whose index is not built yet ({@link #recover}). */
    public static final class Recovering {
        private final Path dir;
        private final StoreOptions options;
        private final ValuesLog values;
        private final KeysLog keys;
        private final IndexRecovery recovery;

        private Recovering(Path dir, StoreOptions options, ValuesLog values, KeysLog keys, IndexRecovery recovery) {
            this.dir = dir;
            this.options = options;
            this.values = values;
            this.keys = keys;
            this.recovery = recovery;
        }

        /** The ids of the committed atomic batches whose parts the replay accepted, in log order. */
        public long[] committedParts() {
            return recovery.committedParts();
        }

        /** The batch ids of every part replayed since the last CLEAR, committed or not, in log order. */
        public long[] partsInOrder() {
            return recovery.partsInOrder();
        }

        /**
         * Builds the index with the keys log cut at the first part of a batch {@code dropped} names: that
         * part and every record after it are left out (they were never synced: see {@link
         * IncompleteBatches}), and the shard must rewrite its keys log before it takes a write ({@link
         * Shard#rewriteAtOpen}). Then makes what was replayed durable: the open shard. On failure the files
         * are released.
         */
        public Shard finish(LongPredicate dropped) throws IOException {
            try {
                long[] order = recovery.partsInOrder();
                int end = Integer.MAX_VALUE;
                for (int i = 0; i < order.length; i++) {
                    if (dropped.test(order[i])) {
                        end = recovery.partStart(i);
                        break;
                    }
                }
                SortedIndex index = new SortedIndex();
                Expiries expiries = new Expiries();
                java.time.Clock clock = options.clock();
                SegmentCounts live = recovery.loadInto(index, expiries, clock.millis(), end);
                values.numberNewSegmentsAbove(recovery.maxSegment());
                // A killed process leaves records and values in the page cache that replay sees but a power
                // loss could still take: make them durable now, so nothing decided from them (a segment
                // found dead and deleted) rests on them.
                values.force();
                keys.forceAll();
                ShardState state =
                        new ShardState(dir, options.syncMode(), index, values, keys, live, expiries, clock::millis);
                index.checkWritesUnder(state.writeLock);
                keys.checkWritesUnder(state.writeLock);
                values.checkWritesUnder(state.writeLock);
                state.liveKeyRecordBytes = recovery.liveKeyRecordBytes();
                // How tightly a rewrite would pack the keys, until one runs: the log as it is bounds it
                // (exact right after a rewrite), so the first rewrite after a restart is not put off.
                if (state.liveKeyRecordBytes > 0) {
                    state.keysPacking = Math.min(1, keys.recordBytes() / (double) state.liveKeyRecordBytes);
                }
                Shard shard = new Shard(state);
                shard.maxBatchId = recovery.maxBatchId();
                shard.rewriteAtOpen = end != Integer.MAX_VALUE || recovery.skippedParts();
                if (end != Integer.MAX_VALUE) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            dir + ": the keys log is cut at an atomic batch a crash left incomplete; "
                                    + recovery.recordsCut() + " later records, never synced, are dropped");
                }
                return shard;
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        /** Releases the files (an open that fails). */
        public void close() throws IOException {
            keys.close();
            values.close();
        }
    }

    /**
     * From now on this shard's writes append their redo records to {@code journal} as shard
     * {@code index}, and in {@code ALWAYS} mode wait for its force instead of their own logs'.
     */
    public void useJournal(CommitJournal journal, int index) {
        state.shardIndex = index;
        state.journal = journal;
    }

    /** Whether the open left atomic parts that do not count in this shard's keys log (then it must rewrite it before a write). */
    public boolean rewriteAtOpen() {
        return rewriteAtOpen;
    }

    /** The highest atomic batch id the keys log named at open (0 for none). */
    long maxBatchId() {
        return maxBatchId;
    }

    /**
     * Before a keys-log rewrite drops atomic parts (folded into plain records), and before a segment is
     * deleted, every commit so far is made durable with all its parts ({@code settler}: {@link
     * BatchCommits#settle}). Not called for a shard opened alone.
     */
    public void settleBatchesWith(BatchCommits.IoAction settler) {
        state.batchSettler = settler;
    }

    /** What {@link AtomicBatches} works on: the shard's logs, index and locks. */
    ShardState state() {
        return state;
    }

    /** Live keys: those in the index but the expired ones the sweep has not removed yet. */
    public long size() {
        long n = state.index.size();
        return state.expiries.size() == 0 ? n : n - state.expiries.dueCount(state.clock.getAsLong());
    }

    public void put(byte[] key, byte[] value) throws IOException {
        writer.put(key, value);
    }

    /** As {@code expireAt} of a put: the key keeps the expiry it has (none if it is absent). */
    public static final long KEEP_EXPIRY = ShardWriter.KEEP_EXPIRY;

    /** Puts with an expiry ({@link ShardWriter#put(byte[], byte[], long, ShardWriter.Condition)}: 0 none, or {@link #KEEP_EXPIRY}). */
    public void put(byte[] key, byte[] value, long expireAt) throws IOException {
        writer.put(key, value, expireAt, ShardWriter.Condition.ALWAYS);
    }

    /** Puts only if the key is absent (or expired); returns whether it did. */
    public boolean putIfAbsent(byte[] key, byte[] value, long expireAt) throws IOException {
        return writer.put(key, value, expireAt, ShardWriter.Condition.IF_ABSENT);
    }

    /** Puts only if the key is present (and not expired); returns whether it did. */
    public boolean putIfPresent(byte[] key, byte[] value, long expireAt) throws IOException {
        return writer.put(key, value, expireAt, ShardWriter.Condition.IF_PRESENT);
    }

    /** Sets the key's expiry (0: none) without copying its value ({@link ShardWriter#setExpiry}). */
    public boolean setExpiry(byte[] key, long expireAt) throws IOException {
        return writer.setExpiry(key, expireAt);
    }

    /**
     * The key's expiry: milliseconds since the epoch, 0 if it has none, -1 if it is absent or expired.
     * Lock-free.
     */
    public long expiry(byte[] key) {
        int[] length = new int[1];
        while (true) {
            long before = state.expiries.get(key);
            boolean present = state.index.get(key, length) >= 0;
            long after = state.expiries.get(key);
            if (before != after) {
                continue; // a writer changed the key between the two looks
            }
            return !present || ShardWriter.passed(after, state.clock.getAsLong()) ? -1 : after;
        }
    }

    /** Whether {@code key} has an expiry that has passed (a scan skips it). Lock-free. */
    public boolean expired(byte[] key) {
        return state.expiries.size() > 0 && state.expiries.expired(key, state.clock.getAsLong());
    }

    /**
     * Removes up to {@code max} keys whose expiry has passed, soonest first ({@link ShardWriter#expireDue});
     * returns how many.
     */
    public int expireDue(int max) throws IOException {
        return writer.expireDue(state.clock.getAsLong(), max);
    }

    /** Keys the index holds, expired ones not yet removed included. */
    public long indexedKeys() {
        return state.index.size();
    }

    /** Keys with an expiry that has not passed. */
    public long liveExpiringKeys() {
        int n = state.expiries.size();
        return n == 0 ? 0 : n - state.expiries.dueCount(state.clock.getAsLong());
    }

    /** Keys with an expiry, expired or not, that the index holds. */
    public int expiringKeys() {
        return state.expiries.size();
    }

    /**
     * The key's version ({@link KeyVersions}): it changes whenever the key does, its expiry included. An
     * expired key still in the index is removed first, so its expiry shows as a change.
     */
    public long version(byte[] key) throws IOException {
        if (state.expiries.size() > 0 && state.expiries.expired(key, state.clock.getAsLong())) {
            writer.expireIfDue(key);
        }
        return state.versions.of(key);
    }

    public boolean delete(byte[] key) throws IOException {
        return writer.delete(key);
    }

    /** Removes every key with one CLEAR record. */
    public void clear() throws IOException {
        writer.clear();
    }

    /** Time puts on this shard spent slowed down by pacing since open, summed over writers. */
    public long pacedNanos() {
        return writer.pacedNanos();
    }

    /** Sets the delay each put on this shard should average (0: none); the collector sets it each round. */
    public void setPace(long nanosPerPut) {
        writer.setPace(nanosPerPut);
    }

    /** Forces everything appended so far ({@link GroupCommit#sync}). */
    public void sync() throws IOException {
        commit.sync();
    }

    public byte[] get(byte[] key) throws IOException {
        int[] length = new int[1];
        while (true) {
            // The expiry before and after the index: a writer changes the index first and the expiry
            // after, so equal looks mean the address and the expiry belong together.
            long before = state.expiries.get(key);
            long address = state.index.get(key, length);
            if (address < 0) {
                return null;
            }
            long after = state.expiries.get(key);
            if (before != after) {
                continue;
            }
            if (after != 0 && after <= state.clock.getAsLong()) { // the clock only for keys with an expiry
                return null;
            }
            byte[] value = state.values.read(key, address, length[0]);
            if (value != null) {
                return value;
            }
            if (state.closed) { // the segment was retired: by garbage collection (look again) or by close
                throw new IllegalStateException("store is closed");
            }
        }
    }

    /**
     * Writes a large value ({@link io.toykv.core.log.ValuesLog#isLarge}) durably to a segment of its own
     * for an atomic batch, which adopts it under the write lock ({@link ShardWriter#writeLarge}).
     */
    Segment writeLarge(byte[] key, byte[] value) throws IOException {
        return writer.writeLarge(key, value);
    }

    /** Deletes a segment {@link #writeLarge} wrote that no change adopted. */
    void discard(Segment large) {
        writer.discard(large);
    }

    /** Reads the value at a position a scan found; falls back to a fresh lookup if it moved. */
    public byte[] read(byte[] key, long address, int length) throws IOException {
        byte[] value = state.values.read(key, address, length);
        return value != null ? value : get(key);
    }

    public SortedIndex.Cursor cursor(byte[] from) {
        return state.index.cursor(from);
    }

    // ---- garbage collection (driven by GarbageCollector) ----

    /** A sealed segment and how much of it is live. */
    public record SegmentUsage(long id, String name, long size, long live) {
        public long garbage() {
            return size - live;
        }

        /**
         * What moving its live values could free: a copy takes whole pages, so a segment whose garbage
         * is all in the padding of its last page (a collection's copy of a few values) frees nothing.
         */
        public long reclaimable() {
            return size - DirectIo.align(live);
        }
    }

    /**
     * The values log at one moment: its sealed segments, the bytes it takes (sealed segments, the head
     * up to the buffer's base, and the buffered records) and the bytes of live value records in it.
     */
    public record ValuesUsage(List<SegmentUsage> sealed, long bytes, long live) {}

    /** Every segment but those still written to ({@link ValuesLog#writable}), with its live bytes. */
    public List<SegmentUsage> sealedSegments() {
        return valuesUsage().sealed();
    }

    public ValuesUsage valuesUsage() {
        state.writeLock.lock();
        try {
            List<SegmentUsage> out = new ArrayList<>();
            for (Segment s : state.values.segments()) {
                if (!state.values.writable(s.id())) {
                    long live = state.liveBytes.get(s.id());
                    out.add(new SegmentUsage(
                            s.id(), state.dir.getFileName() + "/" + s.path().getFileName(), s.size(), live));
                }
            }
            return new ValuesUsage(out, state.values.segmentBytes() + state.values.bufferBytes(), state.liveValueBytes);
        } finally {
            state.writeLock.unlock();
        }
    }

    /** Moves the live values out of {@code victims} ({@link SegmentEvacuation#evacuate}); returns the bytes moved. */
    public long evacuate(
            List<SegmentUsage> victims, long segmentSize, int batch, Runnable yieldToWriters, BooleanSupplier stop)
            throws IOException {
        return evacuation.evacuate(victims, segmentSize, batch, yieldToWriters, stop);
    }

    /** Bytes of live value records in segment {@code segmentId}. */
    public long liveBytes(long segmentId) {
        state.writeLock.lock();
        try {
            return state.liveBytes.get(segmentId);
        } finally {
            state.writeLock.unlock();
        }
    }

    /** Deletes a sealed segment that holds no live value ({@link DeadSegments}); returns the bytes freed. */
    public long dropIfDead(long segmentId) throws IOException {
        return deadSegments.dropIfDead(segmentId);
    }

    public long[] dropIfDead(long[] ids) throws IOException {
        return deadSegments.dropIfDead(ids);
    }

    public void dropIfDead(long[] ids, long[] freed) throws IOException {
        deadSegments.dropIfDead(ids, freed);
    }

    /** Id of the head segment, the one the buffer is flushed to. */
    public long headSegmentId() {
        state.writeLock.lock();
        try {
            return state.values.headId();
        } finally {
            state.writeLock.unlock();
        }
    }

    /** Appends since open (every put, delete, clear and batch of moves counts one). */
    public long appendSequence() {
        state.writeLock.lock();
        try {
            return state.appendSequence;
        } finally {
            state.writeLock.unlock();
        }
    }

    /**
     * The keys log at one moment: its bytes of records; about how many bytes a rewrite would write
     * now (the live keys at one ordinary PUT record each, times how tightly the last rewrite packed them
     * into BATCH records: about half for 8-byte keys, taken as 1 until a rewrite has run); and whether
     * nothing was appended since the last rewrite ({@link KeysLog#freshlyRewritten}).
     */
    public record KeysLogUsage(long bytes, long rewriteBytes, boolean freshlyRewritten) {}

    public KeysLogUsage keysLogUsage() {
        return compaction.keysLogUsage();
    }

    /** Rewrites the keys log with only the live records ({@link KeysLogCompaction}); returns bytes dropped. */
    public long compactKeysLog() throws IOException {
        return compaction.compactKeysLog();
    }

    public ShardStats stats() {
        state.writeLock.lock();
        try {
            return new ShardStats(
                    size(),
                    state.keys.recordBytes(),
                    state.values.segmentBytes(),
                    state.values.bufferBytes(),
                    state.index.heapBytes() + (long) state.expiries.size() * Expiries.BYTES_PER_ENTRY,
                    state.values.segmentCount(),
                    state.values.directIo());
        } finally {
            state.writeLock.unlock();
        }
    }

    /** Flushes the buffer to its segment, forces both logs and releases the files. A second call does nothing. */
    public void close() throws IOException {
        state.syncLock.lock();
        try {
            state.writeLock.lock();
            try {
                if (state.closed) {
                    return;
                }
                state.closed = true;
                Throwable stopped = state.forceFailure();
                if (stopped != null) {
                    // Forcing now could report success for pages the kernel dropped: release the files
                    // as abandon does, and say so rather than return as if all were durable.
                    try {
                        state.keys.close();
                    } finally {
                        state.values.close();
                    }
                    throw new IOException(
                            "store " + state.dir + " closed without forcing after a failed force ("
                                    + stopped.getMessage() + "): writes since the last good force may be lost",
                            ForceFailedException.in(stopped));
                }
                boolean valuesDurable = false;
                try {
                    state.values.flushAndForce();
                    valuesDurable = true;
                } catch (IOException | RuntimeException e) {
                    // The flush failed (a full disk): the values are still in the buffer, which must be
                    // forced where it lies before the key records naming them are; if that fails too,
                    // the keys log is left unforced (a power loss then takes the last records, whole).
                    try {
                        state.values.force();
                        valuesDurable = true;
                    } catch (RuntimeException again) {
                        e.addSuppressed(again);
                    }
                    throw e;
                } finally {
                    try {
                        if (valuesDurable) {
                            state.keys.forceAndClose();
                        } else {
                            state.keys.close();
                        }
                    } finally {
                        state.values.close();
                    }
                }
            } finally {
                state.writeLock.unlock();
            }
        } finally {
            state.syncLock.unlock();
        }
    }

    /**
     * Stops every later write, force and collection of this shard until reopen: {@code failure}, a
     * failed force, was met elsewhere in the store. The first one is kept.
     */
    public void stopWrites(Throwable failure) {
        state.stopWrites(failure);
    }

    /** Whether a failed force stopped this shard's writes ({@link #stopWrites}). */
    public boolean writesStopped() {
        return state.forceFailure() != null;
    }

    /** Releases the files without flushing or forcing, as a killed process would. For crash tests. */
    public void abandon() {
        state.syncLock.lock();
        try {
            state.writeLock.lock();
            try {
                state.closed = true;
                state.keys.close();
                state.values.close();
            } finally {
                state.writeLock.unlock();
            }
        } finally {
            state.syncLock.unlock();
        }
    }

    /** The lock every force takes ({@link ShardState#syncLock}); tests hold it to hold a sync back. */
    public java.util.concurrent.locks.ReentrantLock syncLock() {
        return state.syncLock;
    }

    public record ShardStats(
            long liveKeys,
            long keysLogBytes,
            long valuesLogBytes,
            long bufferBytes,
            long indexBytes,
            int segments,
            boolean directIo) {}

    public static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e.getMessage(), e);
    }
}
