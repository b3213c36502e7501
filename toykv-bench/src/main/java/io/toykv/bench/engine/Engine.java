package io.toykv.bench.engine;

import java.io.IOException;

/**
 * The few operations every benchmark needs, over one open store. Implementations are safe for use by
 * several threads at once (both stores are); {@link #close()} is called once, after every worker stopped.
 *
 * <p>Scans materialise each key and value as a fresh array on both engines, so that neither is
 * credited for skipping a copy the other must make.
 */
public interface Engine extends AutoCloseable {

    void put(byte[] key, byte[] value) throws IOException;

    /** The value, or null when the key is absent. */
    byte[] get(byte[] key) throws IOException;

    void delete(byte[] key) throws IOException;

    /**
     * Reads up to {@code limit} entries in key order starting at {@code fromInclusive} and hands each to
     * {@code sink}; returns how many were read.
     */
    int scan(byte[] fromInclusive, int limit, EntrySink sink) throws IOException;

    /** Reads every entry in key order; returns the count. */
    long scanAll(EntrySink sink) throws IOException;

    /**
     * Memory the store holds outside the Java heap, as the store itself reports it (RocksDB: memtables,
     * table readers, block cache; toykv: none outside the page cache, so 0).
     */
    long offHeapBytes();

    /** A one-line description of the options the store runs with, for the printed environment. */
    String describe();

    @Override
    void close() throws IOException;

    /** Receives scanned entries; used to keep the JIT from discarding the reads. */
    @FunctionalInterface
    interface EntrySink {
        void accept(byte[] key, byte[] value);
    }
}
