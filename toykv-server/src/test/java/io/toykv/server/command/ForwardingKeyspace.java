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

    @Override
    public long now() {
        return store.now();
    }

    @Override
    public void put(byte[] key, byte[] value, long expireAtMillis) {
        store.put(key, value, expireAtMillis);
    }

    @Override
    public boolean putIfAbsent(byte[] key, byte[] value, long expireAtMillis) {
        return store.putIfAbsent(key, value, expireAtMillis);
    }

    @Override
    public boolean putIfPresent(byte[] key, byte[] value, long expireAtMillis) {
        return store.putIfPresent(key, value, expireAtMillis);
    }

    @Override
    public boolean expireAt(byte[] key, long expireAtMillis) {
        return store.expireAt(key, expireAtMillis);
    }

    @Override
    public boolean persist(byte[] key) {
        return store.persist(key);
    }

    @Override
    public long expiry(byte[] key) {
        return store.expiry(key);
    }

    @Override
    public long version(byte[] key) {
        return store.version(key);
    }

    @Override
    public long expiringKeys() {
        return store.expiringKeys();
    }
}
