package io.toykv.core.index;

import java.util.Arrays;

/**
 * An immutable, sorted run of index entries packed in four arrays: the keys back to back in one byte
 * array, where each key ends, and each value's address and record length. An 8-byte key costs 24 bytes
 * here plus a share of the leaf's fixed overhead. Changes copy the leaf, so readers holding one never
 * see it change.
 */
final class Leaf extends Node {
    static final Leaf EMPTY = new Leaf(new byte[0], new int[0], new long[0], new int[0]);

    final byte[] keys;
    /** keyEnds[i] is the end (exclusive) of key i in {@link #keys}; key i starts at keyEnds[i - 1] or 0. */
    final int[] keyEnds;
    final long[] addresses;
    final int[] lengths;

    Leaf(byte[] keys, int[] keyEnds, long[] addresses, int[] lengths) {
        this.keys = keys;
        this.keyEnds = keyEnds;
        this.addresses = addresses;
        this.lengths = lengths;
    }

    int size() {
        return keyEnds.length;
    }

    int keyStart(int i) {
        return i == 0 ? 0 : keyEnds[i - 1];
    }

    byte[] key(int i) {
        return Arrays.copyOfRange(keys, keyStart(i), keyEnds[i]);
    }

    int compareKey(int i, byte[] probe) {
        return Arrays.compareUnsigned(keys, keyStart(i), keyEnds[i], probe, 0, probe.length);
    }

    /** Index of {@code key}, or {@code -(insertion point) - 1} as in {@link Arrays#binarySearch}. */
    int find(byte[] key) {
        int lo = 0;
        int hi = keyEnds.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareKey(mid, key);
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
        int i = find(key);
        return i >= 0 ? i + 1 : -i - 1;
    }

    /** First index whose key is at least {@code key}. */
    int lowerBound(byte[] key) {
        int i = find(key);
        return i >= 0 ? i : -i - 1;
    }

    /** A copy with entry {@code i} given a new address and length. */
    Leaf withReplaced(int i, long address, int length) {
        long[] a = addresses.clone();
        int[] l = lengths.clone();
        a[i] = address;
        l[i] = length;
        return new Leaf(keys, keyEnds, a, l);
    }

    /** A copy with {@code key} inserted at index {@code at}. */
    Leaf withInserted(int at, byte[] key, long address, int length) {
        int n = size();
        int split = keyStart(at);
        byte[] k = new byte[keys.length + key.length];
        System.arraycopy(keys, 0, k, 0, split);
        System.arraycopy(key, 0, k, split, key.length);
        System.arraycopy(keys, split, k, split + key.length, keys.length - split);
        int[] ends = new int[n + 1];
        System.arraycopy(keyEnds, 0, ends, 0, at);
        ends[at] = split + key.length;
        for (int i = at; i < n; i++) {
            ends[i + 1] = keyEnds[i] + key.length;
        }
        long[] a = new long[n + 1];
        System.arraycopy(addresses, 0, a, 0, at);
        a[at] = address;
        System.arraycopy(addresses, at, a, at + 1, n - at);
        int[] l = new int[n + 1];
        System.arraycopy(lengths, 0, l, 0, at);
        l[at] = length;
        System.arraycopy(lengths, at, l, at + 1, n - at);
        return new Leaf(k, ends, a, l);
    }

    /** A copy without entry {@code at}. */
    Leaf withRemoved(int at) {
        int n = size();
        int start = keyStart(at);
        int len = keyEnds[at] - start;
        byte[] k = new byte[keys.length - len];
        System.arraycopy(keys, 0, k, 0, start);
        System.arraycopy(keys, keyEnds[at], k, start, keys.length - keyEnds[at]);
        int[] ends = new int[n - 1];
        System.arraycopy(keyEnds, 0, ends, 0, at);
        for (int i = at + 1; i < n; i++) {
            ends[i - 1] = keyEnds[i] - len;
        }
        long[] a = new long[n - 1];
        System.arraycopy(addresses, 0, a, 0, at);
        System.arraycopy(addresses, at + 1, a, at, n - at - 1);
        int[] l = new int[n - 1];
        System.arraycopy(lengths, 0, l, 0, at);
        System.arraycopy(lengths, at + 1, l, at, n - at - 1);
        return new Leaf(k, ends, a, l);
    }

    /** Entries [from, to) as a new leaf. */
    Leaf range(int from, int to) {
        int ks = keyStart(from);
        int ke = to == 0 ? 0 : keyEnds[to - 1];
        byte[] k = Arrays.copyOfRange(keys, ks, ke);
        int[] ends = new int[to - from];
        for (int i = from; i < to; i++) {
            ends[i - from] = keyEnds[i] - ks;
        }
        return new Leaf(k, ends, Arrays.copyOfRange(addresses, from, to), Arrays.copyOfRange(lengths, from, to));
    }

    /** Entries [from, to) of sorted parallel arrays as a leaf. */
    static Leaf of(byte[][] keys, long[] addresses, int[] lengths, int from, int to) {
        int total = 0;
        for (int i = from; i < to; i++) {
            total += keys[i].length;
        }
        byte[] k = new byte[total];
        int[] ends = new int[to - from];
        int pos = 0;
        for (int i = from; i < to; i++) {
            System.arraycopy(keys[i], 0, k, pos, keys[i].length);
            pos += keys[i].length;
            ends[i - from] = pos;
        }
        return new Leaf(k, ends, Arrays.copyOfRange(addresses, from, to), Arrays.copyOfRange(lengths, from, to));
    }

    /** Estimated heap bytes: four arrays and the leaf object, with compressed-oops headers. */
    @Override
    long heapBytes() {
        return 16 + (16 + align8(keys.length)) + (16 + align8(4L * keyEnds.length))
                + (16 + 8L * addresses.length) + (16 + align8(4L * lengths.length));
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }
}
