package io.toykv.core;

import java.util.Iterator;

/**
 * Entries of a range in unsigned lexicographic key order. Use it in try-with-resources: an open
 * iterator keeps the values-log segments it is reading from alive.
 *
 * <p>The iterator is weakly consistent: it sees every key that was present for the whole scan, and
 * may or may not see keys written or deleted while it runs. It never returns a wrong value. It is not
 * safe for use by several threads at once.
 */
public interface ScanIterator extends Iterator<Entry>, AutoCloseable {

    /** Releases what the iterator holds. A second call does nothing. */
    @Override
    void close();
}
