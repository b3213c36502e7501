package io.toykv.core.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A sorted run of index entries packed in one {@code long[]} of three regions of {@link #capacity}
 * slots each, plus the key bytes past the eighth in a second array:
 *
 * <pre>
 * slots[i]                the key's first eight bytes, zero-padded, as an unsigned big-endian long (its prefix)
 * slots[capacity + i]     the value's address
 * slots[2 capacity + i]   meta: record length (high 32 bits) | tail end (bits 4-31) | short length (bits 0-3)
 * tails                   bytes 8.. of every key longer than eight bytes, back to back
 * </pre>
 *
 * Short length is the key's length when it is at most eight bytes, else {@link #LONG_KEY}; then the key
 * is its prefix followed by {@code tails[tail end of i - 1, tail end of i)}. A key of eight bytes or
 * fewer is all in its prefix, so most comparisons are one unsigned long comparison.
 *
 * <p>Concurrency: the one writer (the shard's write lock) changes a leaf in place while it has room,
 * which spares a put the copy and the allocation of a whole leaf. Readers take no lock: they read
 * optimistically under a sequence lock ({@link #version} is odd while the writer is changing the
 * leaf) and retry when the version moved, so they may see a half-changed leaf but never use one. What
 * they read in between can be inconsistent, so an exception thrown by a torn read is a retry too. A
 * full leaf is never changed in place: the writer builds a bigger copy or two halves and publishes
 * them through the parent, and the old leaf stays as it was for readers still holding it.
 */
final class Leaf extends Node {
    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(Leaf.class, "version", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final byte[] NO_TAILS = new byte[0];
    /** Short-length code of a key longer than eight bytes. */
    private static final int LONG_KEY = 0xF;

    private static final int TAIL_END_SHIFT = 4;
    private static final long TAIL_END_MASK = 0x0FFF_FFFFL;
    private static final int SPINS_BEFORE_YIELD = 100;

    private final long[] slots;
    private final int capacity;
    // Written by the writer inside a write section; readers read them only between beginRead and validate.
    private byte[] tails;
    private int size;

    @SuppressWarnings("unused") // through VERSION
    private volatile int version;
    /**
     * Set (by the writer) once the tree no longer holds this leaf: replaced by a bigger copy or split
     * into halves. A {@link SortedIndex.Hint} to a retired leaf is ignored. Written under the shard's
     * write lock; a cursor also reads it without the lock, where a late "false" only makes it read the
     * leaf's last contents, which stay whole. (It takes the object from 32 to 40 bytes: about a third
     * of a byte a key.)
     */
    private boolean retired;

    private Leaf(int capacity, byte[] tails) {
        this.capacity = capacity;
        this.slots = new long[3 * capacity];
        this.tails = tails;
    }

    void retire() {
        retired = true;
    }

    boolean retired() {
        return retired;
    }

    /** An empty leaf with room for {@code capacity} entries. */
    static Leaf empty(int capacity) {
        return new Leaf(capacity, NO_TAILS);
    }

    // ---- sequence lock ------------------------------------------------------------------------------

    /** Waits until no change is in progress; returns the version to {@link #validate} against. */
    int beginRead() {
        int spins = 0;
        int v;
        while (((v = (int) VERSION.getAcquire(this)) & 1) != 0) {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the writer was descheduled in the middle of a change
            }
        }
        return v;
    }

    /** Whether everything read since {@link #beginRead} returned {@code v} came from one unchanged state. */
    boolean validate(int v) {
        VarHandle.loadLoadFence();
        return (int) VERSION.getOpaque(this) == v;
    }

    private void beginWrite() {
        VERSION.setOpaque(this, (int) VERSION.getOpaque(this) + 1);
        VarHandle.storeStoreFence(); // the odd version is visible before any change
    }

    private void endWrite() {
        VERSION.setRelease(this, (int) VERSION.getOpaque(this) + 1);
    }

    // ---- reading (the writer reads directly; readers between beginRead and validate) -----------------

    int size() {
        return size;
    }

    long address(int i) {
        return slots[capacity + i];
    }

    /** The value record's length. */
    int length(int i) {
        return (int) (slots[2 * capacity + i] >>> 32);
    }

    private long meta(int i) {
        return slots[2 * capacity + i];
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
        int length = keyLength(i);
        if (length < 0 || length > Inner.PREFIX_BYTES + tails.length) {
            // Only a reader's torn read gets here: refuse before allocating a length it made up.
            throw new java.util.ConcurrentModificationException("leaf changed during the read");
        }
        byte[] key = new byte[length];
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
        int tailLength = length - Inner.PREFIX_BYTES;
        if (tailLength >= Inner.PREFIX_BYTES && probe.length >= 2 * Inner.PREFIX_BYTES) {
            // Keys sharing their first eight bytes (user:0000123 and the like): compare the next eight as longs.
            c = Long.compareUnsigned(Inner.longAt(tails, start), Inner.longAt(probe, Inner.PREFIX_BYTES));
            if (c != 0) {
                return c;
            }
        }
        return Arrays.compareUnsigned(tails, start, start + tailLength, probe, Inner.PREFIX_BYTES, probe.length);
    }

    /**
     * {@link #find}, trying index {@code guess} first: where a cursor saw the key, which holds unless
     * entries were inserted or removed before it since. One entry read instead of a binary search.
     */
    int find(byte[] key, long keyPrefix, int guess) {
        if (guess >= 0 && guess < Math.min(size, capacity) && compareKey(guess, key, keyPrefix) == 0) {
            return guess;
        }
        return find(key, keyPrefix);
    }

    /** Index of {@code key}, or {@code -(insertion point) - 1} as in {@link Arrays#binarySearch}. */
    int find(byte[] key, long keyPrefix) {
        int lo = 0;
        int hi = Math.min(size, capacity) - 1; // a torn read of size must not index past the slots
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

    /**
     * For readers: the address of {@code key} (prefix {@code keyPrefix}), or -1; {@code lengthOut[0]}
     * receives its record length. Retries until it reads one unchanged state.
     */
    long lookup(byte[] key, long keyPrefix, int[] lengthOut) {
        while (true) {
            int v = beginRead();
            long address = -1;
            int length = 0;
            try {
                int i = find(key, keyPrefix);
                if (i >= 0) {
                    address = address(i);
                    length = length(i);
                }
            } catch (RuntimeException torn) {
                if (validate(v)) {
                    throw torn; // not a torn read: a bug
                }
                continue;
            }
            if (validate(v)) {
                if (address >= 0) {
                    lengthOut[0] = length;
                }
                return address;
            }
        }
    }

    // ---- changes by the writer -------------------------------------------------------------------------

    boolean hasRoom() {
        return size < capacity;
    }

    /** Gives entry {@code i} a new address and length, in place. */
    void replace(int i, long address, int length) {
        beginWrite();
        slots[capacity + i] = address;
        slots[2 * capacity + i] = (slots[2 * capacity + i] & 0xFFFF_FFFFL) | ((long) length << 32);
        endWrite();
    }

    /** Inserts {@code key} (prefix {@code keyPrefix}) at index {@code at}, in place; needs {@link #hasRoom}. */
    void insert(int at, byte[] key, long keyPrefix, long address, int length) {
        int n = size;
        int tail = Math.max(0, key.length - Inner.PREFIX_BYTES);
        int tailAt = tailStart(at);
        int tailUsed = tailStart(n);
        beginWrite();
        if (tail > 0) {
            byte[] t = tails;
            if (tailUsed + tail > t.length) {
                t = Arrays.copyOf(t, Math.max(tailUsed + tail, 2 * t.length));
            }
            System.arraycopy(t, tailAt, t, tailAt + tail, tailUsed - tailAt);
            System.arraycopy(key, Inner.PREFIX_BYTES, t, tailAt, tail);
            tails = t;
        }
        for (int region = 0; region < 3; region++) {
            int base = region * capacity;
            System.arraycopy(slots, base + at, slots, base + at + 1, n - at);
        }
        slots[at] = keyPrefix;
        slots[capacity + at] = address;
        slots[2 * capacity + at] = meta(length, tailAt + tail, tail > 0 ? LONG_KEY : key.length);
        if (tail > 0) {
            for (int i = at + 1; i <= n; i++) {
                slots[2 * capacity + i] += (long) tail << TAIL_END_SHIFT;
            }
        }
        size = n + 1;
        endWrite();
    }

    /** Removes entry {@code at}, in place. */
    void remove(int at) {
        int n = size;
        int tailAt = tailStart(at);
        int tail = tailEnd(meta(at)) - tailAt;
        int tailUsed = tailStart(n);
        beginWrite();
        if (tail > 0) {
            System.arraycopy(tails, tailAt + tail, tails, tailAt, tailUsed - tailAt - tail);
        }
        for (int region = 0; region < 3; region++) {
            int base = region * capacity;
            System.arraycopy(slots, base + at + 1, slots, base + at, n - at - 1);
        }
        for (int i = at; i < n - 1; i++) {
            slots[2 * capacity + i] -= (long) tail << TAIL_END_SHIFT;
        }
        size = n - 1;
        endWrite();
    }

    /** A new leaf with room for {@code newCapacity} entries holding entries [from, to) of this one. */
    Leaf copy(int from, int to, int newCapacity) {
        int m = to - from;
        int tailFrom = tailStart(from);
        int tailTo = tailStart(to);
        Leaf copy = new Leaf(newCapacity, tailTo == tailFrom ? NO_TAILS : Arrays.copyOfRange(tails, tailFrom, tailTo));
        for (int region = 0; region < 3; region++) {
            System.arraycopy(slots, region * capacity + from, copy.slots, region * newCapacity, m);
        }
        for (int i = 0; i < m; i++) {
            copy.slots[2 * newCapacity + i] -= (long) tailFrom << TAIL_END_SHIFT;
        }
        copy.size = m;
        return copy;
    }

    /**
     * Entries [from, to) of sorted parallel arrays as a leaf with room for {@code capacity}: each key,
     * its {@link Inner#prefix}, its length. A key of eight bytes or fewer is read from its prefix and
     * length alone: the key array is not touched (a bulk load of short keys reads no key object).
     */
    static Leaf of(
            byte[][] keys,
            long[] prefixes,
            int[] keyLengths,
            long[] addresses,
            int[] lengths,
            int from,
            int to,
            int capacity) {
        int m = to - from;
        int total = 0;
        for (int i = from; i < to; i++) {
            total += Math.max(0, keyLengths[i] - Inner.PREFIX_BYTES);
        }
        Leaf leaf = new Leaf(capacity, total == 0 ? NO_TAILS : new byte[total]);
        long[] s = leaf.slots;
        int tailEnd = 0;
        for (int i = 0; i < m; i++) {
            int keyLength = keyLengths[from + i];
            int tail = Math.max(0, keyLength - Inner.PREFIX_BYTES);
            if (tail > 0) {
                System.arraycopy(keys[from + i], Inner.PREFIX_BYTES, leaf.tails, tailEnd, tail);
                tailEnd += tail;
            }
            s[i] = prefixes[from + i];
            s[capacity + i] = addresses[from + i];
            s[2 * capacity + i] = meta(lengths[from + i], tailEnd, tail > 0 ? LONG_KEY : keyLength);
        }
        leaf.size = m;
        return leaf;
    }

    /** Estimated heap bytes: the leaf object and its two arrays, with compressed-oops headers. */
    @Override
    long heapBytes() {
        byte[] t = tails;
        return 40 + (16 + 8L * slots.length) + (t.length == 0 ? 0 : 16 + align8(t.length));
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }
}
