package io.toykv.server.command;

import io.toykv.core.ScanIterator;
import java.util.Map;

/** A keyspace that passes every call on; tests override the calls they instrument. */
class ForwardingKeyspace implements Keyspace {
    private final Keyspace store;

    ForwardingKeyspace(Keyspace store) {
        this.store = store;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        store.put(key, value);
    }

    @Override
    public void check(byte[] key, byte[] value) {
        store.check(key, value);
    }

    @Override
    public byte[] get(byte[] key) {
        return store.get(key);
    }

    @Override
    public boolean delete(byte[] key) {
        return store.delete(key);
    }

    @Override
    public ScanIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        return store.scan(fromInclusive, toExclusive);
    }

    @Override
    public long size() {
        return store.size();
    }

    @Override
    public void clear() {
        store.clear();
    }

    @Override
    public void sync() {
        store.sync();
    }

    @Override
    public Map<String, Object> stats() {
        return store.stats();
    }
}
