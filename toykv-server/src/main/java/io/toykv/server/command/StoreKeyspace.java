package io.toykv.server.command;

import io.toykv.core.ScanIterator;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.WriteBatch;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/** {@link Keyspace} over a real {@link Store}. */
public final class StoreKeyspace implements Keyspace {
    private final Store store;
    private final int maxKeySize;
    private final int maxValueSize;
    private final Clock clock;

    /** The options must be those the store was opened with: {@link #check} enforces their limits. */
    public StoreKeyspace(Store store, StoreOptions options) {
        this.store = Objects.requireNonNull(store, "store");
        this.maxKeySize = options.maxKeySize();
        this.maxValueSize = options.maxValueSize();
        this.clock = options.clock();
    }

    @Override
    public void check(byte[] key, byte[] value) {
        // The store's own wording, so MSET refuses a pair exactly as SET would.
        if (key.length > maxKeySize) {
            throw new IllegalArgumentException("key of " + key.length + " bytes exceeds maxKeySize " + maxKeySize);
        }
        if (value.length > maxValueSize) {
            throw new IllegalArgumentException(
                    "value of " + value.length + " bytes exceeds maxValueSize " + maxValueSize);
        }
    }

    @Override
    public long maxValueSize() {
        return maxValueSize;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        store.put(key, value);
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
        return store.stats().toMap();
    }

    @Override
    public long now() {
        return clock.millis();
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

    @Override
    public boolean applyAtomically(WriteBatch batch) {
        store.apply(batch);
        return true;
    }
}
