package io.toykv.core;

import java.io.IOException;
import java.nio.file.Path;

/** API skeleton: the engine behind it lands in the next commits. */
public final class Store implements AutoCloseable {

    private Store() {
    }

    public static Store open(Path dir) throws IOException {
        return open(dir, StoreOptions.defaults());
    }

    public static Store open(Path dir, StoreOptions options) throws IOException {
        throw new UnsupportedOperationException("engine not written yet");
    }

    public void put(byte[] key, byte[] value) {
        throw new UnsupportedOperationException();
    }

    public byte[] get(byte[] key) {
        throw new UnsupportedOperationException();
    }

    public boolean delete(byte[] key) {
        throw new UnsupportedOperationException();
    }

    public ScanIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        throw new UnsupportedOperationException();
    }

    /** Number of live keys, in constant time. */
    public long size() {
        throw new UnsupportedOperationException();
    }

    public void sync() {
        throw new UnsupportedOperationException();
    }

    public StoreStats stats() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}
