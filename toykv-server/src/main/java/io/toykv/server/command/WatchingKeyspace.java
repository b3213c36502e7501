package io.toykv.server.command;

import io.toykv.core.ScanIterator;
import java.util.Map;

/**
 * The keyspace every command sees: the store's, with each write reported to the
 * {@link WatchRegistry} once applied, so that WATCH sees changes by every command without each
 * command knowing about WATCH. A command that writes through another path would bypass WATCH: there
 * is none.
 */
final class WatchingKeyspace implements Keyspace {
    private final Keyspace store;
    private final WatchRegistry watches;

    WatchingKeyspace(Keyspace store, WatchRegistry watches) {
        this.store = store;
        this.watches = watches;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        try {
            store.put(key, value);
        } finally {
            watches.touched(key); // also when the put failed half-way: a spurious abort is safe
        }
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
        boolean changed = true; // unless the store says the key was absent (as Redis, no change then)
        try {
            changed = store.delete(key);
            return changed;
        } finally {
            if (changed) {
                watches.touched(key);
            }
        }
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
        watches.flushing(key -> store.get(key) != null);
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
