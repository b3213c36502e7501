package io.toykv.core.index;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

/**
 * A shard's in-memory index: key to (value address, value record length), sorted by unsigned
 * lexicographic key order. A B+-tree: packed {@link Leaf}s of up to {@value #MAX_LEAF} entries under
 * {@link Inner} nodes of up to {@value #MAX_INNER} children. The leftmost bound of the tree is the
 * empty key, which sorts before every real key, so every key has a leaf.
 *
 * <p>Concurrency: one writer at a time (the shard's write lock); readers take no lock. A put changes
 * its leaf in place while the leaf has room (readers of a leaf retry around a change: see
 * {@link Leaf}). A full leaf is replaced by a bigger copy, or split in two: the writer builds the new
 * leaves and swaps them into the parent's slot, building a new parent (and so on up) when the parent
 * grows, or publishes a new root through a volatile field. Readers therefore always walk a complete
 * tree, seeing each node before or after a change.
 *
 * <p>Leaves start small and grow: halves of a split get room for {@value #SPLIT_CAPACITY} entries,
 * a full leaf grows to {@value #MAX_LEAF}, and leaves loaded at open are exactly full. Room costs 24
 * bytes an entry, so this keeps memory near the entries' own size while most puts change a leaf in place.
 */
public final class SortedIndex {
    static final int MAX_LEAF = 32;
    static final int SPLIT_CAPACITY = 24;
    static final int MAX_INNER = 128;
    static final int BULK_LEAF_FILL = 24;
    static final int BULK_INNER_FILL = 96;
    private static final byte[] LOWEST = new byte[0];
    private static final int MAX_DEPTH = 16;

    private volatile Node root = Leaf.empty(MAX_LEAF);
    /**
     * Times the whole tree was replaced ({@link #clear}, {@link #load}), each counted after the new root
     * is published: a cursor reads it before it reads the root, so a hint to a leaf of an older tree
     * always carries an older count and is not used.
     */
    private volatile long clears;

    private volatile long size;
    /** The writer's path, reused by every put and remove (one writer at a time). */
    private final Path writerPath = new Path();

    /** Whether the caller may write: holds the shard's write lock once {@link #checkWritesUnder} named it. */
    private volatile BooleanSupplier writer = () -> true;

    /** The first eight bytes of {@code key}, zero-padded, as an unsigned big-endian long: the order of keys' prefixes. */
    public static long prefix(byte[] key) {
        return Inner.prefix(key);
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
        long p = Inner.prefix(key);
        Node n = root;
        while (n instanceof Inner in) {
            n = in.child(in.childIndex(key, p));
        }
        return ((Leaf) n).lookup(key, p, lengthOut);
    }

    /** The path from the root to the leaf for a key: inner nodes and the child index taken in each. */
    private static final class Path {
        final Inner[] inners = new Inner[MAX_DEPTH];
        final int[] indexes = new int[MAX_DEPTH];
        int depth;
        Leaf leaf;
        long keyPrefix;
    }

    private Path descend(byte[] key) {
        Path path = writerPath;
        path.depth = 0;
        Node n = root;
        long p = Inner.prefix(key);
        while (n instanceof Inner in) {
            int i = in.childIndex(key, p);
            path.inners[path.depth] = in;
            path.indexes[path.depth] = i;
            path.depth++;
            n = in.child(i);
        }
        path.leaf = (Leaf) n;
        path.keyPrefix = p;
        return path;
    }

    /** Puts {@code node} where the path's node at {@code level} was (level == depth: the leaf). */
    private void replace(Path path, int level, Node node) {
        if (level == 0) {
            root = node;
        } else {
            path.inners[level - 1].setChild(path.indexes[level - 1], node);
        }
    }

    /** Replaces the node at {@code level} by {@code left} and {@code right}, splitting upwards as needed. */
    private void split(Path path, int level, Node left, byte[] rightBound, Node right) {
        if (level == 0) {
            root = new Inner(new byte[][] {LOWEST, rightBound}, new Node[] {left, right});
            return;
        }
        Inner parent = path.inners[level - 1];
        Inner grown = parent.withSplitChild(path.indexes[level - 1], left, rightBound, right);
        if (grown.size() <= MAX_INNER) {
            replace(path, level - 1, grown);
        } else {
            int half = grown.size() / 2;
            split(path, level - 1, grown.range(0, half), grown.bounds[half], grown.range(half, grown.size()));
        }
    }

    /**
     * Names the lock the "writer only" methods need from now on (the shard's write lock, once the open
     * is done): with assertions on, each then checks that its caller holds it.
     */
    public void checkWritesUnder(ReentrantLock lock) {
        writer = lock::isHeldByCurrentThread;
    }

    /**
     * Sets {@code key}'s entry. Returns the previous address, or -1; {@code previousLength[0]} receives
     * the previous record length. Writer only.
     */
    public long put(byte[] key, long address, int length, int[] previousLength) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        Path path = descend(key);
        Leaf leaf = path.leaf;
        long prefix = path.keyPrefix;
        int i = leaf.find(key, prefix);
        if (i >= 0) {
            previousLength[0] = leaf.length(i);
            long previous = leaf.address(i);
            leaf.replace(i, address, length);
            return previous;
        }
        int at = -i - 1;
        int n = leaf.size();
        if (leaf.hasRoom()) {
            leaf.insert(at, key, prefix, address, length);
        } else if (n < MAX_LEAF) {
            Leaf grown = leaf.copy(0, n, MAX_LEAF);
            grown.insert(at, key, prefix, address, length);
            replace(path, path.depth, grown);
            leaf.retire();
        } else if (at == n || at == 0) {
            // At an end (keys put in ascending or descending order): the full leaf stays as it is and
            // the key starts a new one, so such fills leave full leaves instead of half-empty ones.
            Leaf single = Leaf.empty(MAX_LEAF);
            single.insert(0, key, prefix, address, length);
            if (at == n) {
                split(path, path.depth, leaf, key, single);
            } else {
                split(path, path.depth, single, leaf.key(0), leaf);
            }
        } else {
            int half = (n + 1) / 2;
            Leaf left = leaf.copy(0, half, SPLIT_CAPACITY);
            Leaf right = leaf.copy(half, n, SPLIT_CAPACITY);
            if (at <= half) {
                left.insert(at, key, prefix, address, length);
            } else {
                right.insert(at - half, key, prefix, address, length);
            }
            split(path, path.depth, left, right.key(0), right);
            leaf.retire();
        }
        size++;
        return -1;
    }

    /**
     * Points {@code key} at {@code address} (record length {@code length}) if it is present and still at
     * {@code expected}; one descent where a get and a put would take two. Returns whether it did.
     * Writer only (garbage collection moving a value).
     */
    public boolean replaceIf(byte[] key, long expected, long address, int length) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        return replaceIf(null, -1, key, expected, address, length);
    }

    /**
     * {@link #replaceIf(byte[], long, long, int)} starting from the leaf a {@link Cursor} found the key
     * in ({@link Cursor#hint()}): no descent while that leaf is still in the tree, which is the common
     * case for garbage collection, whose walk found the key moments before. A key the tree still holds
     * is in the leaf it was in until that leaf is retired (copied or split), so a present key there is
     * authoritative; otherwise (absent there, a retired leaf, a clear since) it descends as usual. In
     * the leaf it looks first at index {@code slot} ({@link Cursor#slot()}, or -1 for none): one entry
     * read instead of a binary search, unless entries before it were inserted or removed since.
     * Writer only.
     */
    public boolean replaceIf(Hint hint, int slot, byte[] key, long expected, long address, int length) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        Leaf leaf = null;
        int i = -1;
        if (hint != null && hint.clears == clears && !hint.leaf.retired()) {
            leaf = hint.leaf;
            i = leaf.find(key, Inner.prefix(key), slot);
        }
        if (i < 0) {
            Path path = descend(key);
            leaf = path.leaf;
            i = leaf.find(key, path.keyPrefix);
        }
        if (i < 0 || leaf.address(i) != expected) {
            return false;
        }
        leaf.replace(i, address, length);
        return true;
    }

    /**
     * Removes {@code key}. Returns its address, or -1 when absent; {@code lengthOut[0]} receives its
     * record length. Writer only. Leaves are not merged: an emptied leaf stays until a reload.
     */
    public long remove(byte[] key, int[] lengthOut) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        Path path = descend(key);
        Leaf leaf = path.leaf;
        int i = leaf.find(key, path.keyPrefix);
        if (i < 0) {
            return -1;
        }
        lengthOut[0] = leaf.length(i);
        long address = leaf.address(i);
        leaf.remove(i);
        size--;
        return address;
    }

    /**
     * Whether {@code key} may still point at {@code expected}, read without the lock as a reader reads:
     * false only when entry {@code slot} of the hinted leaf was read whole holding {@code key} at another
     * address (then a {@link #replaceIf} would refuse it). Any doubt (a leaf changed or retired since, a
     * clear, a read that raced a change) answers true. Garbage collection calls it for a batch's keys
     * before it takes the lock: it drops keys written meanwhile, and leaves the entries it read in the
     * cache, so that the batch under the lock does not wait on memory.
     */
    public boolean mayPointAt(Hint hint, int slot, byte[] key, long expected) {
        if (hint == null || hint.clears != clears || hint.leaf.retired()) {
            return true;
        }
        Leaf leaf = hint.leaf;
        int v = leaf.beginRead();
        int i;
        long address;
        try {
            i = leaf.find(key, Inner.prefix(key), slot);
            address = i >= 0 ? leaf.address(i) : expected;
        } catch (RuntimeException torn) {
            return true;
        }
        return !leaf.validate(v) || address == expected;
    }

    /** Removes every key. Writer only. */
    public void clear() {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        root = Leaf.empty(MAX_LEAF);
        size = 0;
        clears++;
    }

    /**
     * Replaces the whole contents with sorted, distinct entries (at open, before any reader). Leaves are
     * filled to about three quarters, so that the first inserts after open grow them instead of
     * splitting them, and have no spare room; inner nodes are filled to three quarters too.
     */
    public void load(byte[][] sortedKeys, long[] addresses, int[] lengths, int count) {
        long[] prefixes = new long[count];
        int[] keyLengths = new int[count];
        for (int i = 0; i < count; i++) {
            prefixes[i] = Inner.prefix(sortedKeys[i]);
            keyLengths[i] = sortedKeys[i].length;
        }
        load(sortedKeys, prefixes, keyLengths, addresses, lengths, count);
    }

    /**
     * {@link #load(byte[][], long[], int[], int)} with each key's {@link #prefix} and length given: a key
     * of eight bytes or fewer is then read from them alone, and only the first key of each leaf (the
     * bound its parent keeps) from {@code sortedKeys}.
     */
    public void load(
            byte[][] sortedKeys, long[] prefixes, int[] keyLengths, long[] addresses, int[] lengths, int count) {
        if (count == 0) {
            clear();
            return;
        }
        int leafCount = (count + BULK_LEAF_FILL - 1) / BULK_LEAF_FILL;
        Node[] level = new Node[leafCount];
        byte[][] bounds = new byte[leafCount][];
        for (int l = 0; l < leafCount; l++) {
            int from = l * BULK_LEAF_FILL;
            int to = Math.min(count, from + BULK_LEAF_FILL);
            level[l] = Leaf.of(sortedKeys, prefixes, keyLengths, addresses, lengths, from, to, to - from);
            bounds[l] = l == 0 ? LOWEST : sortedKeys[from];
        }
        while (level.length > 1) {
            int parents = (level.length + BULK_INNER_FILL - 1) / BULK_INNER_FILL;
            Node[] up = new Node[parents];
            byte[][] upBounds = new byte[parents][];
            for (int p = 0; p < parents; p++) {
                int from = p * BULK_INNER_FILL;
                int to = Math.min(level.length, from + BULK_INNER_FILL);
                up[p] = new Inner(
                        java.util.Arrays.copyOfRange(bounds, from, to), java.util.Arrays.copyOfRange(level, from, to));
                upBounds[p] = bounds[from];
            }
            level = up;
            bounds = upBounds;
        }
        root = level[0];
        size = count;
        clears++;
    }

    /** Estimated heap bytes of the index. */
    public long heapBytes() {
        return heapBytes(root);
    }

    private static long heapBytes(Node n) {
        long total = n.heapBytes();
        if (n instanceof Inner in) {
            for (int i = 0; i < in.size(); i++) {
                total += heapBytes(in.child(i));
            }
        }
        return total;
    }

    private static final LongPredicate ANY_ADDRESS = a -> true;

    /** A cursor positioned before the first key at least {@code from} (null: the first key). */
    public Cursor cursor(byte[] from) {
        return new Cursor(from);
    }

    /** The leaf a cursor found an entry in, as of the {@code clears}-th clear or load: see {@link Cursor#hint()}. */
    public static final class Hint {
        private final Leaf leaf;
        private final long clears;

        private Hint(Leaf leaf, long clears) {
            this.leaf = leaf;
            this.clears = clears;
        }
    }

    /**
     * A leaf, the bound it hangs under, and the inner node that held it at child index {@code slot}
     * when it was found (null and -1 when the leaf is the root).
     */
    private record LeafAt(Leaf leaf, byte[] bound, Inner parent, int slot) {}

    private LeafAt leafAt(byte[] key) {
        Node n = root;
        byte[] bound = LOWEST;
        Inner parent = null;
        int slot = -1;
        long p = Inner.prefix(key);
        while (n instanceof Inner in) {
            int i = in.childIndex(key, p);
            if (i > 0) {
                bound = in.bounds[i];
            }
            parent = in;
            slot = i;
            n = in.child(i);
        }
        return new LeafAt((Leaf) n, bound, parent, slot);
    }

    /** The first leaf whose bound is greater than {@code bound}, or null. */
    private LeafAt leafAfter(byte[] bound) {
        return leafAfter(root, LOWEST, bound, Inner.prefix(bound));
    }

    private static LeafAt leafAfter(Node n, byte[] nodeBound, byte[] bound, long prefix) {
        if (n instanceof Leaf leaf) {
            return java.util.Arrays.compareUnsigned(nodeBound, bound) > 0
                    ? new LeafAt(leaf, nodeBound, null, -1)
                    : null;
        }
        Inner in = (Inner) n;
        int i = in.childIndex(bound, prefix);
        Node child = in.child(i);
        LeafAt found = leafAfter(child, i == 0 ? nodeBound : in.bounds[i], bound, prefix);
        if (found != null && found.parent() == null && child instanceof Leaf) {
            return new LeafAt(found.leaf(), found.bound(), in, i);
        }
        if (found != null || i + 1 >= in.size()) {
            return found;
        }
        Inner parent = in;
        int slot = i + 1;
        Node c = in.child(i + 1);
        byte[] b = in.bounds[i + 1];
        while (c instanceof Inner ci) {
            parent = ci;
            slot = 0;
            c = ci.child(0);
        }
        return new LeafAt((Leaf) c, b, parent, slot);
    }

    /**
     * The leaf after {@code at} in its parent, or null when it was the parent's last child, the parent
     * has gone from the tree by a clear or a load since {@code at} was found at the {@code atClears}-th,
     * or the sibling is retired. Saves a cursor the descent from the root to each next leaf.
     *
     * <p>The parent may have left the tree since (a split copies an inner node): its children are then
     * leaves still in the tree, leaves retired since (refused here, and each a frozen copy of what it
     * held when retired), or a leaf next to which a split at a leaf's end added a new one. So a cursor
     * walking a stale parent reads every key present throughout its walk once, and misses only keys
     * put during it, as it may.
     */
    private LeafAt siblingAfter(LeafAt at, long atClears) {
        Inner parent = at.parent();
        int slot = at.slot() + 1;
        if (parent == null || slot >= parent.size() || clears != atClears) {
            return null;
        }
        Node n = parent.child(slot);
        if (!(n instanceof Leaf leaf) || leaf.retired()) {
            return null;
        }
        return new LeafAt(leaf, parent.bounds[slot], parent, slot);
    }

    /**
     * Walks keys in order from a start key. Robust to concurrent changes: whenever its leaf changed
     * since it last read it, and in each next leaf, it finds the first key after the last one it
     * returned, so neither a change in place nor a split can make it repeat a key, and it cannot skip a
     * key that was present throughout.
     */
    public final class Cursor {
        /** A version no leaf has when stable (odd): forces a fresh search in the leaf. */
        private static final int UNPOSITIONED = -1;

        private final byte[] from;
        private Hint hint;
        private long leafClears;
        private LeafAt at;
        private Leaf leaf;
        private byte[] leafBound;
        private int leafVersion = UNPOSITIONED;
        private int pos;
        private byte[] key;
        private long address;
        private int length;

        private Cursor(byte[] from) {
            this.from = from;
            leafClears = clears;
            at = leafAt(from == null ? LOWEST : from);
            leaf = at.leaf();
            leafBound = at.bound();
        }

        /** Moves to the next entry; false at the end. */
        public boolean next() {
            return next(ANY_ADDRESS);
        }

        /**
         * Moves to the next entry whose address passes {@code filter}; false at the end. Entries that
         * fail it are skipped without building their keys, so a walk for a few addresses in a large
         * index costs little more than reading the leaves.
         */
        public boolean next(LongPredicate filter) {
            while (true) {
                Leaf l = leaf;
                int v = l.beginRead();
                int p = pos;
                int n;
                byte[] k = null;
                long a = 0;
                int len = 0;
                try {
                    if (v != leafVersion) {
                        p = key != null ? l.upperBound(key) : from == null ? 0 : l.lowerBound(from);
                    }
                    n = l.size();
                    while (p < n && !filter.test(l.address(p))) {
                        p++;
                    }
                    if (p < n) {
                        k = l.key(p);
                        a = l.address(p);
                        len = l.length(p);
                    }
                } catch (RuntimeException torn) {
                    if (l.validate(v)) {
                        throw torn; // not a torn read: a bug
                    }
                    continue;
                }
                if (!l.validate(v)) {
                    continue;
                }
                leafVersion = v;
                if (p < n) {
                    key = k;
                    address = a;
                    length = len;
                    pos = p + 1;
                    return true;
                }
                pos = p;
                long c = clears;
                LeafAt next = siblingAfter(at, leafClears);
                if (next == null) {
                    next = leafAfter(leafBound);
                }
                if (next == null) {
                    return false;
                }
                at = next;
                leaf = next.leaf();
                leafBound = next.bound();
                leafClears = c;
                leafVersion = UNPOSITIONED;
            }
        }

        public byte[] key() {
            return key;
        }

        /** Index of the current entry in the leaf of {@link #hint()}, when the cursor read it. */
        public int slot() {
            return pos - 1;
        }

        /**
         * Where the current entry was found, for {@link SortedIndex#replaceIf(Hint, int, byte[], long, long, int)}.
         * One object per leaf the cursor visits.
         */
        public Hint hint() {
            if (hint == null || hint.leaf != leaf || hint.clears != leafClears) {
                hint = new Hint(leaf, leafClears);
            }
            return hint;
        }

        public long address() {
            return address;
        }

        public int length() {
            return length;
        }
    }
}
