package io.toykv.core.index;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A shard's in-memory index: key to (value address, value record length), sorted by unsigned
 * lexicographic key order. Leaves of up to {@value #MAX_LEAF} entries are immutable and hang in a
 * concurrent skip list under their lower bound; the first leaf's bound is the empty key, which sorts
 * before every real key, so every key has a leaf.
 *
 * <p>Concurrency: one writer at a time (the shard's write lock) replaces leaves; any number of readers
 * run without locks and see each leaf either before or after a change. During a split the new right
 * leaf is published before the shrunk left one, so a reader always finds a leaf that holds its key.
 */
public final class SortedIndex {
    static final int MAX_LEAF = 64;
    static final int BULK_FILL = 48;
    private static final byte[] LOWEST = new byte[0];

    private final ConcurrentSkipListMap<byte[], Leaf> leaves = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    private volatile long size;

    public SortedIndex() {
        leaves.put(LOWEST, Leaf.EMPTY);
    }

    /** Number of keys. */
    public long size() {
        return size;
    }

    /**
     * Looks {@code key} up. Returns its address, or -1 when absent; {@code lengthOut[0]} receives the
     * record length. Lock-free.
     */
    public long get(byte[] key, int[] lengthOut) {
        Leaf leaf = leaves.floorEntry(key).getValue();
        int i = leaf.find(key);
        if (i < 0) {
            return -1;
        }
        lengthOut[0] = leaf.lengths[i];
        return leaf.addresses[i];
    }

    /**
     * Sets {@code key}'s entry. Returns the previous address, or -1; {@code previousLength[0]} receives
     * the previous record length. Writer only.
     */
    public long put(byte[] key, long address, int length, int[] previousLength) {
        Map.Entry<byte[], Leaf> e = leaves.floorEntry(key);
        Leaf leaf = e.getValue();
        int i = leaf.find(key);
        if (i >= 0) {
            previousLength[0] = leaf.lengths[i];
            long previous = leaf.addresses[i];
            leaves.put(e.getKey(), leaf.withReplaced(i, address, length));
            return previous;
        }
        Leaf grown = leaf.withInserted(-i - 1, key.clone(), address, length);
        if (grown.size() > MAX_LEAF) {
            int half = grown.size() / 2;
            Leaf right = grown.range(half, grown.size());
            leaves.put(right.key(0), right);
            leaves.put(e.getKey(), grown.range(0, half));
        } else {
            leaves.put(e.getKey(), grown);
        }
        size++;
        return -1;
    }

    /**
     * Removes {@code key}. Returns its address, or -1 when absent; {@code lengthOut[0]} receives its
     * record length. Writer only.
     */
    public long remove(byte[] key, int[] lengthOut) {
        Map.Entry<byte[], Leaf> e = leaves.floorEntry(key);
        Leaf leaf = e.getValue();
        int i = leaf.find(key);
        if (i < 0) {
            return -1;
        }
        lengthOut[0] = leaf.lengths[i];
        long address = leaf.addresses[i];
        Leaf shrunk = leaf.withRemoved(i);
        if (shrunk.size() == 0 && e.getKey() != LOWEST) {
            // Keys of this range now fall to the leaf before it, which is correct: the range is empty.
            leaves.remove(e.getKey());
        } else {
            leaves.put(e.getKey(), shrunk);
        }
        size--;
        return address;
    }

    /** Removes every key. Writer only. */
    public void clear() {
        leaves.put(LOWEST, Leaf.EMPTY);
        leaves.tailMap(LOWEST, false).clear();
        size = 0;
    }

    /**
     * Replaces the whole contents with sorted, distinct entries (at open, before any reader). Leaves
     * are filled to {@value #BULK_FILL} so that later inserts do not split at once.
     */
    public void load(byte[][] sortedKeys, long[] addresses, int[] lengths, int count) {
        leaves.clear();
        leaves.put(LOWEST, Leaf.EMPTY);
        for (int from = 0; from < count; from += BULK_FILL) {
            int to = Math.min(count, from + BULK_FILL);
            int total = 0;
            for (int i = from; i < to; i++) {
                total += sortedKeys[i].length;
            }
            byte[] k = new byte[total];
            int[] ends = new int[to - from];
            int pos = 0;
            for (int i = from; i < to; i++) {
                System.arraycopy(sortedKeys[i], 0, k, pos, sortedKeys[i].length);
                pos += sortedKeys[i].length;
                ends[i - from] = pos;
            }
            Leaf leaf = new Leaf(k, ends, Arrays.copyOfRange(addresses, from, to), Arrays.copyOfRange(lengths, from, to));
            leaves.put(from == 0 ? LOWEST : sortedKeys[from], leaf);
        }
        size = count;
    }

    /** Estimated heap bytes of the index: leaves plus skip-list nodes. */
    public long heapBytes() {
        long total = 0;
        for (Leaf leaf : leaves.values()) {
            // ~24 bytes of skip-list node and index node per leaf, plus the bound key array
            total += leaf.heapBytes() + 48;
        }
        return total;
    }

    /** A cursor positioned at the first key at least {@code from} (null: the first key). */
    public Cursor cursor(byte[] from) {
        return new Cursor(from);
    }

    /** Calls {@code visitor} for every entry, in key order (a weakly consistent walk). */
    public void forEach(EntryVisitor visitor) {
        for (Leaf leaf : leaves.values()) {
            for (int i = 0; i < leaf.size(); i++) {
                visitor.visit(leaf.keys, leaf.keyStart(i), leaf.keyEnds[i], leaf.addresses[i], leaf.lengths[i]);
            }
        }
    }

    /** Receives index entries; the key is {@code keys[from, to)}, valid only during the call. */
    public interface EntryVisitor {
        void visit(byte[] keys, int from, int to, long address, int length);
    }

    /**
     * Walks keys in order from a start key. Robust to concurrent changes: in each next leaf it skips
     * to the first key after the last one it returned, so a split cannot make it repeat a key, and it
     * cannot skip a key that was present throughout.
     */
    public final class Cursor {
        private final byte[] from;
        private Leaf leaf;
        private byte[] leafBound;
        private int pos;
        private byte[] key;
        private long address;
        private int length;

        private Cursor(byte[] from) {
            this.from = from;
            Map.Entry<byte[], Leaf> e = leaves.floorEntry(from == null ? LOWEST : from);
            leaf = e.getValue();
            leafBound = e.getKey();
            pos = from == null ? 0 : leaf.lowerBound(from);
        }

        /** Moves to the next entry; false at the end. */
        public boolean next() {
            while (pos >= leaf.size()) {
                Map.Entry<byte[], Leaf> e = leaves.higherEntry(leafBound);
                if (e == null) {
                    return false;
                }
                leaf = e.getValue();
                leafBound = e.getKey();
                if (key != null) {
                    pos = leaf.upperBound(key);
                } else {
                    pos = from == null ? 0 : leaf.lowerBound(from);
                }
            }
            key = leaf.key(pos);
            address = leaf.addresses[pos];
            length = leaf.lengths[pos];
            pos++;
            return true;
        }

        public byte[] key() {
            return key;
        }

        public long address() {
            return address;
        }

        public int length() {
            return length;
        }
    }
}
