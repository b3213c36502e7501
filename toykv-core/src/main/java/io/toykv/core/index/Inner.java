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

    final byte[][] bounds;
    final long[] prefixes;
    private final Node[] children;

    Inner(byte[][] bounds, Node[] children) {
        this.bounds = bounds;
        this.children = children;
        this.prefixes = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            prefixes[i] = prefix(bounds[i]);
        }
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
        long p = 0;
        int n = Math.min(8, key.length);
        for (int i = 0; i < n; i++) {
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
        Node[] c = new Node[n + 1];
        for (int j = 0; j <= i; j++) {
            b[j] = bounds[j];
            c[j] = child(j);
        }
        c[i] = left;
        b[i + 1] = rightBound;
        c[i + 1] = right;
        for (int j = i + 1; j < n; j++) {
            b[j + 1] = bounds[j];
            c[j + 1] = child(j);
        }
        return new Inner(b, c);
    }

    /** Children [from, to) as a new node. */
    Inner range(int from, int to) {
        Node[] c = new Node[to - from];
        for (int j = from; j < to; j++) {
            c[j - from] = child(j);
        }
        return new Inner(Arrays.copyOfRange(bounds, from, to), c);
    }

    @Override
    long heapBytes() {
        long n = children.length;
        // object, bounds array, prefixes array, children array (bound keys are counted by their leaves)
        return 24 + (16 + 4 * n) + (16 + 8 * n) + (16 + 4 * n);
    }
}
