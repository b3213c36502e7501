package io.toykv.bench.engine;

import io.toykv.core.Entry;
import io.toykv.core.ScanIterator;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import java.io.IOException;
import java.nio.file.Path;

/** toykv through its public API only, with default options except the sync mode. */
final class ToykvEngine implements Engine {
    private final Store store;
    private final StoreOptions options;

    private ToykvEngine(Store store, StoreOptions options) {
        this.store = store;
        this.options = options;
    }

    static ToykvEngine open(Path dir, Durability durability) throws IOException {
        StoreOptions options = StoreOptions.defaults().syncMode(durability.toykvMode());
        return new ToykvEngine(Store.open(dir, options), options);
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
    public void delete(byte[] key) {
        store.delete(key);
    }

    @Override
    public int scan(byte[] fromInclusive, int limit, EntrySink sink) {
        int n = 0;
        try (ScanIterator it = store.scan(fromInclusive, null)) {
            while (n < limit && it.hasNext()) {
                Entry e = it.next();
                sink.accept(e.key(), e.value());
                n++;
            }
        }
        return n;
    }

    @Override
    public long scanAll(EntrySink sink) {
        long n = 0;
        try (ScanIterator it = store.scan(null, null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                sink.accept(e.key(), e.value());
                n++;
            }
        }
        return n;
    }

    @Override
    public long offHeapBytes() {
        return 0;
    }

    /** The store's own counters, for cross-checking the measured figures. */
    public Store store() {
        return store;
    }

    @Override
    public String describe() {
        return options.toString();
    }

    @Override
    public void close() {
        store.close();
    }
}
