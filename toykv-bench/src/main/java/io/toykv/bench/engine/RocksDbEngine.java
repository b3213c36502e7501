package io.toykv.bench.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * RocksDB JNI with default options (only create_if_missing set), optionally with its blob files on.
 * Durability follows {@link Durability}; for {@code everysec} a daemon thread named
 * {@code rocksdb-wal-sync} calls {@code SyncWAL} once a second.
 */
final class RocksDbEngine implements Engine {
    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final ScheduledExecutorService walSyncer;
    private final String description;
    private volatile IOException walSyncFailure;

    private RocksDbEngine(
            Options options, RocksDB db, WriteOptions writeOptions, Durability durability, boolean blobs) {
        this.options = options;
        this.db = db;
        this.writeOptions = writeOptions;
        this.readOptions = new ReadOptions();
        this.description = "RocksDB " + RocksDB.rocksdbVersion() + " defaults"
                + (blobs ? " + enable_blob_files (min_blob_size 0)" : "") + ", sync " + durability.label();
        if (durability == Durability.EVERYSEC) {
            walSyncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rocksdb-wal-sync");
                t.setDaemon(true);
                return t;
            });
            walSyncer.scheduleWithFixedDelay(this::syncWal, 1, 1, TimeUnit.SECONDS);
        } else {
            walSyncer = null;
        }
    }

    static RocksDbEngine open(Path dir, Durability durability, boolean blobs) throws IOException {
        Options options = new Options().setCreateIfMissing(true);
        if (blobs) {
            options.setEnableBlobFiles(true);
            options.setMinBlobSize(0);
        }
        WriteOptions writeOptions = new WriteOptions().setSync(durability == Durability.ALWAYS);
        try {
            return new RocksDbEngine(options, RocksDB.open(options, dir.toString()), writeOptions, durability, blobs);
        } catch (RocksDBException e) {
            writeOptions.close();
            options.close();
            throw new IOException("cannot open RocksDB in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void syncWal() {
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            walSyncFailure = new IOException("background SyncWAL failed: " + e.getMessage(), e);
        }
    }

    private void checkWalSync() throws IOException {
        IOException failure = walSyncFailure;
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        try {
            db.put(writeOptions, key, value);
        } catch (RocksDBException e) {
            throw new IOException("put: " + e.getMessage(), e);
        }
        checkWalSync();
    }

    @Override
    public byte[] get(byte[] key) throws IOException {
        try {
            return db.get(readOptions, key);
        } catch (RocksDBException e) {
            throw new IOException("get: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(byte[] key) throws IOException {
        try {
            db.delete(writeOptions, key);
        } catch (RocksDBException e) {
            throw new IOException("delete: " + e.getMessage(), e);
        }
        checkWalSync();
    }

    @Override
    public int scan(byte[] fromInclusive, int limit, EntrySink sink) throws IOException {
        int n = 0;
        try (RocksIterator it = db.newIterator(readOptions)) {
            it.seek(fromInclusive);
            for (; n < limit && it.isValid(); it.next()) {
                sink.accept(it.key(), it.value());
                n++;
            }
            status(it);
        }
        return n;
    }

    @Override
    public long scanAll(EntrySink sink) throws IOException {
        long n = 0;
        try (RocksIterator it = db.newIterator(readOptions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                sink.accept(it.key(), it.value());
                n++;
            }
            status(it);
        }
        return n;
    }

    private static void status(RocksIterator it) throws IOException {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new IOException("iterator: " + e.getMessage(), e);
        }
    }

    @Override
    public long offHeapBytes() {
        return property("rocksdb.cur-size-all-mem-tables")
                + property("rocksdb.estimate-table-readers-mem")
                + property("rocksdb.block-cache-usage");
    }

    private long property(String name) {
        try {
            return db.getLongProperty(name);
        } catch (RocksDBException e) {
            return 0;
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /** Close order: stop the WAL syncer, close the database (it syncs nothing more), free the options. */
    @Override
    public void close() throws IOException {
        if (walSyncer != null) {
            walSyncer.shutdownNow();
            try {
                walSyncer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (walSyncer != null) {
                db.syncWal();
            }
            db.closeE();
        } catch (RocksDBException e) {
            throw new IOException("close: " + e.getMessage(), e);
        } finally {
            readOptions.close();
            writeOptions.close();
            options.close();
        }
    }
}
