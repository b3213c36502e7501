package io.toykv.core;

import io.toykv.core.index.SortedIndex;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.log.Address;
import io.toykv.core.log.DirectIo;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.KeysLog;
import io.toykv.core.log.PutBatch;
import io.toykv.core.log.Segment;
import io.toykv.core.log.SegmentBuilder;
import io.toykv.core.log.ValueRecord;
import io.toykv.core.log.ValuesLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One shard: its own keys log, values log and index, and its own write lock. Keys are routed to shards
 * by {@link ShardRouter}, so writers to different shards never wait for each other.
 *
 * <p>A put appends the value to the buffer, then the key record that points at it to the keys log, then
 * updates the index: values before the key record that points at them, so a crash can leave an
 * unreferenced value (garbage) but never a key whose value is missing. Room in both logs is made
 * before either is written, so a failed allocation (a full disk) writes nothing.
 */
final class Shard {
    private final Path dir;
    private final SyncMode syncMode;
    private final SortedIndex index;
    private final ValuesLog values;
    private final KeysLog keys;

    /** Guards appends to both logs, index changes, {@link #appendSequence}, {@link #liveBytes} and {@link #liveValueBytes}. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /**
     * Serialises forces (group commit). Taken before {@link #writeLock}, never while holding it. A lock
     * rather than a monitor: on Java 21-23 a virtual thread waiting for a monitor pins its carrier.
     */
    private final ReentrantLock syncLock = new ReentrantLock();

    private long appendSequence;
    /** Bytes the live keys would take as one ordinary PUT record each (see {@link #keysLogUsage}). */
    private long liveKeyRecordBytes;
    /** Bytes the last keys-log rewrite's walk wrote per byte of {@link #liveKeyRecordBytes}; 1 until one ran. */
    private double keysPacking = 1;
    private volatile long durableSequence;
    private static final long PACE_PARK_NANOS = 200_000;
    /** See {@link #pace}. */
    private volatile long paceNanos;
    private final java.util.concurrent.atomic.AtomicLong paceDebt = new java.util.concurrent.atomic.AtomicLong();
    /** Time puts spent parked by {@link #pace}, summed over writers: {@link StoreStats#gcPaceNanos}. */
    private final java.util.concurrent.atomic.LongAdder pacedNanos = new java.util.concurrent.atomic.LongAdder();
    /** Bytes of live value records by segment id: what garbage collection will weigh. */
    private final SegmentCounts liveBytes;
    /**
     * By segment id, the append that last left it with nothing live; with {@link #clearedAt}, what
     * {@link #dropIfDead} must have made durable before it deletes the segment. 0 for what was dead at
     * open (the open makes everything it replayed durable).
     */
    private final SegmentCounts emptiedAt = new SegmentCounts();
    /** The append of the last CLEAR, which left every segment with nothing live. */
    private long clearedAt;
    /** The sum of {@link #liveBytes}. */
    private long liveValueBytes;
    private volatile boolean closed;
    /** Why writes are refused after a failure that left the logs unsafe to append to, or null. */
    private volatile String broken;

    private Shard(Path dir, SyncMode syncMode, SortedIndex index, ValuesLog values, KeysLog keys,
            SegmentCounts liveBytes) {
        this.dir = dir;
        this.syncMode = syncMode;
        this.index = index;
        this.values = values;
        this.keys = keys;
        this.liveBytes = liveBytes;
        this.liveValueBytes = liveBytes.total();
    }

    static Shard open(Path dir, StoreOptions options, DirectIo io, FileAllocator allocator)
            throws IOException {
        return open(dir, options, io, allocator, KeysLog.Chain.NONE);
    }

    /** Opens the shard in {@code dir}; {@code chain} records (and at open checks) its keys files. */
    static Shard open(Path dir, StoreOptions options, DirectIo io, FileAllocator allocator, KeysLog.Chain chain)
            throws IOException {
        Files.createDirectories(dir);
        ValuesLog values = ValuesLog.open(dir, options.bufferSize(), options.segmentSize(),
                ValueRecord.size(options.maxValueSize()), io, allocator);
        if (options.onBackgroundFailure() != null) {
            values.reportErrorsTo(options.onBackgroundFailure());
        }
        KeysLog keys = null;
        try {
            IndexRecovery recovery = new IndexRecovery(values);
            keys = KeysLog.recover(dir, options.keysFileSize(), allocator, values::flush, recovery, chain);
            values.finishRecovery();
            SortedIndex index = new SortedIndex();
            SegmentCounts live = recovery.loadInto(index);
            values.numberNewSegmentsAbove(recovery.maxSegment());
            // A killed process leaves records and values in the page cache that replay sees but a power
            // loss could still take: make them durable now, so nothing decided from them (a segment
            // found dead and deleted) rests on them.
            values.force();
            keys.forceAll();
            Shard shard = new Shard(dir, options.syncMode(), index, values, keys, live);
            shard.liveKeyRecordBytes = recovery.liveKeyRecordBytes();
            // How tightly a rewrite would pack the keys, until one runs: the log as it is bounds it
            // (exact right after a rewrite), so the first rewrite after a restart is not put off.
            if (shard.liveKeyRecordBytes > 0) {
                shard.keysPacking = Math.min(1, keys.recordBytes() / (double) shard.liveKeyRecordBytes);
            }
            return shard;
        } catch (IOException | RuntimeException e) {
            if (keys != null) {
                keys.close();
            }
            values.close();
            throw e;
        }
    }

    long size() {
        return index.size();
    }

    void put(byte[] key, byte[] value) throws IOException {
        int recordSize = ValueRecord.size(value.length);
        int[] previousLength = new int[1];
        long sequence;
        writeLock.lock();
        try {
            ensureOpen();
            keys.ensureRoom(KeyRecord.size(key.length));
            long address = values.append(key, value);
            keys.append(KeyRecord.PUT, key, recordSize, address);
            long previous = index.put(key, address, recordSize, previousLength);
            addLive(address, recordSize);
            if (previous >= 0) {
                addLive(previous, -previousLength[0]);
            } else {
                liveKeyRecordBytes += KeyRecord.size(key.length);
            }
            sequence = ++appendSequence;
        } finally {
            writeLock.unlock();
        }
        if (syncMode == SyncMode.ALWAYS) {
            syncTo(sequence);
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
            java.util.concurrent.locks.LockSupport.parkNanos(PACE_PARK_NANOS);
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
        writeLock.lock();
        try {
            ensureOpen();
            if (index.get(key, length) < 0) {
                return false;
            }
            keys.ensureRoom(KeyRecord.size(key.length));
            keys.append(KeyRecord.DELETE, key, 0, 0);
            long address = index.remove(key, length);
            addLive(address, -length[0]);
            liveKeyRecordBytes -= KeyRecord.size(key.length);
            sequence = ++appendSequence;
        } finally {
            writeLock.unlock();
        }
        if (syncMode == SyncMode.ALWAYS) {
            syncTo(sequence);
        }
        return true;
    }

    /** Removes every key with one CLEAR record. */
    void clear() throws IOException {
        long sequence;
        writeLock.lock();
        try {
            ensureOpen();
            keys.ensureRoom(KeyRecord.size(0));
            keys.append(KeyRecord.CLEAR, new byte[0], 0, 0);
            index.clear();
            liveBytes.clear();
            clearedAt = appendSequence + 1;
            liveValueBytes = 0;
            liveKeyRecordBytes = 0;
            sequence = ++appendSequence;
        } finally {
            writeLock.unlock();
        }
        if (syncMode == SyncMode.ALWAYS) {
            syncTo(sequence);
        }
    }

    byte[] get(byte[] key) throws IOException {
        int[] length = new int[1];
        while (true) {
            long address = index.get(key, length);
            if (address < 0) {
                return null;
            }
            byte[] value = values.read(key, address, length[0]);
            if (value != null) {
                return value;
            }
            ensureOpen(); // the segment was retired: by garbage collection (look again) or by close
        }
    }

    /** Reads the value at a position a scan found; falls back to a fresh lookup if it moved. */
    byte[] read(byte[] key, long address, int length) throws IOException {
        byte[] value = values.read(key, address, length);
        return value != null ? value : get(key);
    }

    SortedIndex.Cursor cursor(byte[] from) {
        return index.cursor(from);
    }

    private void addLive(long address, long delta) {
        long segment = Address.segment(address);
        long live = liveBytes.add(segment, delta);
        liveValueBytes += delta;
        if (delta < 0 && live == 0) {
            emptiedAt.set(segment, appendSequence + 1); // the append under way: each caller counts it after
        }
    }

    /**
     * Forces everything appended so far: writes the buffered values to their segment (O_DIRECT, then
     * fdatasync), then forces the keys log. Flushing rather than forcing the buffer mapping means each
     * value reaches the device once, in its segment; the price is up to 4 KiB of padding per call.
     * Used by the once-a-second sync, {@link Store#sync()} and garbage collection.
     */
    void sync() throws IOException {
        // The buffered values go to their segment without the write lock held for the device: the
        // write before them is waited for first, then theirs is handed to the flusher under the lock
        // and waited for after it (puts go on into the buffer's other half meanwhile).
        values.awaitInFlight();
        long target;
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            values.startFlush();
            target = appendSequence;
        } finally {
            writeLock.unlock();
        }
        values.awaitWritten();
        syncTo(target);
    }

    /**
     * Returns once every append up to {@code sequence} is on the device. Concurrent callers share one
     * force: whoever gets the lock forces everything appended so far, and the others find their
     * sequence already durable.
     */
    private void syncTo(long sequence) {
        if (durableSequence >= sequence) {
            return;
        }
        syncLock.lock();
        try {
            if (durableSequence >= sequence || closed) {
                return;
            }
            long target;
            KeysLog.SyncPoint point;
            writeLock.lock();
            try {
                target = appendSequence;
                point = keys.syncPoint();
            } finally {
                writeLock.unlock();
            }
            // Values first: a key record forced before its value could outlive it in a power loss.
            values.force();
            point.force();
            writeLock.lock();
            try {
                point.file().markSynced(point.end());
            } finally {
                writeLock.unlock();
            }
            durableSequence = target;
        } finally {
            syncLock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
        if (broken != null) {
            throw new IllegalStateException(broken);
        }
    }

    // ---- garbage collection (driven by GarbageCollector) ----

    /** A sealed segment and how much of it is live. */
    record SegmentUsage(long id, String name, long size, long live) {
        long garbage() {
            return size - live;
        }

        /**
         * What moving its live values could free: a copy takes whole pages, so a segment whose garbage
         * is all in the padding of its last page (a collection's copy of a few values) frees nothing.
         */
        long reclaimable() {
            return size - DirectIo.align(live);
        }
    }

    /**
     * The values log at one moment: its sealed segments, the bytes it takes (sealed segments, the head
     * up to the buffer's base, and the buffered records) and the bytes of live value records in it.
     */
    record ValuesUsage(List<SegmentUsage> sealed, long bytes, long live) {
    }

    /** Every segment but those still written to ({@link ValuesLog#writable}), with its live bytes. */
    List<SegmentUsage> sealedSegments() {
        return valuesUsage().sealed();
    }

    ValuesUsage valuesUsage() {
        writeLock.lock();
        try {
            List<SegmentUsage> out = new ArrayList<>();
            for (Segment s : values.segments()) {
                if (!values.writable(s.id())) {
                    long live = liveBytes.get(s.id());
                    out.add(new SegmentUsage(s.id(), dir.getFileName() + "/" + s.path().getFileName(), s.size(), live));
                }
            }
            return new ValuesUsage(out, values.segmentBytes() + values.bufferBytes(), liveValueBytes);
        } finally {
            writeLock.unlock();
        }
    }

    /** A live value found in a victim segment, and where its copy went. */
    private record Move(byte[] key, long from, int length, long to, SortedIndex.Hint hint, int slot) {
    }

    /**
     * Moves every live value out of the {@code victims} segments into new segments of at most
     * {@code segmentSize} bytes, each written whole ({@link SegmentBuilder}), then points the keys at the
     * copies, in batches of {@code batch} under the write lock, calling {@code yieldToWriters} after a
     * batch when a writer is waiting for the lock.
     * Finding, reading and writing the values takes no lock: a victim is sealed, and its live records
     * are found by one walk of the index ({@link #copyLiveValues}). A key is pointed at its copy
     * only if it still points at the old value when its batch runs; a copy whose key moved on meanwhile
     * is garbage in the new segment. Forces the key records before returning, so the caller may then
     * delete the victims. Returns the bytes of value records moved.
     */
    long evacuate(List<SegmentUsage> victims, long segmentSize, int batch, Runnable yieldToWriters,
            BooleanSupplier stop) throws IOException {
        long liveBytes = 0;
        for (SegmentUsage u : victims) {
            liveBytes += u.live();
        }
        CopyTarget out = new CopyTarget(segmentSize, liveBytes);
        List<Move> moves = copyLiveValues(victims, out, stop);
        if (moves.isEmpty() || stop.getAsBoolean()) {
            return 0;
        }
        // The copies are durable under their final names before any key record points at them. If one
        // fails, those committed before it hold nothing live and the next round deletes them.
        for (SegmentBuilder b : out.builders) {
            if (b.isEmpty()) {
                continue; // its only records failed their checks: nothing to write (its id stays unused)
            }
            Segment copy = Segment.open(b.commit(values.io()), b.id()); // mapped without the lock
            writeLock.lock();
            try {
                ensureOpen();
                values.adopt(copy);
            } catch (RuntimeException e) {
                try {
                    // Unmapped. The file holds nothing live; this open never listed it, so a
                    // collection after the next open deletes it.
                    copy.retire();
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
                throw e;
            } finally {
                writeLock.unlock();
            }
        }
        long moved = 0;
        PutBatch packed = new PutBatch(PutBatch.MAX_BODY);
        for (int from = 0; from < moves.size() && !stop.getAsBoolean(); from += batch) {
            // Without the lock, drop the moves whose key was written since the walk, and bring the
            // entries of the rest into the cache: the writers wait for the batch under the lock, which
            // would otherwise spend most of its time waiting on memory.
            List<Move> slice = new ArrayList<>(batch);
            int packedBound = 0;
            for (Move m : moves.subList(from, Math.min(moves.size(), from + batch))) {
                if (index.mayPointAt(m.hint(), m.slot(), m.key(), m.from())) {
                    slice.add(m);
                    packedBound += PutBatch.entryBound(m.key().length);
                }
            }
            // The moves of a batch go to the keys log as one BATCH record (about half the bytes of a
            // PUT each; the moves are in key order), unless long keys would not fit in one.
            boolean asBatch = packedBound <= PutBatch.MAX_BODY;
            writeLock.lock();
            try {
                ensureOpen();
                if (asBatch) {
                    keys.ensureRoom(KeyRecord.size(packedBound));
                    packed.reset();
                }
                for (Move m : slice) {
                    // Room first, so a full disk changes nothing. After it the append cannot fail, so
                    // the index may point at the copy first: one descent instead of a get and a put.
                    // Readers may see the copy at once: it is durable (committed above).
                    if (!asBatch) {
                        keys.ensureRoom(KeyRecord.size(m.key().length));
                    }
                    // From the leaf the walk found the key in: no descent, unless that leaf changed shape since.
                    if (!index.replaceIf(m.hint(), m.slot(), m.key(), m.from(), m.to(), m.length())) {
                        continue; // overwritten or deleted since: its copy is garbage
                    }
                    if (asBatch) {
                        packed.add(m.key(), m.length(), m.to()); // fits: the bound was checked above
                    } else {
                        keys.append(KeyRecord.PUT, m.key(), m.length(), m.to());
                    }
                    addLive(m.to(), m.length());
                    addLive(m.from(), -m.length());
                    moved += m.length();
                }
                if (asBatch && packed.count() > 0) {
                    keys.appendBatch(packed);
                }
                appendSequence++;
            } finally {
                writeLock.unlock();
            }
            if (writeLock.hasQueuedThreads()) {
                yieldToWriters.run();
            }
        }
        // The key records pointing at the copies must be durable before any victim is deleted.
        sync();
        return moved;
    }

    /**
     * Copies the records the index points at in {@code victims} into {@code out} (checked as a read
     * checks them; only the checksum changes, for the new address) and returns the moves in key
     * order. Takes no lock.
     *
     * <p>The live records are found by one walk of the index that builds keys only for entries
     * pointing into a victim, not by a lookup per record of the victims: the walk reads the leaves in
     * order, where each lookup was a descent through cache misses. They are then copied in address
     * order, so each victim is read front to back. The walk is weakly consistent, which is enough: no
     * key starts pointing into a sealed segment while it runs (only this collector moves keys), and an
     * entry it missed leaves its victim with live bytes, so the victim is not deleted.
     */
    private List<Move> copyLiveValues(List<SegmentUsage> victims, CopyTarget out, BooleanSupplier stop) throws IOException {
        long[] ids = new long[victims.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = victims.get(i).id();
        }
        java.util.function.LongPredicate inVictim = address -> {
            long segment = Address.segment(address);
            for (long id : ids) {
                if (id == segment) {
                    return true;
                }
            }
            return false;
        };
        List<byte[]> keys = new ArrayList<>();
        List<SortedIndex.Hint> hints = new ArrayList<>();
        long[] addresses = new long[1024];
        int[] lengths = new int[1024];
        int[] slots = new int[1024];
        SortedIndex.Cursor c = index.cursor(null);
        while (c.next(inVictim)) {
            int n = keys.size();
            if (n == addresses.length) {
                addresses = java.util.Arrays.copyOf(addresses, 2 * n);
                lengths = java.util.Arrays.copyOf(lengths, 2 * n);
                slots = java.util.Arrays.copyOf(slots, 2 * n);
            }
            keys.add(c.key());
            hints.add(c.hint());
            addresses[n] = c.address();
            lengths[n] = c.length();
            slots[n] = c.slot();
        }
        if (stop.getAsBoolean()) {
            return List.of();
        }
        // Copy victim by victim, each front to back: sort each one's entries as (offset, entry) pairs.
        int n = keys.size();
        long[][] byVictim = new long[ids.length][];
        int[] counts = new int[ids.length];
        int[] victimOf = new int[n];
        for (int i = 0; i < n; i++) {
            long segment = Address.segment(addresses[i]);
            int v = 0;
            while (ids[v] != segment) {
                v++;
            }
            victimOf[i] = v;
            counts[v]++;
        }
        for (int v = 0; v < ids.length; v++) {
            byVictim[v] = new long[counts[v]];
            counts[v] = 0;
        }
        for (int i = 0; i < n; i++) {
            int v = victimOf[i];
            byVictim[v][counts[v]++] = Address.offset(addresses[i]) << 32 | i;
        }
        long[] copies = new long[n];
        java.util.Arrays.fill(copies, -1);
        for (int v = 0; v < ids.length; v++) {
            Segment s = values.segment(ids[v]);
            if (s == null || byVictim[v].length == 0 || !s.acquire()) {
                continue;
            }
            try {
                java.util.Arrays.sort(byVictim[v]);
                for (long pair : byVictim[v]) {
                    int i = (int) pair;
                    copies[i] = out.copy(s, addresses[i], keys.get(i), lengths[i]);
                }
            } finally {
                s.release();
            }
        }
        List<Move> moves = new ArrayList<>(keys.size());
        for (int i = 0; i < copies.length; i++) {
            if (copies[i] >= 0) {
                moves.add(new Move(keys.get(i), addresses[i], lengths[i], copies[i], hints.get(i), slots[i]));
            }
        }
        return moves;
    }

    /**
     * Where one collection round copies to: a new segment of at most {@code segmentSize} bytes (or the
     * live bytes still to come, if fewer), and another when it is full, each under an id reserved then.
     */
    private final class CopyTarget {
        private final long segmentSize;
        private long remaining;
        final List<SegmentBuilder> builders = new ArrayList<>();

        CopyTarget(long segmentSize, long liveBytes) {
            this.segmentSize = segmentSize;
            this.remaining = liveBytes;
        }

        /** Copies the record as {@link SegmentBuilder#copy} does; returns its new address, or -1. */
        long copy(Segment from, long address, byte[] key, int length) throws IOException {
            SegmentBuilder b = builders.isEmpty() ? null : builders.get(builders.size() - 1);
            if (b == null || !b.fits(length)) {
                long id;
                writeLock.lock();
                try {
                    ensureOpen();
                    id = values.reserveSegmentId();
                } finally {
                    writeLock.unlock();
                }
                // Allocated without the lock: zeroing a segment's worth of heap takes about a millisecond.
                // Never smaller than the record: one written under an earlier open's larger
                // segmentSize (an option of each open) can be larger than a segment of this one.
                b = new SegmentBuilder(dir, id, (int) Math.max(length, Math.min(segmentSize, remaining)));
                builders.add(b);
            }
            remaining -= length;
            return b.copy(from, address, key, length);
        }
    }

    /** Bytes of live value records in segment {@code segmentId}. */
    long liveBytes(long segmentId) {
        writeLock.lock();
        try {
            return liveBytes.get(segmentId);
        } finally {
            writeLock.unlock();
        }
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
     * made durable first, if they are not yet ({@link #emptiedAt}), for all of them at once and the way
     * {@link #sync} does it (the buffer written to its segment, not forced through its mapping: each
     * value then reaches the device once): a power loss that took those records would bring back older
     * ones pointing into a deleted segment. A sealed segment, once dead, stays dead (only the collector
     * points keys into sealed segments, and not into this one).
     */
    void dropIfDead(long[] ids, long[] freed) throws IOException {
        long needed = -1;
        writeLock.lock();
        try {
            ensureOpen();
            for (long id : ids) {
                if (isDeadAndSealed(id)) {
                    needed = Math.max(needed, emptiedBy(id));
                }
            }
        } finally {
            writeLock.unlock();
        }
        if (needed < 0) {
            if (values.unlinkPending()) {
                values.delete(List.of()); // files whose unlink failed before: try them again (delete below does too)
            }
            return;
        }
        if (durableSequence < needed) {
            sync(); // usually not needed for a round's victims: its own sync covered the moves that emptied them
        }
        List<Segment> detached = new ArrayList<>();
        writeLock.lock();
        try {
            ensureOpen();
            long durable = durableSequence;
            for (int i = 0; i < ids.length; i++) {
                // Dead and its emptying durable: one emptied since the look above (a delete after the
                // sync's snapshot) waits for a later round.
                if (isDeadAndSealed(ids[i]) && emptiedBy(ids[i]) <= durable) {
                    Segment s = values.detachSegment(ids[i]);
                    if (s != null) {
                        detached.add(s);
                        freed[i] = s.size();
                        emptiedAt.set(ids[i], 0); // gone: the id is never used again while open
                    }
                }
            }
        } finally {
            writeLock.unlock();
        }
        values.delete(detached); // the slow part (unmap, unlink, directory force), without the lock
    }

    /** The append that must be durable before segment {@code id}, dead, may go. Under the write lock. */
    private long emptiedBy(long id) {
        return Math.max(clearedAt, emptiedAt.get(id));
    }

    private boolean isDeadAndSealed(long segmentId) {
        boolean dead = liveBytes.get(segmentId) == 0;
        return dead && !values.writable(segmentId);
    }

    /** Id of the head segment, the one the buffer is flushed to. */
    long headSegmentId() {
        writeLock.lock();
        try {
            return values.headId();
        } finally {
            writeLock.unlock();
        }
    }

    /** Appends since open (every put, delete, clear and batch of moves counts one). */
    long appendSequence() {
        writeLock.lock();
        try {
            return appendSequence;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The keys log at one moment: its bytes of records; about how many bytes a rewrite would write
     * now (the live keys at one ordinary PUT record each, times how tightly the last rewrite packed them
     * into BATCH records: about half for 8-byte keys, taken as 1 until a rewrite has run); and whether
     * nothing was appended since the last rewrite ({@link KeysLog#freshlyRewritten}).
     */
    record KeysLogUsage(long bytes, long rewriteBytes, boolean freshlyRewritten) {
    }

    KeysLogUsage keysLogUsage() {
        writeLock.lock();
        try {
            return new KeysLogUsage(keys.recordBytes(), (long) (liveKeyRecordBytes * keysPacking), keys.freshlyRewritten());
        } finally {
            writeLock.unlock();
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
        writeLock.lock();
        try {
            ensureOpen();
            r = keys.beginRewrite();
            liveAtBegin = liveKeyRecordBytes;
        } finally {
            writeLock.unlock();
        }
        long written;
        try {
            written = keys.writeLive(r, index);
        } catch (IOException | RuntimeException e) {
            keys.abortRewrite(r); // nothing named yet: only temp files to delete
            throw e;
        }
        double packing = liveAtBegin > 0 ? Math.min(1, (double) written / liveAtBegin) : 1;
        long dropped;
        syncLock.lock();
        try {
            writeLock.lock();
            try {
                if (closed || broken != null) {
                    keys.abortRewrite(r); // nothing named yet: only temp files to delete
                    ensureOpen();
                }
                try {
                    dropped = keys.switchToRewrite(r);
                    keysPacking = packing;
                } catch (IOException | RuntimeException e) {
                    // Undone before any other append: a named new file left behind would replay its
                    // stale records after the newer ones appended to the old files.
                    try {
                        keys.abortRewrite(r);
                    } catch (IOException | RuntimeException again) {
                        e.addSuppressed(again);
                        broken = "a keys-log rewrite in " + dir + " failed and could not be undone ("
                                + again + "); writes are refused until the store is reopened";
                    }
                    throw e;
                }
            } finally {
                writeLock.unlock();
            }
            // Still under the sync lock: no sync is forcing an old file while it is unmapped.
            keys.deleteReplaced(r);
            return dropped;
        } finally {
            syncLock.unlock();
        }
    }

    ShardStats stats() {
        writeLock.lock();
        try {
            return new ShardStats(index.size(), keys.recordBytes(), values.segmentBytes(), values.bufferBytes(),
                    index.heapBytes(), values.segmentCount(), values.directIo());
        } finally {
            writeLock.unlock();
        }
    }

    /** Flushes the buffer to its segment, forces both logs and releases the files. A second call does nothing. */
    void close() throws IOException {
        syncLock.lock();
        try {
            writeLock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                boolean valuesDurable = false;
                try {
                    values.flushAndForce();
                    valuesDurable = true;
                } catch (IOException | RuntimeException e) {
                    // The flush failed (a full disk): the values are still in the buffer, which must be
                    // forced where it lies before the key records naming them are; if that fails too,
                    // the keys log is left unforced (a power loss then takes the last records, whole).
                    try {
                        values.force();
                        valuesDurable = true;
                    } catch (RuntimeException again) {
                        e.addSuppressed(again);
                    }
                    throw e;
                } finally {
                    try {
                        if (valuesDurable) {
                            keys.forceAndClose();
                        } else {
                            keys.close();
                        }
                    } finally {
                        values.close();
                    }
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            syncLock.unlock();
        }
    }

    /** Releases the files without flushing or forcing, as a killed process would. For crash tests. */
    void abandon() {
        syncLock.lock();
        try {
            writeLock.lock();
            try {
                closed = true;
                keys.close();
                values.close();
            } finally {
                writeLock.unlock();
            }
        } finally {
            syncLock.unlock();
        }
    }

    record ShardStats(long liveKeys, long keysLogBytes, long valuesLogBytes, long bufferBytes, long indexBytes,
            int segments, boolean directIo) {
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e.getMessage(), e);
    }
}
