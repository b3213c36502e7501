package io.toykv.core.index;

/** A node of the {@link SortedIndex} tree: a {@link Leaf} of entries or an {@link Inner} node. */
abstract class Node {
    /** Estimated heap bytes of this node alone (not its children). */
    abstract long heapBytes();
}
