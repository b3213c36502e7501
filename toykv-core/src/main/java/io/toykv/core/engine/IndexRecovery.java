package io.toykv.core.engine;

import io.toykv.core.CorruptionException;
import io.toykv.core.index.SortedIndex;
import io.toykv.core.log.Address;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.KeysFile;
import io.toykv.core.log.ValuesLog;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Rebuilds a shard's index from its keys log at open. Records are collected in log order into plain
 * arrays (a CLEAR record empties them); then an index permutation is merge-sorted by key, stably, so
 * the last record of each key in log order decides it: a PUT sets the key, a DELETE leaves it out, and
 * so does a PUT_EXPIRING whose expiry has passed (its value is then garbage, as a deleted key's is).
 * The survivors go into the index in one bulk load. Sorting once is much cheaper than a hash map or a
 * million single inserts; comparing eight-byte key prefixes as longs first keeps the sort in cache.
 *
 * <p>A PUT whose value should be in the buffer is checked as it is replayed, against its key (a value
 * record's checksum covers the key it does not store): if the value did not survive (a power loss) the
 * record is rejected, and the keys log treats it like a record with a bad checksum. The buffer's
 * appends then go on after the furthest value an accepted record names ({@link ValuesLog#finishRecovery}). Records pointing into segments are checked only
 * if they survive: a superseded one may point at a segment garbage collection has since deleted.
 */
final class IndexRecovery implements KeysFile.RecordSink {
    private final ValuesLog values;
    private byte[][] keys = new byte[1024][];
    private long[] prefixes = new long[1024];
    private long[] addresses = new long[1024];
    private int[] lengths = new int[1024];
    private boolean[] deleted = new boolean[1024];
    private long[] expiries = new long[1024];
    private long[] offsets = new long[1024];
    private int[] fileIndexes = new int[1024];
    private final java.util.List<Path> files = new java.util.ArrayList<>();
    private int count;
    private long liveKeyRecordBytes;
    /** The highest segment id any PUT replayed names, superseded or not. */
    private long maxSegment;

    /** Whether an atomic batch (by id) committed: only then are its parts replayed. */
    private final java.util.function.LongPredicate committed;
    /** The highest atomic batch id any ATOMIC_PART replayed names, committed or not. */
    private long maxBatchId;
    /** The ids of the committed parts accepted. */
    private long[] parts = new long[16];

    private int partCount;
    /** Of each committed part still in the arrays (since the last CLEAR): its batch id and first record. */
    private long[] rangeIds = new long[16];

    private int[] rangeStarts = new int[16];
    private int[] rangeEnds = new int[16];
    private int rangeCount;

    IndexRecovery(ValuesLog values) {
        this(values, id -> false);
    }

    IndexRecovery(ValuesLog values, java.util.function.LongPredicate committed) {
        this.values = values;
        this.committed = committed;
    }

    @Override
    public String accept(KeyRecord record, Path file, long offset) throws CorruptionException {
        switch (record.kind()) {
            case KeyRecord.PUT:
            case KeyRecord.PUT_EXPIRING: {
                String problem = values.checkBuffered(record.key(), record.address(), record.valueLength());
                if (problem != null) {
                    return problem;
                }
                add(record.key(), record.address(), record.valueLength(), false, file, offset);
                expiries[count - 1] = record.expireAt();
                maxSegment = Math.max(maxSegment, Address.segment(record.address()));
                return null;
            }
            case KeyRecord.DELETE:
                add(record.key(), 0, 0, true, file, offset);
                return null;
            case KeyRecord.ATOMIC_PART:
                return acceptPart(record, file, offset);
            default:
                count = 0;
                rangeCount = 0;
                return null;
        }
    }

    /**
     * One shard's part of an atomic batch: its entries count only if the batch committed. A part of a
     * batch that did not (a crash before its commit record) is left out whole; its values are garbage.
     * A committed part whose value did not survive is rejected like a PUT whose value did not (a torn
     * tail past the synced length, corruption before it: a part before it was forced with its values);
     * an accepted one is noted, for the store to check that every part of its batch survived. A body
     * that does not decode is corruption.
     */
    private String acceptPart(KeyRecord record, Path file, long offset) throws CorruptionException {
        long batchId = record.address();
        maxBatchId = Math.max(maxBatchId, batchId);
        java.util.List<KeyRecord> entries;
        try {
            entries = io.toykv.core.log.AtomicPart.decode(record.key(), record.valueLength());
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(file, offset, "atomic part of batch " + batchId + ": " + e.getMessage());
        }
        for (KeyRecord e : entries) {
            maxSegment = Math.max(maxSegment, Address.segment(e.address()));
        }
        if (!committed.test(batchId)) {
            return null;
        }
        for (KeyRecord e : entries) {
            if (e.kind() != KeyRecord.DELETE) {
                String problem = values.checkBuffered(e.key(), e.address(), e.valueLength());
                if (problem != null) {
                    return "atomic part of committed batch " + batchId + ": " + problem;
                }
            }
        }
        if (partCount == parts.length) {
            parts = Arrays.copyOf(parts, partCount * 2);
        }
        parts[partCount++] = batchId;
        if (rangeCount == rangeIds.length) {
            rangeIds = Arrays.copyOf(rangeIds, rangeCount * 2);
            rangeStarts = Arrays.copyOf(rangeStarts, rangeCount * 2);
            rangeEnds = Arrays.copyOf(rangeEnds, rangeCount * 2);
        }
        rangeIds[rangeCount] = batchId;
        rangeStarts[rangeCount] = count;
        for (KeyRecord e : entries) {
            add(e.key(), e.address(), e.valueLength(), e.kind() == KeyRecord.DELETE, file, offset);
            expiries[count - 1] = e.expireAt();
        }
        rangeEnds[rangeCount++] = count;
        return null;
    }

    /** The ids of the committed parts the replay accepted, in log order. */
    long[] committedParts() {
        return Arrays.copyOf(parts, partCount);
    }

    /** The highest atomic batch id the replayed keys log names (0 for none): new batches are numbered above it. */
    long maxBatchId() {
        return maxBatchId;
    }

    private void add(byte[] key, long address, int length, boolean isDelete, Path file, long offset) {
        if (count == keys.length) {
            int n = count * 2;
            keys = Arrays.copyOf(keys, n);
            prefixes = Arrays.copyOf(prefixes, n);
            addresses = Arrays.copyOf(addresses, n);
            lengths = Arrays.copyOf(lengths, n);
            deleted = Arrays.copyOf(deleted, n);
            expiries = Arrays.copyOf(expiries, n);
            offsets = Arrays.copyOf(offsets, n);
            fileIndexes = Arrays.copyOf(fileIndexes, n);
        }
        // The keys log passes one Path object for all records of a file: identity is enough, and cheap.
        if (files.isEmpty() || files.get(files.size() - 1) != file) {
            files.add(file);
        }
        offsets[count] = offset;
        fileIndexes[count] = files.size() - 1;
        keys[count] = key;
        prefixes[count] = prefix(key);
        addresses[count] = address;
        lengths[count] = length;
        deleted[count] = isDelete;
        expiries[count] = 0;
        count++;
    }

    /**
     * Loads the survivors into {@code index}, and their expiries into {@code expiring}; a key whose
     * expiry is at or before {@code now} does not survive. Returns the live value bytes per segment id.
     *
     * @throws CorruptionException a live key's value is in no segment
     */
    SegmentCounts loadInto(SortedIndex index, Expiries expiring, long now) throws CorruptionException {
        return loadInto(index, expiring, now, id -> false);
    }

    /** As {@link #loadInto(SortedIndex, Expiries, long)}, leaving out the parts of the batches {@code dropped} names. */
    SegmentCounts loadInto(SortedIndex index, Expiries expiring, long now, java.util.function.LongPredicate dropped)
            throws CorruptionException {
        boolean[] skip = new boolean[count];
        for (int r = 0; r < rangeCount; r++) {
            if (dropped.test(rangeIds[r])) {
                Arrays.fill(skip, rangeStarts[r], rangeEnds[r], true);
            }
        }
        int[] order = new int[count];
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (!skip[i]) {
                order[kept++] = i;
            }
        }
        count = kept; // from here the records are those order names
        mergeSort(order, new int[count], 0, count);
        byte[][] liveKeys = new byte[count][];
        long[] liveAddresses = new long[count];
        int[] liveLengths = new int[count];
        SegmentCounts live = new SegmentCounts();
        int n = 0;
        for (int i = 0; i < count; i++) {
            int r = order[i];
            boolean lastOfKey = i + 1 == count || compare(r, order[i + 1]) != 0;
            boolean expired = expiries[r] != 0 && expiries[r] <= now;
            if (lastOfKey && !deleted[r] && !expired) {
                String problem = values.checkLive(addresses[r], lengths[r]);
                if (problem != null) {
                    throw new CorruptionException(files.get(fileIndexes[r]), offsets[r], "live key record: " + problem);
                }
                liveKeyRecordBytes += KeyRecord.size(KeyRecord.putKind(expiries[r]), keys[r].length);
                if (expiries[r] != 0) {
                    expiring.set(keys[r], expiries[r]);
                }
                liveKeys[n] = keys[r];
                liveAddresses[n] = addresses[r];
                liveLengths[n] = lengths[r];
                live.add(Address.segment(addresses[r]), lengths[r]);
                n++;
            }
        }
        keys = null;
        index.load(liveKeys, liveAddresses, liveLengths, n);
        return live;
    }

    /**
     * The highest segment id a PUT record of the keys log names, live or superseded: new segments must
     * be numbered above it, or a superseded record would seem to point into the new segment.
     */
    long maxSegment() {
        return maxSegment;
    }

    /** Bytes the live keys' records take in the keys log (known after {@link #loadInto}). */
    long liveKeyRecordBytes() {
        return liveKeyRecordBytes;
    }

    private int compare(int a, int b) {
        int c = Long.compareUnsigned(prefixes[a], prefixes[b]);
        return c != 0 ? c : Arrays.compareUnsigned(keys[a], keys[b]);
    }

    /** Stable top-down merge sort of {@code a[from, to)} by key; equal keys keep log order. */
    private void mergeSort(int[] a, int[] tmp, int from, int to) {
        if (to - from < 24) {
            for (int i = from + 1; i < to; i++) {
                int x = a[i];
                int j = i - 1;
                while (j >= from && compare(a[j], x) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid);
        mergeSort(a, tmp, mid, to);
        if (compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && compare(tmp[i], tmp[j]) <= 0)) {
                a[k] = tmp[i++];
            } else {
                a[k] = tmp[j++];
            }
        }
    }

    /** The first eight bytes of {@code key}, zero-padded, as an unsigned big-endian long. */
    private static long prefix(byte[] key) {
        long p = 0;
        int n = Math.min(8, key.length);
        for (int i = 0; i < n; i++) {
            p |= (key[i] & 0xFFL) << (56 - 8 * i);
        }
        return p;
    }
}
