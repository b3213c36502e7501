/**
 * toykv's storage engine: keys and values kept apart (the WiscKey design), in independent shards.
 *
 * <p>The API is {@link io.toykv.core.Store} with {@link io.toykv.core.StoreOptions},
 * {@link io.toykv.core.SyncMode}, {@link io.toykv.core.Entry}, {@link io.toykv.core.ScanIterator},
 * {@link io.toykv.core.StoreStats} and {@link io.toykv.core.CorruptionException}. The subpackages are
 * internal and may change: {@code engine} (the shards, garbage collection, recovery at open), then
 * {@code log} (the files), {@code index} (the B+-tree) and {@code io} (file names, locks, native calls).
 *
 * <h2>Concurrency</h2>
 * A store is safe for any number of threads. Each shard has one write lock, taken by every write
 * (put, conditional put, delete, clear, a change of an expiry, the removal of expired keys) on that
 * shard only, so writers to different shards run in parallel, and a conditional put's check and write
 * are one step to every other writer. Get and scan take no lock:
 * the index is a B+-tree whose leaves readers validate with a per-leaf sequence lock (the writer changes
 * a leaf in place and publishes new leaves through their parent), value reads from the staging
 * buffer are validated with an optimistic stamp, and a segment being read holds a reference that keeps
 * it mapped. A key's expiry is kept beside the index ({@code engine.Expiries}), changed by the writer
 * after the index; a get reads it before and after the index and retries when the two differ.
 *
 * <p>Background threads, all daemons made by {@link io.toykv.core.io.BackgroundThreads}:
 * <ul>
 * <li>{@code toykv-flush-<shard>}, one per shard ({@code <shard>} is its directory's name): writes the
 * buffer's pending half to its segment with O_DIRECT and makes the next head segment ahead; started with
 * the shard's first flush, stopped by its close.
 * <li>{@code toykv-sync}: syncs every shard once a second, in {@code EVERY_SECOND} mode; in {@code ALWAYS}
 *     mode the same, after which it marks the commit journal covered (a checkpoint), and at once when the
 *     journal's ring is half used or a writer waits for room in it.
 * <li>{@code toykv-gc}, or {@code toykv-gc-<n>} when there are several: garbage collection, unless
 * {@code autoCompaction} is off; runs at a lowered CPU priority.
 * <li>{@code toykv-expiry}: removes expired keys that nobody touches, every 100 ms, at most 256 keys a
 * shard per hold of its write lock; unless {@code activeExpiry} is off.
 * <li>{@code toykv-open}: briefly at open, recovers the shards in parallel.
 * </ul>
 * Besides these, {@code toykv-kept-lock-channels} is a JVM shutdown hook (never started before exit)
 * that keeps reachable the lock channels {@code DirectoryLock} must never close.
 *
 * <p>Each shard's write lock guards its logs and index: the methods of the log and index classes that
 * say "writer only" are called with it held, and assert so once the shard is open. A force (sync) takes
 * the shard's sync lock, before the write lock and never while holding it.
 *
 * <h2>Durability</h2>
 * When put or delete returns, the write is in the page cache through shared memory mappings and survives
 * a kill -9 of the process. It survives a power loss once synced: at once in {@code ALWAYS} mode (one
 * force of the store's commit journal for every writer waiting, whatever its shard: group commit), within about a second in {@code EVERY_SECOND} mode (the default), at {@code sync()} or
 * {@code close()} otherwise. See {@code docs/FORMAT.md} for the write order and recovery.
 *
 * <h2>Exceptions</h2>
 * Misuse gets standard unchecked exceptions with a message: {@link java.lang.NullPointerException}
 * naming the argument, {@link java.lang.IllegalArgumentException} naming the limit exceeded,
 * {@link java.lang.IllegalStateException} ("store is closed") after close. {@code Store.open} throws
 * {@link java.io.IOException} (a {@link io.toykv.core.CorruptionException} when data is damaged); the
 * other methods wrap I/O failures in {@link java.io.UncheckedIOException} with the cause kept. A failed
 * put or delete wrote nothing that is visible, and the store keeps working once the cause (a full disk)
 * is gone. A failure of the background sync is logged and rethrown by the next put, delete or sync; a
 * failed write there (a full disk) is also counted in {@link io.toykv.core.StoreStats#syncFailures} and
 * retried by the next sync. A failed force ({@link io.toykv.core.io.ForceFailedException}: fsync,
 * fdatasync or msync), met by a writer's commit, {@code sync}, {@code compact}, a flusher, the collector
 * or the sync thread, stops every later write, sync and compaction (reads go on) until the store is
 * reopened: forcing again may report success for pages the kernel dropped, so nothing is forced again.
 * The shard that met it records it before releasing the lock it was met under, so a writer waiting for
 * that lock fails too rather than force again and be acknowledged; the store then stops every shard,
 * its collector and its sync thread, and {@code close} releases the files without forcing and throws
 * (writes since the last good force may be lost). A failure no background thread recovers from by
 * itself (a failed force, or an {@link java.lang.Error} in {@code toykv-sync}; an
 * {@link java.lang.Error} in {@code toykv-flush-N} or {@code toykv-gc}) is also told at once, on that
 * thread, to {@link io.toykv.core.StoreOptions#onBackgroundFailure} if set: a server ends the process
 * there rather than go on with a promise (everysec) that silently stopped holding.
 */
package io.toykv.core;
