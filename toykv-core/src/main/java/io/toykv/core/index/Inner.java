package io.toykv.core.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * An inner node: child {@code i} holds the keys from {@code bounds[i]} (inclusive) up to
 * {@code bounds[i + 1]}. {@link #prefixes} repeats the first eight bytes of each bound as an unsigned
 * big-endian long, so most steps of a search compare longs in one array instead of following a
 * pointer to each bound.
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
    final long[] prefixes;
    private final Node[] children;

    Inner(byte[][] bounds, Node[] children) {
        this(bounds, prefixesOf(bounds), children);
    }

    /** With the prefixes already at hand: copies made by a split reuse them instead of re-reading every bound. */
    private Inner(byte[][] bounds, long[] prefixes, Node[] children) {
        this.bounds = bounds;
        this.prefixes = prefixes;
        this.children = children;
    }

    private static long[] prefixesOf(byte[][] bounds) {
        long[] p = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            p[i] = prefix(bounds[i]);
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
        if (key.length >= PREFIX_BYTES) {
            return (long) LONG_BIG_ENDIAN.get(key, 0);
        }
        long p = 0;
        for (int i = 0; i < key.length; i++) {
            p |= (key[i] & 0xFFL) << (56 - 8 * i);
        }
        return p;
    }

    /** Index of the last child whose bound is at most {@code key}; 0 when none is. */
    int childIndex(byte[] key, long keyPrefix) {
        int lo = 0;
        int hi = children.length - 1;
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
        long[] p = new long[n + 1];
        Node[] c = new Node[n + 1];
        System.arraycopy(bounds, 0, b, 0, i + 1);
        System.arraycopy(prefixes, 0, p, 0, i + 1);
        System.arraycopy(bounds, i + 1, b, i + 2, n - i - 1);
        System.arraycopy(prefixes, i + 1, p, i + 2, n - i - 1);
        // Only the writer changes child slots, and it is the caller: plain copies see its own stores.
        System.arraycopy(children, 0, c, 0, i + 1);
        System.arraycopy(children, i + 1, c, i + 2, n - i - 1);
        c[i] = left;
        b[i + 1] = rightBound;
        p[i + 1] = prefix(rightBound);
        c[i + 1] = right;
        return new Inner(b, p, c);
    }

    /** Children [from, to) as a new node. */
    Inner range(int from, int to) {
        return new Inner(Arrays.copyOfRange(bounds, from, to), Arrays.copyOfRange(prefixes, from, to),
                Arrays.copyOfRange(children, from, to));
    }

    @Override
    long heapBytes() {
        long n = children.length;
        // object, bounds array, prefixes array, children array (bound keys are counted by their leaves)
        return 24 + (16 + 4 * n) + (16 + 8 * n) + (16 + 4 * n);
    }
}
