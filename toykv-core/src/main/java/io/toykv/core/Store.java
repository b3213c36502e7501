package io.toykv.core;

import io.toykv.core.engine.BackgroundSyncer;
import io.toykv.core.engine.GarbageCollector;
import io.toykv.core.engine.Shard;
import io.toykv.core.engine.ShardManifest;
import io.toykv.core.engine.ShardRouter;
import io.toykv.core.engine.StoreManifest;
import io.toykv.core.io.BackgroundThreads;
import io.toykv.core.io.DirectoryLock;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import io.toykv.core.io.ForceFailedException;
import io.toykv.core.log.DirectIo;
import io.toykv.core.log.ValueRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A toykv store: keys and values kept apart, in {@code N} independent shards under one directory.
 * See the package documentation for the concurrency, durability and exception contract, and
 * {@code docs/FORMAT.md} for the files.
 */
public final class Store implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Store.class.getName());

    private final Path dir;
    private final StoreOptions options;
    private final DirectoryLock lock;
    /** Routes the store's file changes to {@link StoreOptions#fileIo()}; released last at close. */
    private final FileIo.Installed fileIoScope;
    private final Shard[] shards;
    private final BackgroundSyncer syncer;
    private final GarbageCollector gc;
    private final AtomicReference<Throwable> backgroundFailure = new AtomicReference<>();
    /** The first failed force; once set, every write fails ({@link #forceFailed}). */
    private final AtomicReference<Throwable> writesStopped = new AtomicReference<>();
    /** Failures of the {@code toykv-sync} thread that were not fatal (a full disk, say), since open. */
    private final java.util.concurrent.atomic.AtomicLong syncFailures = new java.util.concurrent.atomic.AtomicLong();
    /** The last of them, or null. */
    private volatile String lastSyncError;
    /** Whether the last round of the {@code toykv-sync} thread failed (false once a round succeeds). */
    private volatile boolean lastSyncFailed;
    private volatile boolean closed;

    private Store(Path dir, StoreOptions options, DirectoryLock lock, FileIo.Installed fileIoScope, Shard[] shards) {
        this.dir = dir;
        this.options = options;
        this.lock = lock;
        this.fileIoScope = fileIoScope;
        this.shards = shards;
        this.syncer = options.syncMode() == SyncMode.EVERY_SECOND
                ? new BackgroundSyncer(shards, this::syncFailed, () -> lastSyncFailed = false)
                : null;
        this.gc = new GarbageCollector(shards, options.gcGarbageRatio(), options.gcSpaceTarget(),
                options.keysFileSize(), options.segmentSize(), options.autoCompaction() ? options.gcThreads() : 0,
                this::collectorFailed);
    }

    /** Opens (or creates) the store in {@code dir} with default options. */
    public static Store open(Path dir) throws IOException {
        return open(dir, StoreOptions.defaults());
    }

    /**
     * Opens (or creates) the store in {@code dir}. Recovers each shard: replays its keys log, cuts off
     * a torn tail (logged with the bytes dropped), and rebuilds the index.
     *
     * @throws IOException the directory cannot be created or locked (another process has the store
     *     open), or the files are damaged ({@link CorruptionException} names the file and offset)
     * @throws IllegalArgumentException the options do not fit together or do not match the store
     */
    public static Store open(Path dir, StoreOptions options) throws IOException {
        return open(dir, options, FileAllocator.DEFAULT, new DirectIo(options.directIo()));
    }

    static Store open(Path dir, StoreOptions options, FileAllocator allocator, DirectIo io) throws IOException {
        Objects.requireNonNull(dir, "dir");
        StoreOptions opts = Objects.requireNonNull(options, "options").copy();
        checkOptions(opts);
        FileIo.Installed fileIoScope = FileIo.install(dir, opts.fileIo());
        DirectoryLock lock;
        try {
            FileIo.of(dir).createDirectories(dir);
            lock = DirectoryLock.acquire(dir);
        } catch (IOException | RuntimeException e) {
            fileIoScope.close();
            throw e;
        }
        Shard[] shards = null;
        try {
            StoreManifest.Contents stored = StoreManifest.read(dir);
            ShardManifest[] identities;
            if (stored == null) {
                identities = ShardManifest.forNewStore(dir, opts.shards());
            } else if (opts.shardsSet() && stored.shards() != opts.shards()) {
                throw new IllegalArgumentException("store " + dir + " has " + stored.shards() + " shards; options ask for "
                        + opts.shards() + " (changing the shard count is not supported)");
            } else {
                opts.shards(stored.shards());
                identities = ShardManifest.forExistingStore(dir, stored);
            }
            shards = openShards(dir, opts, allocator, io, identities);
            if (stored == null) {
                // The last step of a creation: every shard directory holds its files and its shard
                // manifest, durably. A crash before this leaves no store manifest and shard directories
                // without a key record, which the next open takes for a creation to finish.
                StoreManifest.write(dir, opts.shards(), identities[0].storeId());
            } else if (stored.version() < StoreManifest.VERSION) {
                // After the shards opened, and before the store starts: its collector and its puts
                // write records an older build cannot read. (An open that fails leaves the manifest as
                // it was; the shards it opened may have replaced their version 1 buffers already,
                // which this build reads and a build of version 2 or older refuses.)
                StoreManifest.write(dir, stored.shards(), identities[0].storeId());
                LOG.log(System.Logger.Level.INFO, "upgraded " + dir + " from store format version "
                        + stored.version() + " to " + StoreManifest.VERSION);
            }
            Store store = new Store(dir, opts, lock, fileIoScope, shards);
            LOG.log(System.Logger.Level.DEBUG, "opened " + dir + " with " + store.size() + " keys");
            return store;
        } catch (IOException | RuntimeException e) {
            if (shards != null) {
                for (Shard shard : shards) {
                    try {
                        shard.close();
                    } catch (IOException | RuntimeException again) {
                        e.addSuppressed(again);
                    }
                }
            }
            lock.close();
            fileIoScope.close();
            if (e instanceof CorruptionException c) {
                throw new CorruptionException(c.file(), c.offset(), c.problem() + REPAIR_HINT, c);
            }
            throw e;
        }
    }

    /** Appended to the message of a {@link CorruptionException} that fails the open. */
    static final String REPAIR_HINT = " (the store was not opened; the repair tool, bin/toykv-repair, copies what is"
            + " readable into a new store and reports what was lost)";

    private static void checkOptions(StoreOptions o) {
        int largest = ValueRecord.size(o.maxValueSize());
        if (largest > o.bufferSize()) {
            throw new IllegalArgumentException("a record of the largest value (maxValueSize " + o.maxValueSize()
                    + ") takes " + largest + " bytes and must fit in bufferSize " + o.bufferSize());
        }
        if (o.bufferSize() > o.segmentSize()) {
            throw new IllegalArgumentException(
                    "bufferSize " + o.bufferSize() + " must not exceed segmentSize " + o.segmentSize());
        }
    }

    /** Opens the shards in parallel; if any fails, closes the others and throws the first failure. */
    private static Shard[] openShards(Path dir, StoreOptions opts, FileAllocator allocator, DirectIo io,
            ShardManifest[] identities) throws IOException {
        int n = opts.shards();
        Shard[] shards = new Shard[n];
        int threads = Math.min(n, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, BackgroundThreads.named("toykv-open"));
        try {
            List<Future<Shard>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                futures.add(pool.submit(() -> Shard.open(FileNames.shardDir(dir, id), opts, io, allocator, identities[id])));
            }
            Throwable failure = null;
            for (int i = 0; i < n; i++) {
                try {
                    shards[i] = futures.get(i).get();
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = failure == null ? new IOException("interrupted while opening " + dir) : failure;
                }
            }
            if (failure != null) {
                for (Shard s : shards) {
                    if (s != null) {
                        try {
                            s.close();
                        } catch (IOException | RuntimeException e) {
                            failure.addSuppressed(e);
                        }
                    }
                }
                if (failure instanceof IOException io2) {
                    throw io2;
                }
                if (failure instanceof RuntimeException re) {
                    throw re;
                }
                if (failure instanceof Error err) {
                    throw err;
                }
                throw new IOException(failure);
            }
            return shards;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Sets {@code key} to {@code value}. When this returns the write survives a kill -9 of the process;
     * with {@link SyncMode#ALWAYS} it also survives a power loss.
     *
     * @throws IllegalArgumentException the key is empty or longer than maxKeySize, or the value is
     *     longer than maxValueSize
     * @throws UncheckedIOException the write failed (a full disk, say); nothing was written
     */
    public void put(byte[] key, byte[] value) {
        checkKey(key);
        Objects.requireNonNull(value, "value");
        if (value.length > options.maxValueSize()) {
            throw new IllegalArgumentException(
                    "value of " + value.length + " bytes exceeds maxValueSize " + options.maxValueSize());
        }
        ensureOpen();
        ensureWritable();
        rethrowBackgroundFailure();
        try {
            shardOf(key).put(key, value);
        } catch (IOException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            throw failed(e); // an msync's failure (Mappings.force) comes as an UncheckedIOException
        }
    }

    /** The value of {@code key}, or null when absent. */
    public byte[] get(byte[] key) {
        checkKey(key);
        ensureOpen();
        try {
            return shardOf(key).get(key);
        } catch (IOException e) {
            throw Shard.unchecked(e);
        }
    }

    /** Removes {@code key}; returns whether it was present. */
    public boolean delete(byte[] key) {
        checkKey(key);
        ensureOpen();
        ensureWritable();
        rethrowBackgroundFailure();
        try {
            return shardOf(key).delete(key);
        } catch (IOException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            throw failed(e); // an msync's failure (Mappings.force) comes as an UncheckedIOException
        }
    }

    /** Removes every key. Each shard writes one record; the space is reclaimed by garbage collection. */
    public void clear() {
        ensureOpen();
        ensureWritable();
        rethrowBackgroundFailure();
        try {
            for (Shard s : shards) {
                s.clear();
            }
        } catch (IOException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            throw failed(e); // an msync's failure (Mappings.force) comes as an UncheckedIOException
        }
    }

    /**
     * Collects garbage now, on this thread: moves the live values out of every segment whose garbage
     * passed {@link StoreOptions#gcGarbageRatio}, and out of the segments with the most garbage while a
     * shard's values log is over {@link StoreOptions#gcSpaceTarget}, deletes those segments (and any
     * with nothing live), and rewrites keys logs that hold dead records. Waits for a background collection in progress.
     */
    public void compact() {
        ensureOpen();
        ensureWritable();
        try {
            gc.collect(true);
        } catch (IOException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            throw failed(e); // an msync's failure (Mappings.force) comes as an UncheckedIOException
        }
    }

    /**
     * Entries with {@code fromInclusive <= key < toExclusive} in unsigned lexicographic order; null
     * bounds are open. Close the iterator when done.
     */
    public ScanIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        ensureOpen();
        return new MergingScan(this, shards, fromInclusive, toExclusive);
    }

    /** Number of live keys, in constant time. */
    public long size() {
        ensureOpen();
        long n = 0;
        for (Shard s : shards) {
            n += s.size();
        }
        return n;
    }

    /** Forces every write made so far to the device, whatever the sync mode. */
    public void sync() {
        ensureOpen();
        ensureWritable();
        rethrowBackgroundFailure();
        try {
            for (Shard s : shards) {
                s.sync();
            }
        } catch (IOException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            throw failed(e); // an msync's failure (Mappings.force) comes as an UncheckedIOException
        }
    }

    public StoreStats stats() {
        ensureOpen();
        long keys = 0;
        long keysLog = 0;
        long valuesLog = 0;
        long buffer = 0;
        long index = 0;
        int segments = 0;
        boolean direct = true;
        long paced = 0;
        java.util.Map<String, Long> garbage = new java.util.HashMap<>();
        for (Shard s : shards) {
            for (Shard.SegmentUsage u : s.sealedSegments()) {
                garbage.put(u.name(), u.garbage());
            }
            Shard.ShardStats st = s.stats();
            keys += st.liveKeys();
            keysLog += st.keysLogBytes();
            valuesLog += st.valuesLogBytes();
            buffer += st.bufferBytes();
            index += st.indexBytes();
            segments += st.segments();
            direct &= st.directIo();
            paced += s.pacedNanos();
        }
        StoreStats.Gc gcStats = new StoreStats.Gc(gc.runs.get(), gc.segmentsReclaimed.get(), gc.bytesReclaimed.get(),
                gc.bytesWritten.get(), gc.keysLogCompactions.get(), gc.failures.get(), gc.lastError(), paced);
        return new StoreStats(shards.length, keys, keysLog, valuesLog, buffer, index, segments, options.syncMode(),
                direct, garbage, gcStats, new StoreStats.Sync(syncFailures.get(), lastSyncError, !lastSyncFailed,
                        writesStopped.get() != null));
    }

    /** The store's directory. */
    public Path directory() {
        return dir;
    }

    /** The options in force (a copy). The shard count is the store's own. */
    public StoreOptions options() {
        return options.copy();
    }

    /**
     * Stops garbage collection and the background sync, flushes each shard's buffer, forces and
     * releases the files, and unlocks the directory. A second call does nothing. After a failed force
     * ({@link StoreStats#writesStopped}) nothing is flushed or forced: the files are released, the
     * directory unlocked, and an {@link UncheckedIOException} says that writes since the last good force
     * may be lost.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        gc.close();
        if (syncer != null) {
            syncer.close();
        }
        IOException failure = null;
        for (Shard s : shards) {
            try {
                s.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            lock.close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        fileIoScope.close();
        if (failure != null) {
            throw Shard.unchecked(failure);
        }
    }

    /** Drops everything without flushing or forcing, as a kill -9 would leave it. For crash tests. */
    void abandon() throws IOException {
        closed = true;
        gc.close();
        if (syncer != null) {
            syncer.close();
        }
        for (Shard s : shards) {
            s.abandon();
        }
        lock.close();
        fileIoScope.close();
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    private void checkKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (key.length > options.maxKeySize()) {
            throw new IllegalArgumentException(
                    "key of " + key.length + " bytes exceeds maxKeySize " + options.maxKeySize());
        }
    }

    /** The shard {@code key} belongs to; package-private for tests. */
    Shard shardOf(byte[] key) {
        return shards[ShardRouter.shardOf(key, shards.length)];
    }

    /**
     * A failure of the {@code toykv-sync} thread. A failed write (a full disk: the segments are sparse,
     * so a chunk's write can get ENOSPC) changed nothing durable: the pending half stays in the buffer
     * and the next sync or write tries it again, so it is counted, logged, kept for the next foreground
     * write (which fails with it, as a write of its own would), and not fatal. A failed force
     * ({@link ForceFailedException}) cannot be retried safely, and an Error leaves the thread's state
     * unknown: those go to {@link StoreOptions#onBackgroundFailure} as well.
     */
    private void syncFailed(Throwable t) {
        if (ForceFailedException.isIn(t)) {
            lastSyncError = t.toString();
            lastSyncFailed = true;
            forceFailed(t);
            return;
        }
        if (t instanceof Error) {
            backgroundFailed(t);
            return;
        }
        syncFailures.incrementAndGet();
        lastSyncError = t.toString();
        lastSyncFailed = true;
        LOG.log(System.Logger.Level.WARNING, "background sync of " + dir + " failed; the next one tries again", t);
        backgroundFailure.compareAndSet(null, t);
    }

    /** A collector thread's Error or failed force (its other failures are retried and counted). */
    private void collectorFailed(Throwable t) {
        if (ForceFailedException.isIn(t)) {
            forceFailed(t);
        } else {
            backgroundFailed(t);
        }
    }

    /** A background thread's failure: kept for the next foreground call, and told to the options' handler now. */
    private void backgroundFailed(Throwable t) {
        LOG.log(System.Logger.Level.ERROR, Thread.currentThread().getName() + " of " + dir + " failed", t);
        backgroundFailure.compareAndSet(null, t);
        Consumer<Throwable> handler = options.onBackgroundFailure();
        if (handler != null) {
            handler.accept(t);
        }
    }

    /**
     * A foreground write's failure as the caller sees it; a failed force among its causes also stops
     * every later write ({@link #forceFailed}).
     */
    private UncheckedIOException failed(IOException e) {
        if (ForceFailedException.isIn(e)) {
            forceFailed(e);
        }
        return Shard.unchecked(e);
    }

    /** {@link #failed(IOException)} for an unchecked failure, which is rethrown as it is. */
    private RuntimeException failed(RuntimeException e) {
        if (ForceFailedException.isIn(e)) {
            forceFailed(e);
        }
        return e;
    }

    /**
     * A force failed, on any thread: what was written since the last good force is of unknown state on
     * the device, and forcing again may report success for pages the kernel dropped. So no later write
     * may be acknowledged: from now on every write, sync and compaction fails (reads go on), and the
     * options' handler is told once. Reopening recovers from what the device holds.
     */
    private void forceFailed(Throwable t) {
        if (writesStopped.compareAndSet(null, t)) {
            for (Shard s : shards) {
                s.stopWrites(t); // the collector and the sync thread stop too; each shard checks under its locks
            }
            backgroundFailed(t);
        }
    }

    private void ensureWritable() {
        Throwable t = writesStopped.get();
        if (t != null) {
            throw ForceFailedException.writesStopped(dir, t);
        }
    }

    private void rethrowBackgroundFailure() {
        // A plain read first: the common case (no failure) then costs no atomic write on every put.
        Throwable t = backgroundFailure.get() == null ? null : backgroundFailure.getAndSet(null);
        if (t != null) {
            throw new UncheckedIOException("a background sync or collection failed: " + t.getMessage(),
                    t instanceof IOException io ? io : new IOException(t));
        }
    }
}
