package io.toykv.core.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * An inner node: child {@code i} holds the keys from {@code bounds[i]} (inclusive) up to
 * {@code bounds[i + 1]}. A search compares a key with {@code bounds[1..]}, which share their first
 * {@link #skip} bytes (keys like {@code user:000123} share many). {@link #prefixes} repeats the eight
 * bytes of each bound after those as an unsigned big-endian long, so most steps of a search compare
 * longs in one array instead of following a pointer to each bound; a key that does not share the
 * {@code skip} bytes goes to the first or the last child without a search.
 *
 * <p>The bounds never change; a split below makes the writer copy the node. A child slot is replaced
 * in place (a new leaf after a put) with a release store, read with an acquire load, so a reader sees
 * the old child or the new one, both complete.
 */
final class Inner extends Node {
    private static final VarHandle CHILD = MethodHandles.arrayElementVarHandle(Node[].class);
    /** Bytes of a key in its prefix. */
    static final int PREFIX_BYTES = 8;

    private static final VarHandle LONG_BIG_ENDIAN =
            MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    final byte[][] bounds;
    /** Bytes every bound but the first begins with: the first {@link #skip} bytes of {@link #head}. */
    private final int skip;

    private final byte[] head;
    /** The first min(skip, 8) bytes of {@link #head}, as a prefix with the rest zero. */
    private final long headPrefix;
    /** prefixes[i]: bytes [skip, skip + 8) of bounds[i] (i >= 1; prefixes[0] is not used). */
    private final long[] prefixes;

    private final Node[] children;

    Inner(byte[][] bounds, Node[] children) {
        this(bounds, commonPrefix(bounds), children);
    }

    private Inner(byte[][] bounds, int skip, Node[] children) {
        this(bounds, skip, bounds.length > 1 ? bounds[1] : bounds[0], prefixesOf(bounds, skip), children);
    }

    /** With the prefixes already at hand: copies made by a split reuse them instead of re-reading every bound. */
    private Inner(byte[][] bounds, int skip, byte[] head, long[] prefixes, Node[] children) {
        this.bounds = bounds;
        this.skip = skip;
        this.head = head;
        this.headPrefix = skip == 0 ? 0 : prefix(head) & (-1L << (8 * (PREFIX_BYTES - Math.min(skip, PREFIX_BYTES))));
        this.prefixes = prefixes;
        this.children = children;
    }

    /** Length of the prefix shared by bounds[1..]. */
    private static int commonPrefix(byte[][] bounds) {
        if (bounds.length < 2) {
            return 0;
        }
        int skip = bounds[1].length;
        for (int i = 2; i < bounds.length && skip > 0; i++) {
            skip = Math.min(skip, sharedBytes(bounds[1], bounds[i], skip));
        }
        return skip;
    }

    /** How many of the first {@code limit} bytes of {@code a} and {@code b} are equal. */
    private static int sharedBytes(byte[] a, byte[] b, int limit) {
        int n = Math.min(limit, Math.min(a.length, b.length));
        int m = Arrays.mismatch(a, 0, n, b, 0, n);
        return m < 0 ? n : m;
    }

    private static long[] prefixesOf(byte[][] bounds, int skip) {
        long[] p = new long[bounds.length];
        for (int i = 1; i < bounds.length; i++) {
            p[i] = prefixAt(bounds[i], skip);
        }
        return p;
    }

    int size() {
        return children.length;
    }

    Node child(int i) {
        return (Node) CHILD.getAcquire(children, i);
    }

    void setChild(int i, Node child) {
        CHILD.setRelease(children, i, child);
    }

    /** The first eight bytes of {@code key}, zero-padded, as an unsigned big-endian long. */
    static long prefix(byte[] key) {
        return prefixAt(key, 0);
    }

    /** Bytes [offset, offset + 8) of {@code key}, zero-padded, as an unsigned big-endian long. */
    static long prefixAt(byte[] key, int offset) {
        int remaining = key.length - offset;
        if (remaining >= PREFIX_BYTES) {
            return (long) LONG_BIG_ENDIAN.get(key, offset);
        }
        if (remaining <= 0) {
            return 0;
        }
        if (key.length >= PREFIX_BYTES) { // the last eight bytes, shifted so the wanted ones lead
            return (long) LONG_BIG_ENDIAN.get(key, key.length - PREFIX_BYTES) << (8 * (PREFIX_BYTES - remaining));
        }
        long p = 0;
        for (int i = offset; i < key.length; i++) {
            p |= (key[i] & 0xFFL) << (56 - 8 * (i - offset));
        }
        return p;
    }

    /** Reads eight bytes of {@code bytes} from {@code offset} as an unsigned big-endian long (all must be there). */
    static long longAt(byte[] bytes, int offset) {
        return (long) LONG_BIG_ENDIAN.get(bytes, offset);
    }

    /** Negative, zero or positive as {@code key} sorts before, begins with, or sorts after the shared bytes. */
    private int headOrder(byte[] key, long keyPrefix) {
        if (skip <= PREFIX_BYTES) { // within the first eight bytes: one long comparison
            long mask = -1L << (8 * (PREFIX_BYTES - skip));
            int c = Long.compareUnsigned(keyPrefix & mask, headPrefix);
            return c != 0 ? c : key.length < skip ? -1 : 0;
        }
        int n = Math.min(key.length, skip);
        int m = Arrays.mismatch(key, 0, n, head, 0, n);
        if (m >= 0) {
            return Byte.compareUnsigned(key[m], head[m]);
        }
        return key.length < skip ? -1 : 0;
    }

    /** Index of the last child whose bound is at most {@code key}; 0 when none is. */
    int childIndex(byte[] key, long keyPrefix) {
        int lo = 0;
        int hi = children.length - 1;
        if (skip > 0) {
            int order = headOrder(key, keyPrefix);
            if (order != 0) {
                return order < 0 ? 0 : hi; // below or above every bound past the first
            }
            keyPrefix = prefixAt(key, skip);
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            int c = Long.compareUnsigned(prefixes[mid], keyPrefix);
            if (c == 0) {
                c = Arrays.compareUnsigned(bounds[mid], key);
            }
            if (c <= 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** A copy where child {@code i} is replaced by {@code left} and {@code right} (from {@code rightBound}) follows it. */
    Inner withSplitChild(int i, Node left, byte[] rightBound, Node right) {
        int n = children.length;
        byte[][] b = new byte[n + 1][];
        Node[] c = new Node[n + 1];
        System.arraycopy(bounds, 0, b, 0, i + 1);
        System.arraycopy(bounds, i + 1, b, i + 2, n - i - 1);
        // Only the writer changes child slots, and it is the caller: plain copies see its own stores.
        System.arraycopy(children, 0, c, 0, i + 1);
        System.arraycopy(children, i + 1, c, i + 2, n - i - 1);
        c[i] = left;
        b[i + 1] = rightBound;
        c[i + 1] = right;
        if (n < 2 || sharedBytes(head, rightBound, skip) < skip) {
            return new Inner(b, c); // the new bound shares fewer bytes: every prefix moves
        }
        long[] p = new long[n + 1];
        System.arraycopy(prefixes, 0, p, 0, i + 1);
        System.arraycopy(prefixes, i + 1, p, i + 2, n - i - 1);
        p[i + 1] = prefixAt(rightBound, skip);
        return new Inner(b, skip, head, p, c);
    }

    /** Children [from, to) as a new node (their bounds share at least this node's {@link #skip} bytes). */
    Inner range(int from, int to) {
        long[] p = Arrays.copyOfRange(prefixes, from, to);
        return new Inner(Arrays.copyOfRange(bounds, from, to), skip, head, p, Arrays.copyOfRange(children, from, to));
    }

    @Override
    long heapBytes() {
        long n = children.length;
        // object, bounds array, prefixes array, children array (bound keys are counted by their leaves)
        return 24 + (16 + 4 * n) + (16 + 8 * n) + (16 + 4 * n);
    }
}
