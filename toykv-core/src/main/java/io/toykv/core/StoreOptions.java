package io.toykv.core;

import io.toykv.core.io.FileIo;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings for {@link Store#open(java.nio.file.Path, StoreOptions)}. Setters return {@code this} so
 * they chain; the store copies the options at open, so changing them later has no effect on it.
 *
 * <p>Each setter checks its argument and throws {@link IllegalArgumentException} naming the setting.
 * Settings that must agree with each other (a record must fit in the buffer, the buffer in a segment)
 * are checked at open.
 */
public final class StoreOptions {
    public static final int DEFAULT_SHARDS = 4;
    public static final int DEFAULT_MAX_KEY_SIZE = 1024;
    /** 512 MiB, Redis's limit for a string. */
    public static final int DEFAULT_MAX_VALUE_SIZE = 512 << 20;
    /**
     * 1 MiB: values up to it go through the staging buffer and share segments; longer ones are written
     * to a segment of their own ({@link #largeValueSize}), so the buffer and the segments keep their
     * sizes whatever {@link #maxValueSize} allows.
     */
    public static final int DEFAULT_LARGE_VALUE_SIZE = 1 << 20;
    /**
     * 1 MiB a half, and at least the largest record (so 1 MiB and 4 KiB at the default limits): the
     * buffer file holds two halves, about 2 MiB a shard, 8 MiB over the default four shards. The buffers
     * are a fixed cost on disk whatever the data (docs/benchmarks/embedded.md counts them in the disk
     * use); larger halves add to it without making puts faster.
     */
    public static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    /**
     * 8 MiB: smaller segments give the collector a finer choice (less write amplification for the same
     * space on the GC benchmark), larger ones mean fewer files, mappings and segment ids.
     */
    public static final long DEFAULT_SEGMENT_SIZE = 8L << 20;
    /** 1 MiB: keys files are allocated whole, so the last one's unused part is on disk too. */
    public static final int DEFAULT_KEYS_FILE_SIZE = 1 << 20;

    public static final double DEFAULT_GC_GARBAGE_RATIO = 0.5;
    /**
     * 1.36: the balance of space against write amplification that {@link #gcSpaceTarget} describes;
     * docs/benchmarks/gc.md gives both at this default.
     */
    public static final double DEFAULT_GC_SPACE_TARGET = 1.36;

    /** Largest key the on-disk records can describe (the key length is an unsigned 16-bit field). */
    public static final int MAX_KEY_SIZE_LIMIT = 0xFFFF;

    public static final int MAX_SHARDS = 256;
    /**
     * Background collector threads by default (fewer if the store has fewer shards): two, so that one
     * shard's round waiting on the device does not hold up another's: the collector keeps closer to its
     * space target and paces puts less, for a little more write amplification than one thread.
     */
    public static final int DEFAULT_GC_THREADS = 2;

    private Integer shards;
    private SyncMode syncMode = SyncMode.EVERY_SECOND;
    private int maxKeySize = DEFAULT_MAX_KEY_SIZE;
    private int maxValueSize = DEFAULT_MAX_VALUE_SIZE;
    private int largeValueSize = DEFAULT_LARGE_VALUE_SIZE;
    private Integer bufferSize;
    private Long segmentSize;
    private int keysFileSize = DEFAULT_KEYS_FILE_SIZE;
    private boolean directIo = true;
    private boolean autoCompaction = true;
    private double gcGarbageRatio = DEFAULT_GC_GARBAGE_RATIO;
    private double gcSpaceTarget = DEFAULT_GC_SPACE_TARGET;
    private int gcThreads = DEFAULT_GC_THREADS;
    private Consumer<Throwable> onBackgroundFailure;
    private java.time.Clock clock = java.time.Clock.systemUTC();
    private boolean activeExpiry = true;
    private FileIo fileIo = FileIo.REAL;
    /** Whether EVERY_SECOND runs its toykv-sync thread; off only in tests that sync themselves ({@link #backgroundSync}). */
    private boolean backgroundSync = true;

    /** Options with every default. */
    public static StoreOptions defaults() {
        return new StoreOptions();
    }

    public StoreOptions copy() {
        StoreOptions c = new StoreOptions();
        c.shards = shards;
        c.syncMode = syncMode;
        c.maxKeySize = maxKeySize;
        c.maxValueSize = maxValueSize;
        c.largeValueSize = largeValueSize;
        c.bufferSize = bufferSize;
        c.segmentSize = segmentSize;
        c.keysFileSize = keysFileSize;
        c.directIo = directIo;
        c.autoCompaction = autoCompaction;
        c.gcGarbageRatio = gcGarbageRatio;
        c.gcSpaceTarget = gcSpaceTarget;
        c.gcThreads = gcThreads;
        c.onBackgroundFailure = onBackgroundFailure;
        c.clock = clock;
        c.activeExpiry = activeExpiry;
        c.fileIo = fileIo;
        c.backgroundSync = backgroundSync;
        return c;
    }

    /**
     * Number of independent shards (1 to 256) for a new store; default 4. An existing store keeps the
     * count it was created with; asking for a different one fails the open.
     */
    public StoreOptions shards(int shards) {
        if (shards < 1 || shards > MAX_SHARDS) {
            throw new IllegalArgumentException("shards must be between 1 and " + MAX_SHARDS + ", was " + shards);
        }
        this.shards = shards;
        return this;
    }

    public StoreOptions syncMode(SyncMode syncMode) {
        this.syncMode = Objects.requireNonNull(syncMode, "syncMode");
        return this;
    }

    /** Largest accepted key in bytes (1 to 65535); default 1024. */
    public StoreOptions maxKeySize(int maxKeySize) {
        if (maxKeySize < 1 || maxKeySize > MAX_KEY_SIZE_LIMIT) {
            throw new IllegalArgumentException(
                    "maxKeySize must be between 1 and " + MAX_KEY_SIZE_LIMIT + ", was " + maxKeySize);
        }
        this.maxKeySize = maxKeySize;
        return this;
    }

    /**
     * Largest accepted value in bytes; default 512 MiB. Values longer than {@link #largeValueSize} do
     * not go through the buffer, so this limit does not size it.
     */
    public StoreOptions maxValueSize(int maxValueSize) {
        if (maxValueSize < 0) {
            throw new IllegalArgumentException("maxValueSize must not be negative, was " + maxValueSize);
        }
        this.maxValueSize = maxValueSize;
        return this;
    }

    /**
     * Longest value (in bytes, at least 0) that goes through the staging buffer; default 1 MiB. A
     * longer one is written whole, before its key record, to a segment of its own ({@code NNNNNNNN.v}
     * holding that one record, forced in every sync mode), which is deleted once no key points at it.
     * The record of a value of this length must fit in {@link #bufferSize}.
     */
    public StoreOptions largeValueSize(int largeValueSize) {
        if (largeValueSize < 0) {
            throw new IllegalArgumentException("largeValueSize must not be negative, was " + largeValueSize);
        }
        this.largeValueSize = largeValueSize;
        return this;
    }

    /**
     * Size of one half of the memory-mapped staging buffer per shard, a multiple of 4096: the most one
     * chunk written to a segment holds. The buffer file holds two halves (one takes puts while the other
     * is written to its segment) plus a 4 KiB header. Default 1 MiB, or enough for the largest record
     * that goes through the buffer (value + 8 bytes: records do not store their keys), that of the
     * smaller of {@link #maxValueSize} and {@link #largeValueSize}: 1 MiB and 4 KiB at the defaults.
     * An existing store keeps the size it was created with.
     */
    public StoreOptions bufferSize(int bufferSize) {
        if (bufferSize < 64 * 1024 || bufferSize % 4096 != 0) {
            throw new IllegalArgumentException(
                    "bufferSize must be a multiple of 4096 and at least 65536, was " + bufferSize);
        }
        this.bufferSize = bufferSize;
        return this;
    }

    /** Size of one values-log segment file, a multiple of 4096; default 8 MiB, or the buffer size if larger. */
    public StoreOptions segmentSize(long segmentSize) {
        if (segmentSize < 64 * 1024 || segmentSize % 4096 != 0 || segmentSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segmentSize must be a multiple of 4096 between 65536 and "
                    + Integer.MAX_VALUE + ", was " + segmentSize);
        }
        this.segmentSize = segmentSize;
        return this;
    }

    /** Size of one keys-log file, a multiple of 4096; default 1 MiB. */
    public StoreOptions keysFileSize(int keysFileSize) {
        if (keysFileSize < 64 * 1024 || keysFileSize % 4096 != 0) {
            throw new IllegalArgumentException(
                    "keysFileSize must be a multiple of 4096 and at least 65536, was " + keysFileSize);
        }
        this.keysFileSize = keysFileSize;
        return this;
    }

    /**
     * Whether values-log writes use O_DIRECT where the file system allows it; default true. Where it
     * refuses (tmpfs), the store falls back to buffered writes and logs one warning.
     */
    public StoreOptions directIo(boolean directIo) {
        this.directIo = directIo;
        return this;
    }

    /**
     * The clock that expiry times ({@link Store#put(byte[], byte[], long)}) are compared with: its
     * {@link java.time.Clock#millis()}; default the system's UTC clock. Tests set a clock they move by
     * hand. Expiry times are absolute, so a clock that goes back makes expired keys that were not
     * removed yet visible again.
     */
    public StoreOptions clock(java.time.Clock clock) {
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        return this;
    }

    public java.time.Clock clock() {
        return clock;
    }

    /**
     * Whether expired keys are removed in the background (the {@code toykv-expiry} thread; see
     * {@link Store#expireAt}); default true. Off, an expired key is still never returned or counted,
     * and is removed when a write touches it. For tests of the removal itself.
     */
    public StoreOptions activeExpiry(boolean activeExpiry) {
        this.activeExpiry = activeExpiry;
        return this;
    }

    public boolean activeExpiry() {
        return activeExpiry;
    }

    /**
     * Whether garbage collection runs by itself in the background ({@link #gcThreads} threads {@code toykv-gc}); default
     * true. {@link Store#compact()} works either way.
     */
    public StoreOptions autoCompaction(boolean autoCompaction) {
        this.autoCompaction = autoCompaction;
        return this;
    }

    /**
     * The share of a values-log segment that must be garbage before it is collected whatever the
     * space it takes, above 0 and at most 1; default 0.5. Lower reclaims space sooner and rewrites
     * more: collecting a segment that is a fraction g garbage writes (1 - g) / g bytes for each byte it
     * frees. {@link #gcSpaceTarget} also collects segments below it, most garbage first, while the
     * values log is over that target; to trade write amplification for space, lower the target rather
     * than the ratio (the target picks the cheapest segments to collect).
     */
    public StoreOptions gcGarbageRatio(double gcGarbageRatio) {
        if (!(gcGarbageRatio > 0 && gcGarbageRatio <= 1)) {
            throw new IllegalArgumentException("gcGarbageRatio must be above 0 and at most 1, was " + gcGarbageRatio);
        }
        this.gcGarbageRatio = gcGarbageRatio;
        return this;
    }

    /**
     * The bytes a shard's values log may take per byte of live value records before garbage collection
     * also takes segments whose garbage is below {@link #gcGarbageRatio}, most garbage first, until the
     * log is back under it; at least 1, default {@value #DEFAULT_GC_SPACE_TARGET};
     * {@code Double.POSITIVE_INFINITY} turns it off (only the ratio counts). Lower keeps less garbage on
     * disk and rewrites more. It bounds the values log only: the keys log (about 0.05 of the live data
     * for 8-byte keys and 256-byte values), the buffers (0.03 at the defaults) and the value records'
     * headers come on top, and under a heavy overwrite load the collector runs behind it.
     * docs/benchmarks/gc.md gives the space and the write amplification of the default on its
     * benchmark.
     */
    public StoreOptions gcSpaceTarget(double gcSpaceTarget) {
        if (!(gcSpaceTarget >= 1)) {
            throw new IllegalArgumentException("gcSpaceTarget must be at least 1, was " + gcSpaceTarget);
        }
        this.gcSpaceTarget = gcSpaceTarget;
        return this;
    }

    public double gcSpaceTarget() {
        return gcSpaceTarget;
    }

    /**
     * How many background threads collect garbage when {@link #autoCompaction} is on, 1 to
     * {@value #MAX_SHARDS}; default {@value #DEFAULT_GC_THREADS}. Each collects its own share of the
     * shards (no more threads than shards run), at a lower CPU priority than the writers (nice 10).
     * More keep up with heavier overwrite loads (less time paced, less space) at the cost of CPU and
     * of write amplification (they keep closer to {@link #gcSpaceTarget}, so they move more).
     */
    public StoreOptions gcThreads(int gcThreads) {
        if (gcThreads < 1 || gcThreads > MAX_SHARDS) {
            throw new IllegalArgumentException("gcThreads must be 1 to " + MAX_SHARDS + ", was " + gcThreads);
        }
        this.gcThreads = gcThreads;
        return this;
    }

    public int gcThreads() {
        return gcThreads;
    }

    /**
     * Told at once, on the failing thread, of a failure a background thread cannot recover from itself:
     * a failed force (fsync, fdatasync or msync of a segment, the buffer, a keys file or a directory: a
     * {@link io.toykv.core.io.ForceFailedException}, which cannot be retried safely; told once, on
     * whichever thread met it: a put's, delete's or clear's commit, {@code sync()}, {@code compact()}, a
     * flusher, the collector or the sync thread; the store then refuses every write, sync and compaction,
     * stops its collector and sync thread, and its {@code close()} throws, until it is reopened; see
     * {@link StoreStats#writesStopped}) or an {@link Error} in the once-a-second sync ({@code toykv-sync}), and
     * any {@link Error} (an {@code OutOfMemoryError}, say) in a flusher ({@code toykv-flush-N}) or
     * collector ({@code toykv-gc}) thread. A write of the sync that fails (a full disk) is not told: it
     * is counted ({@link StoreStats#syncFailures}), rethrown on the next write and retried by the next
     * sync. Default none: the store then keeps the failure and rethrows it on the next foreground call,
     * as it does in any case. A server passes a handler that logs and ends the process, so that a
     * promise such as everysec never silently stops holding. The handler must not block for long.
     * (Exceptions of a collection are retried by the collector and counted in {@link StoreStats}; an
     * exception of a flush other than a failed force is retried by the next write, which fails if it
     * fails again.)
     */
    public StoreOptions onBackgroundFailure(Consumer<Throwable> handler) {
        this.onBackgroundFailure = handler;
        return this;
    }

    /**
     * For tests of the store itself: the {@link FileIo} every write, force, creation, rename and unlink
     * of the store's files goes through; default {@link FileIo#REAL}, the file system. The power-loss
     * tests pass a simulated device here. Nothing else should set it.
     */
    public StoreOptions fileIo(FileIo fileIo) {
        this.fileIo = Objects.requireNonNull(fileIo, "fileIo");
        return this;
    }

    /**
     * For tests of the store itself: without the {@code toykv-sync} thread of {@link SyncMode#EVERY_SECOND}
     * the test calls {@link Store#sync()} where that thread's round would come, so that a run replays
     * the same. Package-private: tests reach it through their own helper in this package.
     */
    StoreOptions backgroundSync(boolean on) {
        this.backgroundSync = on;
        return this;
    }

    boolean backgroundSync() {
        return backgroundSync;
    }

    /** The {@link FileIo} set by {@link #fileIo(FileIo)}; {@link FileIo#REAL} unless a test set another. */
    public FileIo fileIo() {
        return fileIo;
    }

    /** The handler set by {@link #onBackgroundFailure(Consumer)}, or null. */
    public Consumer<Throwable> onBackgroundFailure() {
        return onBackgroundFailure;
    }

    public boolean autoCompaction() {
        return autoCompaction;
    }

    public double gcGarbageRatio() {
        return gcGarbageRatio;
    }

    /** The requested shard count, or the default when none was set. */
    public int shards() {
        return shards == null ? DEFAULT_SHARDS : shards;
    }

    /** Whether {@link #shards(int)} was called. */
    public boolean shardsSet() {
        return shards != null;
    }

    public SyncMode syncMode() {
        return syncMode;
    }

    public int maxKeySize() {
        return maxKeySize;
    }

    public int maxValueSize() {
        return maxValueSize;
    }

    public int largeValueSize() {
        return largeValueSize;
    }

    /** The longest value that goes through the staging buffer: the smaller of the two limits. */
    public int largestBufferedValue() {
        return Math.min(maxValueSize, largeValueSize);
    }

    public int bufferSize() {
        if (bufferSize != null) {
            return bufferSize;
        }
        long largestRecord = (long) io.toykv.core.log.ValueRecord.HEADER_SIZE + largestBufferedValue();
        return (int)
                Math.min(Integer.MAX_VALUE - 4095, Math.max(DEFAULT_BUFFER_SIZE, (largestRecord + 4095) / 4096 * 4096));
    }

    public long segmentSize() {
        return segmentSize != null ? segmentSize : Math.max(DEFAULT_SEGMENT_SIZE, bufferSize());
    }

    public int keysFileSize() {
        return keysFileSize;
    }

    public boolean directIo() {
        return directIo;
    }

    @Override
    public String toString() {
        return "StoreOptions[shards=" + shards() + ", syncMode=" + syncMode + ", maxKeySize=" + maxKeySize
                + ", maxValueSize=" + maxValueSize + ", largeValueSize=" + largeValueSize + ", bufferSize="
                + bufferSize() + ", segmentSize="
                + segmentSize() + ", keysFileSize=" + keysFileSize + ", directIo=" + directIo + ", autoCompaction="
                + autoCompaction
                + ", gcGarbageRatio=" + gcGarbageRatio + ", gcSpaceTarget=" + gcSpaceTarget + ", gcThreads=" + gcThreads
                + ", activeExpiry=" + activeExpiry + "]";
    }
}
