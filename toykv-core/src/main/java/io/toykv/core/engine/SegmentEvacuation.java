package io.toykv.core.engine;

import io.toykv.core.index.SortedIndex;
import io.toykv.core.log.Address;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.PutBatch;
import io.toykv.core.log.Segment;
import io.toykv.core.log.SegmentBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

/**
 * Garbage collection's moves in one shard: the live values of victim segments copied into new segments,
 * then the keys pointed at the copies (driven by {@link GarbageCollector}; the victims are deleted
 * afterwards by {@link DeadSegments}).
 */
final class SegmentEvacuation {
    private final ShardState state;
    private final GroupCommit commit;

    SegmentEvacuation(ShardState state, GroupCommit commit) {
        this.state = state;
        this.commit = commit;
    }

    /** A live value found in a victim segment, and where its copy went. */
    private record Move(byte[] key, long from, int length, long to, SortedIndex.Hint hint, int slot) {}

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
    long evacuate(
            List<Shard.SegmentUsage> victims,
            long segmentSize,
            int batch,
            Runnable yieldToWriters,
            BooleanSupplier stop)
            throws IOException {
        long liveBytes = 0;
        for (Shard.SegmentUsage u : victims) {
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
            Segment copy = Segment.open(b.commit(state.values.io()), b.id()); // mapped without the lock
            state.writeLock.lock();
            try {
                state.ensureOpen();
                state.values.adopt(copy);
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
                state.writeLock.unlock();
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
            boolean expiring = false;
            for (Move m : moves.subList(from, Math.min(moves.size(), from + batch))) {
                if (state.index.mayPointAt(m.hint(), m.slot(), m.key(), m.from())) {
                    slice.add(m);
                    packedBound += PutBatch.entryBound(m.key().length);
                    expiring |= state.expiries.get(m.key()) != 0;
                }
            }
            // The moves of a batch go to the keys log as one BATCH record (about half the bytes of a
            // PUT each; the moves are in key order), unless long keys would not fit in one, or a key
            // has an expiry, which a BATCH entry cannot carry.
            boolean asBatch = packedBound <= PutBatch.MAX_BODY && !expiring;
            state.writeLock.lock();
            try {
                state.ensureOpen();
                if (asBatch) {
                    state.keys.ensureRoom(KeyRecord.size(packedBound));
                    packed.reset();
                }
                for (Move m : slice) {
                    // Room first, so a full disk changes nothing. After it the append cannot fail, so
                    // the index may point at the copy first: one descent instead of a get and a put.
                    // Readers may see the copy at once: it is durable (committed above).
                    long expireAt = state.expiries.get(m.key());
                    if (asBatch && expireAt != 0) {
                        continue; // given an expiry since the look above: not moved this round
                    }
                    if (!asBatch) {
                        state.keys.ensureRoom(KeyRecord.size(KeyRecord.putKind(expireAt), m.key().length));
                    }
                    // From the leaf the walk found the key in: no descent, unless that leaf changed shape since.
                    if (!state.index.replaceIf(m.hint(), m.slot(), m.key(), m.from(), m.to(), m.length())) {
                        continue; // overwritten or deleted since: its copy is garbage
                    }
                    if (asBatch) {
                        packed.add(m.key(), m.length(), m.to()); // fits: the bound was checked above
                    } else {
                        state.keys.appendPut(m.key(), m.length(), m.to(), expireAt);
                    }
                    state.addLive(m.to(), m.length());
                    state.addLive(m.from(), -m.length());
                    moved += m.length();
                }
                if (asBatch && packed.count() > 0) {
                    state.keys.appendBatch(packed);
                }
                state.appendSequence++;
            } catch (IOException | RuntimeException e) {
                state.stopWritesIf(e); // a keys-file roll's force: before the lock goes
                throw e;
            } finally {
                state.writeLock.unlock();
            }
            if (state.writeLock.hasQueuedThreads()) {
                yieldToWriters.run();
            }
        }
        // The key records pointing at the copies must be durable before any victim is deleted.
        commit.sync();
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
    private List<Move> copyLiveValues(List<Shard.SegmentUsage> victims, CopyTarget out, BooleanSupplier stop)
            throws IOException {
        long[] ids = new long[victims.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = victims.get(i).id();
        }
        LongPredicate inVictim = address -> {
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
        SortedIndex.Cursor c = state.index.cursor(null);
        while (c.next(inVictim)) {
            int n = keys.size();
            if (n == addresses.length) {
                addresses = Arrays.copyOf(addresses, 2 * n);
                lengths = Arrays.copyOf(lengths, 2 * n);
                slots = Arrays.copyOf(slots, 2 * n);
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
        Arrays.fill(copies, -1);
        for (int v = 0; v < ids.length; v++) {
            Segment s = state.values.segment(ids[v]);
            if (s == null || byVictim[v].length == 0 || !s.acquire()) {
                continue;
            }
            try {
                Arrays.sort(byVictim[v]);
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
                state.writeLock.lock();
                try {
                    state.ensureOpen();
                    id = state.values.reserveSegmentId();
                } finally {
                    state.writeLock.unlock();
                }
                // Allocated without the lock: zeroing a segment's worth of heap takes about a millisecond.
                // Never smaller than the record: one written under an earlier open's larger
                // segmentSize (an option of each open) can be larger than a segment of this one.
                b = new SegmentBuilder(state.dir, id, (int) Math.max(length, Math.min(segmentSize, remaining)));
                builders.add(b);
            }
            remaining -= length;
            return b.copy(from, address, key, length);
        }
    }
}
