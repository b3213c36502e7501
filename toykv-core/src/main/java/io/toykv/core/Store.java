package io.toykv.core;

import io.toykv.core.engine.AtomicBatches;
import io.toykv.core.engine.BackgroundSyncer;
import io.toykv.core.engine.BatchCommits;
import io.toykv.core.engine.BatchOp;
import io.toykv.core.engine.CommitJournal;
import io.toykv.core.engine.ExpirySweeper;
import io.toykv.core.engine.GarbageCollector;
import io.toykv.core.engine.HalfWrittenBatchException;
import io.toykv.core.engine.IncompleteBatches;
import io.toykv.core.engine.JournalCheckpointer;
import io.toykv.core.engine.JournalReplay;
import io.toykv.core.engine.ReadFence;
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
import java.util.Arrays;
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
 *
 * <p><b>Keys</b> are byte arrays of 0 to {@link StoreOptions#maxKeySize} bytes: the empty key is a key.
 *
 * <p><b>Expiry.</b> A key may carry an expiry time: an absolute time in milliseconds since the epoch,
 * compared with {@link StoreOptions#clock}. Once the clock reaches it the key is absent to every call
 * ({@link #get}, {@link #scan}, {@link #size}, {@link #expiry}, the conditions of
 * {@link #putIfAbsent} and {@link #putIfPresent}, and the result of {@link #delete}), and it is
 * removed (its index entry at once, its value's space by garbage collection) by the next write that
 * touches it or by the {@code toykv-expiry} thread, which removes each expired key within about
 * {@value io.toykv.core.engine.ExpirySweeper#INTERVAL_MILLIS} ms plus the time to remove the keys of
 * its shard that expired before it, {@value io.toykv.core.engine.ExpirySweeper#ROUND_KEYS} per round.
 * Every write that sets, changes or removes an expiry is durable as a put is (a kill -9 at once; a
 * power loss in {@link SyncMode#ALWAYS} once it returned). These follow Redis: {@link #put(byte[],
 * byte[])} removes the key's expiry (SET), {@link #KEEP_EXPIRY} keeps it (SET KEEPTTL), a put or
 * {@link #expireAt} with a time that has passed deletes the key.
 *
 * <p><b>Versions</b> ({@link #version}) tell whether a key may have changed since a point, for the
 * server's WATCH.
 *
 * <p><b>Atomic batches</b> ({@link #apply}) change keys in any shards all or nothing, for crashes and for
 * readers alike.
 */
public final class Store implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Store.class.getName());

    /** {@link #expiry} of a key that is present and has no expiry; as {@code expireAtMillis} of a put, none. */
    public static final long NO_EXPIRY = -1;
    /** {@link #expiry} of a key that is absent (or expired). */
    public static final long NO_KEY = -2;
    /** As {@code expireAtMillis} of a put: the key keeps the expiry it has (none if it was absent). */
    public static final long KEEP_EXPIRY = -3;

    private final Path dir;
    private final StoreOptions options;
    /** The id in the store manifest, which {@link #clear} rewrites. */
    private final long storeId;
    /** Held by {@link #clear} from its mark to its mark's removal, so that two clears never interleave. */
    private final Object clearLock = new Object();

    private final DirectoryLock lock;
    /** Routes the store's file changes to {@link StoreOptions#fileIo()}; released last at close. */
    private final FileIo.Installed fileIoScope;

    private final Shard[] shards;
    private final BatchCommits commits;
    private final ReadFence fence = new ReadFence();
    private final AtomicBatches batches;
    private final BackgroundSyncer syncer;
    /** {@link SyncMode#ALWAYS} only: the commit journal and the thread that checkpoints it; else null. */
    private final CommitJournal journal;

    private final JournalCheckpointer checkpointer;
    private final GarbageCollector gc;
    /** Null when {@link StoreOptions#activeExpiry} is off. */
    private final ExpirySweeper sweeper;

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

    private Store(
            Path dir,
            StoreOptions options,
            long storeId,
            DirectoryLock lock,
            FileIo.Installed fileIoScope,
            Shard[] shards,
            BatchCommits commits,
            CommitJournal journal) {
        this.dir = dir;
        this.options = options;
        this.storeId = storeId;
        this.lock = lock;
        this.fileIoScope = fileIoScope;
        this.shards = shards;
        this.commits = commits;
        this.batches = new AtomicBatches(shards, commits, fence);
        this.syncer = options.syncMode() == SyncMode.EVERY_SECOND && options.backgroundSync()
                ? new BackgroundSyncer(shards, this::syncFailed, commits::settleTarget, this::syncedEverySecond)
                : null;
        this.journal = journal;
        this.checkpointer = journal == null
                ? null
                : new JournalCheckpointer(shards, journal, this::syncFailed, () -> lastSyncFailed = false);
        this.gc = new GarbageCollector(
                shards,
                options.gcGarbageRatio(),
                options.gcSpaceTarget(),
                options.keysFileSize(),
                options.segmentSize(),
                options.autoCompaction() ? options.gcThreads() : 0,
                this::collectorFailed);
        this.sweeper = options.activeExpiry() ? new ExpirySweeper(shards, this::sweeperFailed) : null;
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
        BatchCommits commits = null;
        CommitJournal journal = null;
        try {
            StoreManifest.Contents stored = StoreManifest.read(dir);
            ShardManifest[] identities;
            if (stored == null) {
                identities = ShardManifest.forNewStore(dir, opts.shards());
            } else if (opts.shardsSet() && stored.shards() != opts.shards()) {
                throw new IllegalArgumentException("store " + dir + " has " + stored.shards()
                        + " shards; options ask for " + opts.shards() + " (changing the shard count is not supported)");
            } else {
                opts.shards(stored.shards());
                identities = ShardManifest.forExistingStore(dir, stored);
            }
            // Before the shards: their replay applies only the atomic batches it names. Only a store
            // older than the first version with the file may lack it (it is made before that version is
            // written, at creation and at the upgrade).
            commits = BatchCommits.open(dir, stored == null || stored.version() < StoreManifest.FIRST_WITH_BATCHES);
            BatchCommits committed = commits;
            // Stores of format 8 and older were written by builds that skipped a part without a commit
            // record and went on writing after it: their logs are not cut there (IncompleteBatches).
            boolean cutUncommitted = stored == null || stored.version() >= StoreManifest.FIRST_WITH_CUTS;
            shards = openShards(dir, opts, allocator, io, identities, committed, cutUncommitted);
            // The shards forced what they replayed; the commit records of the batches they applied may
            // be in the page cache only (a killed process): nothing decided from them may rest on them.
            committed.force();
            Shard[] opened = shards;
            BatchCommits.IoAction settler = () -> committed.settle(() -> {
                for (Shard s : opened) {
                    s.sync();
                }
            });
            for (Shard shard : opened) {
                shard.settleBatchesWith(settler);
            }
            // The batches this open applied, and those an earlier process left unsettled, are settled
            // before any write: a later open never cuts a log at a part this one accepted.
            settler.run();
            for (Shard shard : opened) {
                if (shard.rewriteAtOpen()) {
                    // After the settle (the rewrite folds committed parts into plain records) and before
                    // any write: the records the open left out must not stay in front of new ones.
                    shard.compactKeysLog();
                }
            }
            if (stored != null && stored.version() < StoreManifest.VERSION) {
                // After the shards opened, and before the journal's replacement and the store's start:
                // the journal of the current layout, the collector and the puts write what an older
                // build cannot read. A crash between this and the journal's replacement leaves a store
                // of this format with a journal of the older layout, which this build reads and an
                // older one refuses by the manifest. (An open that fails before this leaves the manifest
                // as it was; the shards it opened may have replaced their version 1 buffers already,
                // which this build reads and a build of version 2 or older refuses.)
                StoreManifest.write(dir, stored.shards(), identities[0].storeId());
                LOG.log(
                        System.Logger.Level.INFO,
                        "upgraded " + dir + " from store format version " + stored.version() + " to "
                                + StoreManifest.VERSION);
            }
            journal = openJournal(dir, opts, shards);
            if (stored == null) {
                // The last step of a creation: every shard directory holds its files and its shard
                // manifest, durably. A crash before this leaves no store manifest and shard directories
                // without a key record, which the next open takes for a creation to finish.
                StoreManifest.write(dir, opts.shards(), identities[0].storeId());
            } else if (stored.clearing()) {
                // A clear was cut short: some shards may hold their keys still. Finished after the
                // journal's replay and before the store starts, so no reader sees them.
                clearShards(shards);
                StoreManifest.write(dir, stored.shards(), identities[0].storeId(), false);
                LOG.log(System.Logger.Level.INFO, "finished the clear of " + dir + " that a crash cut short");
            }
            Store store = new Store(dir, opts, identities[0].storeId(), lock, fileIoScope, shards, commits, journal);
            LOG.log(System.Logger.Level.DEBUG, "opened " + dir + " with " + store.size() + " keys");
            return store;
        } catch (IOException | RuntimeException e) {
            if (shards != null) {
                for (Shard shard : shards) {
                    if (shard == null) {
                        continue; // an incomplete batch's shard whose reopen failed
                    }
                    try {
                        shard.close();
                    } catch (IOException | RuntimeException again) {
                        e.addSuppressed(again);
                    }
                }
            }
            for (AutoCloseable file : new AutoCloseable[] {commits, journal}) {
                if (file != null) {
                    try {
                        file.close();
                    } catch (Exception again) {
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

    /**
     * Replays the commit journal, if the store has one, into the opened shards (a store last opened in
     * {@link SyncMode#ALWAYS} mode); in that mode returns the journal, created if missing and attached to
     * the shards, else closes it and returns null. A ring too small for the options' largest record, or of
     * an older layout, is replaced, once replayed, by one of the current layout large enough.
     */
    private static CommitJournal openJournal(Path dir, StoreOptions opts, Shard[] shards) throws IOException {
        boolean always = opts.syncMode() == SyncMode.ALWAYS;
        // Large values are never copied into the journal (their segments are their redo): its largest
        // record holds the largest value the buffer takes.
        long maxRecord = CommitJournal.RECORD_HEADER + (long) opts.maxKeySize() + opts.largestBufferedValue();
        CommitJournal journal = CommitJournal.open(dir, maxRecord, opts.bufferSize(), always);
        if (journal == null) {
            return null;
        }
        try {
            // A ring too small for the options, or of the older layout (both header slots in one
            // sector), is replaced once replayed: the replacement covers every record, so the replay
            // writes no header into the file it leaves.
            boolean replace = always && (journal.tooSmallFor(maxRecord) || journal.olderLayout());
            int replayed = JournalReplay.replay(journal, shards, !replace);
            if (replayed > 0) {
                LOG.log(System.Logger.Level.INFO, "replayed " + replayed + " commit journal records into " + dir);
            }
            if (!always) {
                journal.close();
                return null;
            }
            if (replace) {
                journal.close();
                journal = CommitJournal.replace(dir, maxRecord, opts.bufferSize());
            }
            for (int i = 0; i < shards.length; i++) {
                shards[i].useJournal(journal, i);
            }
            return journal;
        } catch (IOException | RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    /** Appended to the message of a {@link CorruptionException} that fails the open. */
    static final String REPAIR_HINT = " (the store was not opened; the repair tool, bin/toykv-repair, copies what is"
            + " readable into a new store and reports what was lost)";

    private static void checkOptions(StoreOptions o) {
        int largest = ValueRecord.size(o.largestBufferedValue());
        if (largest > o.bufferSize()) {
            throw new IllegalArgumentException("a record of the largest value the buffer takes (maxValueSize "
                    + o.maxValueSize() + ", largeValueSize " + o.largeValueSize() + ") takes " + largest
                    + " bytes and must fit in bufferSize " + o.bufferSize());
        }
        if (o.bufferSize() > o.segmentSize()) {
            throw new IllegalArgumentException(
                    "bufferSize " + o.bufferSize() + " must not exceed segmentSize " + o.segmentSize());
        }
    }

    /**
     * Opens the shards in parallel: each replays its keys log, then the batches found incomplete are
     * aborted ({@link IncompleteBatches}), then each builds its index without them. If any fails,
     * closes the others and throws the first failure.
     */
    private static Shard[] openShards(
            Path dir,
            StoreOptions opts,
            FileAllocator allocator,
            DirectIo io,
            ShardManifest[] identities,
            BatchCommits commits,
            boolean cutUncommitted)
            throws IOException {
        int n = opts.shards();
        int threads = Math.min(n, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, BackgroundThreads.named("toykv-open"));
        List<Shard.Recovering> recovering = new ArrayList<>();
        try {
            recovering.addAll(onEveryShard(
                    pool,
                    n,
                    id -> Shard.recover(
                            FileNames.shardDir(dir, id), opts, io, allocator, identities[id], commits::committed),
                    Shard.Recovering::close));
            long[] aborted = IncompleteBatches.abort(commits, recovering, cutUncommitted);
            List<Shard.Recovering> finishing = List.copyOf(recovering);
            recovering.clear(); // a finish that fails releases its own files
            return onEveryShard(
                            pool,
                            n,
                            id -> finishing.get(id).finish(b -> Arrays.binarySearch(aborted, b) >= 0),
                            Shard::close)
                    .toArray(new Shard[0]);
        } catch (IOException | RuntimeException e) {
            for (Shard.Recovering r : recovering) {
                try {
                    r.close();
                } catch (IOException | RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        } finally {
            pool.shutdown();
        }
    }

    /** A step of the open for one shard. */
    private interface ShardStep<T> {
        T run(int shard) throws IOException;
    }

    /** Releases what a step returned, when another shard's step failed. */
    private interface Release<T> {
        void release(T t) throws IOException;
    }

    /**
     * Runs {@code step} for every shard on {@code pool}; if any fails, releases what the others returned
     * and throws the first failure.
     */
    private static <T> List<T> onEveryShard(ExecutorService pool, int n, ShardStep<T> step, Release<T> release)
            throws IOException {
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            futures.add(pool.submit(() -> step.run(id)));
        }
        List<T> done = new ArrayList<>();
        Throwable failure = null;
        for (int i = 0; i < n; i++) {
            try {
                done.add(futures.get(i).get());
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? new IOException("interrupted while opening the shards") : failure;
            }
        }
        if (failure == null) {
            return done;
        }
        for (T t : done) {
            try {
                release.release(t);
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        throw new IOException(failure);
    }
    /**
     * Sets {@code key} to {@code value}, without an expiry (one the key had is removed, as Redis SET
     * does). When this returns the write survives a kill -9 of the process;
     * with {@link SyncMode#ALWAYS} it also survives a power loss.
     *
     * @throws IllegalArgumentException the key is longer than maxKeySize (the empty key is valid), or the value is
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

    /**
     * Sets {@code key} to {@code value} with an expiry: {@code expireAtMillis} is the time (milliseconds
     * since the epoch, by {@link StoreOptions#clock}) at which the key expires, or {@link #NO_EXPIRY}, or
     * {@link #KEEP_EXPIRY} to keep the key's expiry. A time that has already passed deletes the key (a
     * put of an absent key then writes nothing). Durable as {@link #put(byte[], byte[])} is.
     *
     * @throws IllegalArgumentException as {@link #put(byte[], byte[])}, or {@code expireAtMillis} is 0 or
     *     a negative value other than the constants
     */
    public void put(byte[] key, byte[] value, long expireAtMillis) {
        write(key, value, expireAtMillis, Write.PUT);
    }

    /**
     * Puts only if {@code key} is absent (or expired), atomically with respect to every other write
     * (the server's SET NX). Returns whether it put. {@code expireAtMillis} as for
     * {@link #put(byte[], byte[], long)}.
     */
    public boolean putIfAbsent(byte[] key, byte[] value, long expireAtMillis) {
        return write(key, value, expireAtMillis, Write.IF_ABSENT);
    }

    /**
     * Puts only if {@code key} is present (and not expired), atomically with respect to every other
     * write (the server's SET XX). Returns whether it put. {@code expireAtMillis} as for
     * {@link #put(byte[], byte[], long)}; {@link #KEEP_EXPIRY} gives SET XX KEEPTTL.
     */
    public boolean putIfPresent(byte[] key, byte[] value, long expireAtMillis) {
        return write(key, value, expireAtMillis, Write.IF_PRESENT);
    }

    private enum Write {
        PUT,
        IF_ABSENT,
        IF_PRESENT
    }

    private boolean write(byte[] key, byte[] value, long expireAtMillis, Write how) {
        checkKey(key); // before the value: a null key is named first, as put(key, value) does
        Objects.requireNonNull(value, "value");
        if (value.length > options.maxValueSize()) {
            throw new IllegalArgumentException(
                    "value of " + value.length + " bytes exceeds maxValueSize " + options.maxValueSize());
        }
        long at = engineExpiry(expireAtMillis);
        return writeTo(key, shard -> {
            switch (how) {
                case IF_ABSENT:
                    return shard.putIfAbsent(key, value, at);
                case IF_PRESENT:
                    return shard.putIfPresent(key, value, at);
                default:
                    shard.put(key, value, at);
                    return true;
            }
        });
    }

    /** A write to one shard that answers yes or no. */
    @FunctionalInterface
    private interface ShardWrite {
        boolean apply(Shard shard) throws IOException;
    }

    /** Runs {@code write} on the shard of {@code key} (checked) with the checks and failure handling of every write. */
    private boolean writeTo(byte[] key, ShardWrite write) {
        checkKey(key);
        ensureOpen();
        ensureWritable();
        rethrowBackgroundFailure();
        try {
            return write.apply(shardOf(key));
        } catch (IOException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            throw failed(e); // an msync's failure (Mappings.force) comes as an UncheckedIOException
        }
    }

    /** The engine's form of a put's {@code expireAtMillis}: 0 for none, {@link Shard#KEEP_EXPIRY}, or the time. */
    static long engineExpiry(long expireAtMillis) {
        if (expireAtMillis == NO_EXPIRY) {
            return 0;
        }
        if (expireAtMillis == KEEP_EXPIRY) {
            return Shard.KEEP_EXPIRY;
        }
        if (expireAtMillis <= 0) {
            throw new IllegalArgumentException("expireAtMillis must be a time after the epoch, NO_EXPIRY or"
                    + " KEEP_EXPIRY, was " + expireAtMillis);
        }
        return expireAtMillis;
    }

    /**
     * Sets the expiry of {@code key} to {@code expireAtMillis} (milliseconds since the epoch) without
     * rewriting its value (Redis PEXPIREAT). A time that has passed (0 or negative included) deletes the
     * key. Returns false, writing nothing, if the key is absent or expired. Durable as a put is.
     */
    public boolean expireAt(byte[] key, long expireAtMillis) {
        // The engine's 0 means "none": a time at or before the epoch has passed whatever the clock says.
        return writeTo(key, shard -> shard.setExpiry(key, Math.max(1, expireAtMillis)));
    }

    /**
     * Removes the expiry of {@code key} without rewriting its value (Redis PERSIST). Returns whether it
     * had one (false, writing nothing, if it had none or is absent). Durable as a put is.
     */
    public boolean persist(byte[] key) {
        return writeTo(key, shard -> shard.setExpiry(key, 0));
    }

    /**
     * When {@code key} expires, in milliseconds since the epoch (Redis PEXPIRETIME); {@link #NO_EXPIRY}
     * if it is present without an expiry, {@link #NO_KEY} if it is absent or expired. Lock-free.
     */
    public long expiry(byte[] key) {
        checkKey(key);
        ensureOpen();
        long at = shardOf(key).expiry(key);
        return at < 0 ? NO_KEY : at == 0 ? NO_EXPIRY : at;
    }

    /**
     * A number that changes whenever {@code key} changes: a put (conditional or not), a delete, a
     * {@link #clear}, a change or removal of its expiry, and its expiry passing (an expired key is
     * removed by this call if nothing removed it yet, so that its version shows it). A version that is
     * the same as at an earlier call proves the key did not change in between (the server's WATCH); a
     * different one usually means it did, but can also come from a change of another key (one in
     * about 4096 of the keys of its shard shares its counter). Versions are meaningful only while the
     * store stays open.
     */
    public long version(byte[] key) {
        checkKey(key);
        ensureOpen();
        try {
            return shardOf(key).version(key);
        } catch (IOException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            throw failed(e); // an msync's failure (Mappings.force) comes as an UncheckedIOException
        }
    }

    /** The value of {@code key}, or null when absent (or expired). Never shows part of an atomic batch ({@link #apply}). */
    public byte[] get(byte[] key) {
        checkKey(key);
        ensureOpen();
        Shard shard = shardOf(key);
        try {
            while (true) {
                long stamp = fence.stamp();
                byte[] value = shard.get(key);
                if (fence.unchanged(stamp)) {
                    return value;
                }
            }
        } catch (IOException e) {
            throw Shard.unchecked(e);
        }
    }

    /**
     * Applies {@code batch}: its puts, deletes and expiry changes, in any shards, in the order it lists
     * them (a later change of a key sees the earlier ones), all or nothing. When this returns the batch
     * is visible whole and survives a kill -9. Against a power loss it is as durable as a put in the
     * store's sync mode: in {@link SyncMode#ALWAYS} it is on the device when this returns (the batch
     * forces the logs of its shards and its commit record); in {@link SyncMode#EVERY_SECOND} the next
     * sync of the background thread makes it durable (about the last second can be lost); in
     * {@link SyncMode#NEVER}, {@link #sync()} or {@link #close()} does.
     *
     * <p>Crashes: after a kill -9 or a power loss, a batch is wholly present or wholly absent, never in
     * part: without forces its commit record counts its parts, and the open applies it only if that
     * record and every part reached the disk. An open that drops a batch also leaves out every record its
     * shards wrote after it (they may depend on it, as an expiry sweep of an expiry it set does); none of
     * them had been synced: every sync, and whatever relies on a sync, settles the batches first (every
     * shard forced, then a mark in the commit file).
     *
     * <p>Readers: {@link #get} never sees part of a batch: once it returns one change of a batch, every
     * later {@code get} (on any thread that saw that result) sees all of them; {@link #getAll} reads
     * several keys so that each batch shows in all of them or none. A {@link #scan} sees each
     * key as a get at the moment it reaches it: a batch applied while a scan runs may show in the keys
     * the scan reaches after it and not in those it passed before, as any write does. {@link #size}
     * and {@link #version} are not fenced. Writers of the batch's keys wait for it.
     *
     * <p>Conditions (put-if-absent and the like) are not part of a batch: a caller that needs them, as
     * the server's EXEC does, decides them while it keeps other writers of those keys out, and a batch
     * holds the outcome.
     *
     * @throws IllegalArgumentException a key or value is too long ({@link #put}), an expiry is invalid,
     *     or the batch's changes in one shard take more than one record (65535 bytes of keys and about
     *     23 bytes per change): split the batch
     * @throws UncheckedIOException a write or force failed; the batch is absent, unless the failure came
     *     after a part was written: then the store refuses every write until a reopen, which keeps the
     *     batch whole or drops it (the same after a failed force)
     */
    public void apply(WriteBatch batch) {
        Objects.requireNonNull(batch, "batch");
        List<BatchOp> ops = batch.ops();
        for (BatchOp op : ops) {
            checkKey(op.key());
            if (op.value() != null && op.value().length > options.maxValueSize()) {
                throw new IllegalArgumentException(
                        "value of " + op.value().length + " bytes exceeds maxValueSize " + options.maxValueSize());
            }
        }
        ensureOpen();
        ensureWritable();
        rethrowBackgroundFailure();
        if (ops.isEmpty()) {
            return;
        }
        try {
            batches.apply(ops);
        } catch (HalfWrittenBatchException e) {
            forceFailed(e); // every later write refused until a reopen decides the batch
            throw Shard.unchecked(e);
        } catch (Error e) {
            HalfWrittenBatchException half = batches.halfWritten();
            if (half != null) {
                forceFailed(half);
            }
            throw e;
        } catch (IOException e) {
            throw failed(e);
        } catch (IllegalArgumentException e) {
            throw e; // a batch too large for one record: nothing written
        } catch (RuntimeException e) {
            throw failed(e); // an msync's failure (Mappings.force) comes as an UncheckedIOException
        }
    }

    /**
     * The values of {@code keys} (null where absent or expired), read together: every atomic batch
     * ({@link #apply}) shows in all of them or in none (the server's MGET, or reads of keys one EXEC
     * wrote). Plain writes of single keys may land between the reads, as with separate gets.
     */
    public byte[][] getAll(byte[]... keys) {
        Objects.requireNonNull(keys, "keys");
        for (byte[] key : keys) {
            checkKey(key);
        }
        ensureOpen();
        byte[][] values = new byte[keys.length][];
        try {
            while (true) {
                long stamp = fence.stamp();
                for (int i = 0; i < keys.length; i++) {
                    values[i] = shardOf(keys[i]).get(keys[i]);
                }
                if (fence.unchanged(stamp)) {
                    return values;
                }
            }
        } catch (IOException e) {
            throw Shard.unchecked(e);
        }
    }

    /** Removes {@code key}; returns whether it was present (an expired key was not, but is removed too). */
    public boolean delete(byte[] key) {
        return writeTo(key, shard -> shard.delete(key));
    }

    /**
     * Removes every key. Each shard writes one record; the space is reclaimed by garbage collection.
     * All or nothing for crashes: a kill -9 or a power loss while it runs leaves every key or none (the
     * next open finishes a clear that had begun), and once it returns the clear is durable in every sync
     * mode. Readers may see it shard by shard while it runs; a write of another thread that runs at the
     * same time may land before or after it, and, if the process dies before the clear returns, may be
     * removed by the open that finishes it.
     *
     * <p>Protocol: the store manifest is rewritten with {@link StoreManifest#CLEARING} (durably), each
     * shard appends its CLEAR record, every shard is forced, and the manifest is rewritten without the
     * flag (durably). An open that finds the flag clears and forces every shard, then removes it. So a
     * failure of any kind once the flag is durable, and before it is removed, stops every later write
     * (as a failed force does, {@link StoreStats#writesStopped}): the next open clears the store, and
     * would remove a write acknowledged in between.
     */
    public void clear() {
        ensureOpen();
        ensureWritable();
        rethrowBackgroundFailure();
        boolean marked = false;
        try {
            synchronized (clearLock) {
                StoreManifest.write(dir, shards.length, storeId, true);
                marked = true;
                long settleTarget = commits.settleTarget(); // before the CLEARs: every batch they follow
                clearShards(shards);
                // Settled before the flag goes: a batch a power loss could still drop would take each
                // shard's records after its part, the CLEAR among them (IncompleteBatches).
                commits.synced(settleTarget);
                StoreManifest.write(dir, shards.length, storeId, false);
                marked = false;
            }
        } catch (IOException e) {
            if (marked) {
                forceFailed(e);
            }
            throw failed(e);
        } catch (RuntimeException e) {
            if (marked) {
                forceFailed(e);
            }
            throw failed(e); // an msync's failure (Mappings.force) comes as an UncheckedIOException
        }
    }

    /** Appends a CLEAR record to every shard, then forces every shard: the middle of {@link #clear}'s protocol. */
    private static void clearShards(Shard[] shards) throws IOException {
        for (Shard s : shards) {
            s.clear();
        }
        for (Shard s : shards) {
            s.sync();
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

    /**
     * Number of live keys: in constant time, less the time to count the expired keys not yet removed
     * (which the {@code toykv-expiry} thread keeps few).
     */
    public long size() {
        ensureOpen();
        long n = 0;
        for (Shard s : shards) {
            n += s.size();
        }
        return n;
    }

    /**
     * Number of live keys that have an expiry (Redis INFO keyspace's {@code expires}): like
     * {@link #size}, expired keys not yet removed are not counted.
     */
    public long expiringKeys() {
        ensureOpen();
        long n = 0;
        for (Shard s : shards) {
            n += s.liveExpiringKeys();
        }
        return n;
    }

    /** Forces every write made so far to the device, whatever the sync mode. */
    public void sync() {
        ensureOpen();
        ensureWritable();
        rethrowBackgroundFailure();
        try {
            long settleTarget = commits.settleTarget(); // before the shards: what their syncs cover
            for (Shard s : shards) {
                s.sync();
            }
            // After the shards: the batches committed before they were synced are whole on disk, settled.
            commits.synced(settleTarget);
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
        StoreStats.Gc gcStats = new StoreStats.Gc(
                gc.runs.get(),
                gc.segmentsReclaimed.get(),
                gc.bytesReclaimed.get(),
                gc.bytesWritten.get(),
                gc.keysLogCompactions.get(),
                gc.failures.get(),
                gc.lastError(),
                paced);
        return new StoreStats(
                shards.length,
                keys,
                keysLog,
                valuesLog,
                buffer,
                index,
                segments,
                options.syncMode(),
                direct,
                garbage,
                gcStats,
                new StoreStats.Sync(syncFailures.get(), lastSyncError, !lastSyncFailed, writesStopped.get() != null));
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
        if (sweeper != null) {
            sweeper.close();
        }
        gc.close();
        if (syncer != null) {
            syncer.close();
        }
        if (checkpointer != null) {
            checkpointer.close();
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
            if (failure == null && writesStopped.get() == null) {
                commits.force();
            }
            commits.close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        if (journal != null) {
            try {
                // Every shard closed forced: nothing in the journal needs replaying, and the header says so.
                journal.close(failure == null && writesStopped.get() == null);
            } catch (IOException e) {
                failure = failure == null ? e : failure;
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

    /**
     * After a round of the {@code toykv-sync} thread that synced every shard: the batch commits too, and
     * the batches committed before the round began ({@code settleTarget}) are settled.
     */
    private void syncedEverySecond(long settleTarget) {
        try {
            commits.synced(settleTarget);
            lastSyncFailed = false;
        } catch (IOException | RuntimeException e) {
            syncFailed(e);
        }
    }

    /** Drops everything without flushing or forcing, as a kill -9 would leave it. For crash tests. */
    void abandon() throws IOException {
        closed = true;
        if (sweeper != null) {
            sweeper.close();
        }
        gc.close();
        if (syncer != null) {
            syncer.close();
        }
        if (checkpointer != null) {
            checkpointer.close();
        }
        for (Shard s : shards) {
            s.abandon();
        }
        commits.close();
        if (journal != null) {
            journal.close();
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
        Objects.requireNonNull(key, "key"); // the empty key is a key like any other
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

    /**
     * A failure of the {@code toykv-expiry} thread: a failed force or an Error as the collector's; any
     * other (a full disk) is logged, and the next round tries again.
     */
    private void sweeperFailed(Throwable t) {
        if (ForceFailedException.isIn(t) || t instanceof Error) {
            collectorFailed(t);
        } else {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "removing expired keys of " + dir + " failed; the next round tries again",
                    t);
        }
    }

    /** Keys the shards' indexes hold, expired ones not yet removed included. For tests. */
    long indexedKeys() {
        long n = 0;
        for (Shard s : shards) {
            n += s.indexedKeys();
        }
        return n;
    }

    /** Runs one round of the {@code toykv-expiry} thread's work on every shard, on this thread; returns the keys removed. For tests. */
    long expireDue(int max) {
        long n = 0;
        for (Shard s : shards) {
            try {
                n += s.expireDue(max);
            } catch (IOException e) {
                throw failed(e);
            }
        }
        return n;
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
            if (journal != null) {
                journal.fail(t); // no later group commit; writers waiting for one fail
            }
            backgroundFailed(t);
        }
    }

    /**
     * Stops every later write, sync and compaction as a failed force does ({@link #forceFailed}), for
     * {@code cause}: a change that spans this store and others failed half done, and the next open
     * finishes it, over anything this store would acknowledge in between. Reopening recovers.
     */
    void stopWrites(Throwable cause) {
        forceFailed(cause);
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
            throw new UncheckedIOException(
                    "a background sync or collection failed: " + t.getMessage(),
                    t instanceof IOException io ? io : new IOException(t));
        }
    }
}
