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
 * arrays (a CLEAR record empties them); then the records' numbers are merge-sorted by key, stably, so
 * the last record of each key in log order decides it: a PUT sets the key, a DELETE leaves it out, and
 * so does a PUT_EXPIRING whose expiry has passed (its value is then garbage, as a deleted key's is).
 * The survivors go into the index in one bulk load. Sorting once is much cheaper than a hash map or a
 * million single inserts.
 *
 * <p>The sort is laid out for the memory, which decides its speed: each record's eight-byte key prefix
 * (an unsigned long) moves with its number through the merges, so comparisons read two arrays in
 * order and reach the key itself only when prefixes tie (keys longer than eight bytes, the same key
 * twice). A record's address, length and expiry lie side by side ({@link #STRIDE} longs), so the pass
 * in key order costs one cache miss a record for them, not one an array. A keys log a rewrite wrote is
 * already in key order, and the merges of sorted runs are skipped.
 *
 * <p>A PUT whose value should be in the buffer is checked as it is replayed, against its key (a value
 * record's checksum covers the key it does not store): if the value did not survive (a power loss) the
 * record is rejected, and the keys log treats it like a record with a bad checksum. The buffer's
 * appends then go on after the furthest value an accepted record names ({@link ValuesLog#finishRecovery}). Records pointing into segments are checked only
 * if they survive: a superseded one may point at a segment garbage collection has since deleted.
 */
final class IndexRecovery implements KeysFile.RecordSink {
    /**
     * Longs a record takes in {@link #records}: its address; its expiry (0: none); its key's length
     * (high 32 bits) and its value length (low 32 bits, {@link #DELETED} for a DELETE).
     */
    private static final int STRIDE = 3;

    private final ValuesLog values;
    private byte[][] keys = new byte[1024][];
    private long[] prefixes = new long[1024];
    private long[] records = new long[1024 * STRIDE];
    /** Where each record is, for messages: the index in {@link #files} above 32 bits, the offset below. */
    private long[] origins = new long[1024];

    private final java.util.List<Path> files = new java.util.ArrayList<>();
    private int count;
    private long liveKeyRecordBytes;
    /** Records {@link #loadInto} left out, the log being cut at a dropped atomic part. */
    private int recordsCut;
    /** The highest segment id any PUT replayed names, superseded or not. */
    private long maxSegment;

    /** Whether an atomic batch (by id) committed: only then are its parts replayed. */
    private final java.util.function.LongPredicate committed;
    /** The highest atomic batch id any ATOMIC_PART replayed names, committed or not. */
    private long maxBatchId;
    /** The ids of the committed parts accepted. */
    private long[] parts = new long[16];

    private int partCount;
    /**
     * Every part replayed since the last CLEAR, committed or not, in log order: its batch id and the
     * number of the first record after it was met (where the log is cut if the open drops the batch).
     */
    private long[] orderIds = new long[16];

    private int[] orderStarts = new int[16];
    private int orderCount;
    /** Whether a part of a batch without a commit record was skipped since the last CLEAR. */
    private boolean skippedParts;

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
                add(record.key(), record.address(), record.valueLength(), record.expireAt(), file, offset);
                maxSegment = Math.max(maxSegment, Address.segment(record.address()));
                return null;
            }
            case KeyRecord.DELETE:
                add(record.key(), 0, DELETED, 0, file, offset);
                return null;
            case KeyRecord.ATOMIC_PART:
                return acceptPart(record, file, offset);
            default:
                count = 0;
                orderCount = 0;
                skippedParts = false;
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
        if (orderCount == orderIds.length) {
            orderIds = Arrays.copyOf(orderIds, orderCount * 2);
            orderStarts = Arrays.copyOf(orderStarts, orderCount * 2);
        }
        orderIds[orderCount] = batchId;
        orderStarts[orderCount++] = count;
        if (!committed.test(batchId)) {
            skippedParts = true;
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
        for (KeyRecord e : entries) {
            boolean delete = e.kind() == KeyRecord.DELETE;
            add(e.key(), e.address(), delete ? DELETED : e.valueLength(), delete ? 0 : e.expireAt(), file, offset);
        }
        return null;
    }

    /** The ids of the committed parts the replay accepted, in log order. */
    long[] committedParts() {
        return Arrays.copyOf(parts, partCount);
    }

    /** The batch ids of every part replayed since the last CLEAR, committed or not, in log order. */
    long[] partsInOrder() {
        return Arrays.copyOf(orderIds, orderCount);
    }

    /** Whether a part of a batch without a commit record was skipped since the last CLEAR. */
    boolean skippedParts() {
        return skippedParts;
    }

    /** The number of the first record after part {@code i} of {@link #partsInOrder} (its own first, if it counts). */
    int partStart(int i) {
        return orderStarts[i];
    }

    /** The highest atomic batch id the replayed keys log names (0 for none): new batches are numbered above it. */
    long maxBatchId() {
        return maxBatchId;
    }

    /** The value length {@link #records} gives a DELETE. */
    private static final int DELETED = -1;

    private void add(byte[] key, long address, int length, long expireAt, Path file, long offset) {
        if (count == keys.length) {
            int n = count * 2;
            keys = Arrays.copyOf(keys, n);
            prefixes = Arrays.copyOf(prefixes, n);
            records = Arrays.copyOf(records, n * STRIDE);
            origins = Arrays.copyOf(origins, n);
        }
        // The keys log passes one Path object for all records of a file: identity is enough, and cheap.
        if (files.isEmpty() || files.get(files.size() - 1) != file) {
            files.add(file);
        }
        origins[count] = ((long) (files.size() - 1) << 32) | offset;
        keys[count] = key;
        prefixes[count] = SortedIndex.prefix(key);
        int at = count * STRIDE;
        records[at] = address;
        records[at + 1] = expireAt;
        records[at + 2] = ((long) key.length << 32) | (length & 0xFFFFFFFFL);
        count++;
    }

    /**
     * Loads the survivors into {@code index}, and their expiries into {@code expiring}; a key whose
     * expiry is at or before {@code now} does not survive. Returns the live value bytes per segment id.
     *
     * @throws CorruptionException a live key's value is in no segment
     */
    SegmentCounts loadInto(SortedIndex index, Expiries expiring, long now) throws CorruptionException {
        return loadInto(index, expiring, now, count);
    }

    /**
     * As {@link #loadInto(SortedIndex, Expiries, long)}, with only the records before record number
     * {@code end} (since the last CLEAR): the shard's log cut at an atomic part the open drops
     * ({@link #partStart}).
     */
    SegmentCounts loadInto(SortedIndex index, Expiries expiring, long now, int end) throws CorruptionException {
        recordsCut = Math.max(0, count - end);
        count = Math.min(count, end);
        int[] order = new int[count];
        long[] sortedPrefixes = Arrays.copyOf(prefixes, count);
        prefixes = null;
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        mergeSort(sortedPrefixes, order, new long[count], new int[count], 0, count);
        byte[][] liveKeys = new byte[count][];
        int[] liveKeyLengths = new int[count];
        long[] liveAddresses = new long[count];
        int[] liveLengths = new int[count];
        SegmentCounts live = new SegmentCounts();
        int n = 0;
        for (int i = 0; i < count; i++) {
            int r = order[i];
            boolean lastOfKey = i + 1 == count
                    || sortedPrefixes[i] != sortedPrefixes[i + 1]
                    || !Arrays.equals(keys[r], keys[order[i + 1]]);
            if (!lastOfKey) {
                continue;
            }
            int at = r * STRIDE;
            long address = records[at];
            long expiry = records[at + 1];
            int length = (int) records[at + 2];
            int keyLength = (int) (records[at + 2] >>> 32);
            if (length == DELETED || (expiry != 0 && expiry <= now)) {
                continue;
            }
            String problem = values.checkLive(address, length);
            if (problem != null) {
                throw new CorruptionException(
                        files.get((int) (origins[r] >>> 32)), (int) origins[r], "live key record: " + problem);
            }
            liveKeyRecordBytes += KeyRecord.size(KeyRecord.putKind(expiry), keyLength);
            if (expiry != 0) {
                expiring.set(keys[r], expiry);
            }
            liveKeys[n] = keys[r];
            sortedPrefixes[n] = sortedPrefixes[i]; // n <= i: the survivors' prefixes, packed in place
            liveKeyLengths[n] = keyLength;
            liveAddresses[n] = address;
            liveLengths[n] = length;
            live.add(Address.segment(address), length);
            n++;
        }
        keys = null;
        records = null;
        index.load(liveKeys, sortedPrefixes, liveKeyLengths, liveAddresses, liveLengths, n);
        return live;
    }

    /**
     * The highest segment id a PUT record of the keys log names, live or superseded: new segments must
     * be numbered above it, or a superseded record would seem to point into the new segment.
     */
    long maxSegment() {
        return maxSegment;
    }

    /** Records the last {@link #loadInto} left out, the log being cut at a dropped atomic part. */
    int recordsCut() {
        return recordsCut;
    }

    /** Bytes the live keys' records take in the keys log (known after {@link #loadInto}). */
    long liveKeyRecordBytes() {
        return liveKeyRecordBytes;
    }

    /** Orders records {@code a} and {@code b}, whose key prefixes are {@code pa} and {@code pb}, by key. */
    private int compare(long pa, int a, long pb, int b) {
        int c = Long.compareUnsigned(pa, pb);
        return c != 0 ? c : Arrays.compareUnsigned(keys[a], keys[b]);
    }

    /**
     * Stable top-down merge sort of {@code [from, to)} of the record numbers {@code r} by key, moving
     * their prefixes {@code p} with them; equal keys keep log order. {@code tp} and {@code tr} are scratch.
     */
    private void mergeSort(long[] p, int[] r, long[] tp, int[] tr, int from, int to) {
        if (to - from < 24) {
            for (int i = from + 1; i < to; i++) {
                long xp = p[i];
                int x = r[i];
                int j = i - 1;
                while (j >= from && compare(p[j], r[j], xp, x) > 0) {
                    p[j + 1] = p[j];
                    r[j + 1] = r[j];
                    j--;
                }
                p[j + 1] = xp;
                r[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(p, r, tp, tr, from, mid);
        mergeSort(p, r, tp, tr, mid, to);
        if (compare(p[mid - 1], r[mid - 1], p[mid], r[mid]) <= 0) {
            return; // already in order: a rewritten log, or a run of sequential puts
        }
        System.arraycopy(p, from, tp, from, to - from);
        System.arraycopy(r, from, tr, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && compare(tp[i], tr[i], tp[j], tr[j]) <= 0)) {
                p[k] = tp[i];
                r[k] = tr[i++];
            } else {
                p[k] = tp[j];
                r[k] = tr[j++];
            }
        }
    }
}
