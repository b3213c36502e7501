package io.toykv.core.index;

import java.util.Arrays;

/**
 * An immutable, sorted run of index entries packed in one {@code long[]} of three regions, plus the
 * key bytes past the eighth in a second array:
 *
 * <pre>
 * slots[i]         the key's first eight bytes, zero-padded, as an unsigned big-endian long (its prefix)
 * slots[n + i]     the value's address
 * slots[2n + i]    meta: record length (high 32 bits) | tail end (bits 4-31) | short length (bits 0-3)
 * tails            bytes 8.. of every key longer than eight bytes, back to back
 * </pre>
 *
 * Short length is the key's length when it is at most eight bytes, else {@link #LONG_KEY}; then the key
 * is its prefix followed by {@code tails[tail end of i - 1, tail end of i)}. A key of eight bytes or
 * fewer is all in its prefix, so most comparisons are one unsigned long comparison, and an entry costs
 * 24 bytes in a single array: one allocation and one copy per change. Changes copy the leaf, so
 * readers holding one never see it change.
 */
final class Leaf extends Node {
    private static final long[] NO_SLOTS = new long[0];
    private static final byte[] NO_TAILS = new byte[0];
    static final Leaf EMPTY = new Leaf(NO_SLOTS, NO_TAILS);

    /** Short-length code of a key longer than eight bytes. */
    private static final int LONG_KEY = 0xF;
    private static final int TAIL_END_SHIFT = 4;
    private static final long TAIL_END_MASK = 0x0FFF_FFFFL;

    private final long[] slots;
    private final byte[] tails;

    private Leaf(long[] slots, byte[] tails) {
        this.slots = slots;
        this.tails = tails;
    }

    int size() {
        return slots.length / 3;
    }

    long address(int i) {
        return slots[size() + i];
    }

    /** The value record's length. */
    int length(int i) {
        return (int) (slots[2 * size() + i] >>> 32);
    }

    private long meta(int i) {
        return slots[2 * size() + i];
    }

    private static long meta(int recordLength, int tailEnd, int shortLength) {
        return ((long) recordLength << 32) | ((long) tailEnd << TAIL_END_SHIFT) | shortLength;
    }

    private static int tailEnd(long meta) {
        return (int) ((meta >>> TAIL_END_SHIFT) & TAIL_END_MASK);
    }

    private int tailStart(int i) {
        return i == 0 ? 0 : tailEnd(meta(i - 1));
    }

    private int keyLength(int i) {
        long meta = meta(i);
        int shortLength = (int) (meta & LONG_KEY);
        return shortLength != LONG_KEY ? shortLength : Inner.PREFIX_BYTES + tailEnd(meta) - tailStart(i);
    }

    byte[] key(int i) {
        byte[] key = new byte[keyLength(i)];
        long prefix = slots[i];
        int head = Math.min(Inner.PREFIX_BYTES, key.length);
        for (int b = 0; b < head; b++) {
            key[b] = (byte) (prefix >>> (56 - 8 * b));
        }
        if (key.length > Inner.PREFIX_BYTES) {
            System.arraycopy(tails, tailStart(i), key, Inner.PREFIX_BYTES, key.length - Inner.PREFIX_BYTES);
        }
        return key;
    }

    /** Compares entry {@code i}'s key with {@code probe}, whose prefix is {@code probePrefix}. */
    private int compareKey(int i, byte[] probe, long probePrefix) {
        int c = Long.compareUnsigned(slots[i], probePrefix);
        if (c != 0) {
            return c;
        }
        // Equal zero-padded prefixes: a key of at most eight bytes is then a prefix of the other key.
        int length = keyLength(i);
        if (length <= Inner.PREFIX_BYTES || probe.length <= Inner.PREFIX_BYTES) {
            return Integer.compare(length, probe.length);
        }
        int start = tailStart(i);
        return Arrays.compareUnsigned(tails, start, start + length - Inner.PREFIX_BYTES,
                probe, Inner.PREFIX_BYTES, probe.length);
    }

    /** Index of {@code key}, or {@code -(insertion point) - 1} as in {@link Arrays#binarySearch}. */
    int find(byte[] key, long keyPrefix) {
        int lo = 0;
        int hi = size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareKey(mid, key, keyPrefix);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** First index whose key is greater than {@code key}. */
    int upperBound(byte[] key) {
        int i = find(key, Inner.prefix(key));
        return i >= 0 ? i + 1 : -i - 1;
    }

    /** First index whose key is at least {@code key}. */
    int lowerBound(byte[] key) {
        int i = find(key, Inner.prefix(key));
        return i >= 0 ? i : -i - 1;
    }

    /** A copy with entry {@code i} given a new address and length. */
    Leaf withReplaced(int i, long address, int length) {
        int n = size();
        long[] s = slots.clone();
        s[n + i] = address;
        s[2 * n + i] = (slots[2 * n + i] & 0xFFFF_FFFFL) | ((long) length << 32);
        return new Leaf(s, tails);
    }

    /** A copy with {@code key} (prefix {@code keyPrefix}) inserted at index {@code at}; copies the key's bytes. */
    Leaf withInserted(int at, byte[] key, long keyPrefix, long address, int length) {
        int n = size();
        int tail = Math.max(0, key.length - Inner.PREFIX_BYTES);
        int tailAt = tailStart(at);
        byte[] t = tails;
        if (tail > 0) {
            t = new byte[tails.length + tail];
            System.arraycopy(tails, 0, t, 0, tailAt);
            System.arraycopy(key, Inner.PREFIX_BYTES, t, tailAt, tail);
            System.arraycopy(tails, tailAt, t, tailAt + tail, tails.length - tailAt);
        }
        int m = n + 1;
        long[] s = new long[3 * m];
        System.arraycopy(slots, 0, s, 0, at);
        s[at] = keyPrefix;
        System.arraycopy(slots, at, s, at + 1, n - at);
        System.arraycopy(slots, n, s, m, at);
        s[m + at] = address;
        System.arraycopy(slots, n + at, s, m + at + 1, n - at);
        System.arraycopy(slots, 2 * n, s, 2 * m, at);
        s[2 * m + at] = meta(length, tailAt + tail, tail > 0 ? LONG_KEY : key.length);
        System.arraycopy(slots, 2 * n + at, s, 2 * m + at + 1, n - at);
        if (tail > 0) {
            for (int i = at + 1; i < m; i++) {
                s[2 * m + i] += (long) tail << TAIL_END_SHIFT;
            }
        }
        return new Leaf(s, t);
    }

    /** A copy without entry {@code at}. */
    Leaf withRemoved(int at) {
        int n = size();
        int tailAt = tailStart(at);
        int tail = tailEnd(meta(at)) - tailAt;
        byte[] t = tails;
        if (tail > 0) {
            t = new byte[tails.length - tail];
            System.arraycopy(tails, 0, t, 0, tailAt);
            System.arraycopy(tails, tailAt + tail, t, tailAt, tails.length - tailAt - tail);
        }
        int m = n - 1;
        long[] s = m == 0 ? NO_SLOTS : new long[3 * m];
        for (int region = 0; region < 3; region++) {
            System.arraycopy(slots, region * n, s, region * m, at);
            System.arraycopy(slots, region * n + at + 1, s, region * m + at, n - at - 1);
        }
        for (int i = at; i < m; i++) {
            s[2 * m + i] -= (long) tail << TAIL_END_SHIFT;
        }
        return new Leaf(s, t.length == 0 ? NO_TAILS : t);
    }

    /** Entries [from, to) as a new leaf. */
    Leaf range(int from, int to) {
        int n = size();
        int m = to - from;
        int tailFrom = tailStart(from);
        int tailTo = tailStart(to);
        long[] s = new long[3 * m];
        for (int region = 0; region < 3; region++) {
            System.arraycopy(slots, region * n + from, s, region * m, m);
        }
        for (int i = 0; i < m; i++) {
            s[2 * m + i] -= (long) tailFrom << TAIL_END_SHIFT;
        }
        byte[] t = tailTo == tailFrom ? NO_TAILS : Arrays.copyOfRange(tails, tailFrom, tailTo);
        return new Leaf(s, t);
    }

    /** Entries [from, to) of sorted parallel arrays as a leaf. */
    static Leaf of(byte[][] keys, long[] addresses, int[] lengths, int from, int to) {
        int m = to - from;
        int total = 0;
        for (int i = from; i < to; i++) {
            total += Math.max(0, keys[i].length - Inner.PREFIX_BYTES);
        }
        byte[] t = total == 0 ? NO_TAILS : new byte[total];
        long[] s = new long[3 * m];
        int tailEnd = 0;
        for (int i = 0; i < m; i++) {
            byte[] key = keys[from + i];
            int tail = Math.max(0, key.length - Inner.PREFIX_BYTES);
            System.arraycopy(key, key.length - tail, t, tailEnd, tail);
            tailEnd += tail;
            s[i] = Inner.prefix(key);
            s[m + i] = addresses[from + i];
            s[2 * m + i] = meta(lengths[from + i], tailEnd, tail > 0 ? LONG_KEY : key.length);
        }
        return new Leaf(s, t);
    }

    /** Estimated heap bytes: the leaf object and its two arrays, with compressed-oops headers. */
    @Override
    long heapBytes() {
        return 16 + (16 + 8L * slots.length) + (tails.length == 0 ? 0 : 16 + align8(tails.length));
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }
}
