package io.toykv.core.engine;

import io.toykv.core.io.BackgroundThreads;
import io.toykv.core.io.ForceFailedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reclaims space: values-log segments whose garbage passed the threshold, or, while a shard's values
 * log takes more than the space target per live byte, those with the most garbage, have their live values moved
 * into a new segment of their own ({@link io.toykv.core.log.SegmentBuilder}, not the head: moved values
 * are colder than fresh writes, and mixing the two leaves segments half live) and are then deleted;
 * keys logs larger than twice their rewritten size are rewritten, the live keys packed into
 * BATCH records. Runs on its own threads, {@code toykv-gc-N} ({@code toykv-gc} when there is one),
 * when automatic collection is on, each over its own share of the shards (it looks every
 * {@value #WRITING_INTERVAL_MILLIS} ms while they are written to, once a second when they are not),
 * and on the caller's thread for {@link io.toykv.core.Store#compact()}; one collection at a time on each shard.
 *
 * <p>Order, at every step crash-safe: write the new segment whole (temp file, force, rename, directory
 * force), then the key records pointing at its values, force them, and only then delete the old
 * segments. A crash before the delete leaves segments with nothing live in them, which the next
 * collection deletes first thing.
 *
 * <p>Pacing: finding, reading and writing the moved values takes no lock; keys are pointed at the
 * copies in batches of {@value #BATCH} under the shard's write lock, each key at the entry where the
 * walk that found it saw it (no descent from the root, nor search of the leaf, unless that leaf changed
 * since), after a look at those entries without the lock has dropped keys written meanwhile and brought
 * the rest into the cache, so that writers wait for the batches much less. After a
 * batch that a put waited for, the background thread parks briefly so the put goes first: a put waits at most one batch, and
 * gets never wait. It does not pause otherwise, so that it keeps up with the garbage a heavy overwrite
 * load makes. It sleeps between rounds only when a round found nothing to do. When writers outrun it
 * anyway and a shard's values log gets well over its target, the background collector slows that
 * shard's puts down until it is back ({@link #paceFor}). A failure (a full disk) is logged, counted in
 * the stats, and the next round tries again.
 */
public final class GarbageCollector implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GarbageCollector.class.getName());
    private static final long INTERVAL_MILLIS = 1000;
    private static final long WRITING_INTERVAL_MILLIS = 20;
    public static final int BATCH = 256;
    /**
     * Live data one round moves, in segments (at least one victim a round, whatever its size). Each
     * round walks the shard's index and forces its keys log once, which would argue for several; but
     * the slow file-system work runs outside the write lock, so one is as fast and chooses better: each
     * round picks its victim from the freshest counts, so less live data is moved for the same space.
     */
    public static final int ROUND_SEGMENTS = 1;
    /**
     * How far the background threads lower their priority: their nice value goes this much above the
     * one they started with (the process's; at most 19), below the writers', as RocksDB runs its compactions, so that
     * on a machine short of cores the scheduler runs a put before a round's copying (which pacing
     * still bounds: a collector starved of CPU slows puts down, {@link #paceFor}).
     */
    public static final int THREAD_NICE = 10;
    /** How far over its space target a values log may get before puts are slowed ({@link #paceFor}). */
    public static final double PACE_SLACK = 0.1;

    public static final double PACE_NANOS_PER_UNIT = 40_000;
    public static final long MAX_PACE_NANOS = 200_000; // one park a put: see ShardWriter#pace
    private static final long YIELD_NANOS = 50_000;
    /** Below this share of garbage a segment is not worth moving to meet the space target. */
    public static final double MIN_GARBAGE_SHARE = 0.1;
    /** Bound on the rounds of one {@link io.toykv.core.Store#compact()} per shard, in case writers keep making garbage. */
    private static final int MAX_MANUAL_ROUNDS = 10_000;

    private final Shard[] shards;
    private final double garbageRatio;
    private final double spaceTarget;
    private final long keysLogMinimum;
    private final long segmentSize;
    /** One collection at a time on each shard (background or {@link io.toykv.core.Store#compact()}); shards are collected in parallel. */
    private final ReentrantLock[] running;

    private final Thread[] threads;
    private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean stopping;

    public final AtomicLong runs = new AtomicLong();
    public final AtomicLong segmentsReclaimed = new AtomicLong();
    public final AtomicLong bytesReclaimed = new AtomicLong();
    public final AtomicLong bytesWritten = new AtomicLong();
    public final AtomicLong keysLogCompactions = new AtomicLong();
    public final AtomicLong failures = new AtomicLong();
    private volatile String lastError;
    private final java.util.function.Consumer<Throwable> onError;
    /**
     * Victims a collection could not empty (a record that fails its check stays where it is), by name,
     * with their live bytes afterwards, one map a shard. Skipped until those change, so that every round (every 20 ms
     * under writes) does not spend a segment id and a walk of the index on them. Guarded by the shard's {@link #running}.
     */
    private final java.util.Map<String, Long>[] stuck;

    /**
     * {@code threads} background threads (0: none), each collecting its own share of the shards (shard
     * i is thread i mod threads'), so that one shard's round waiting on the device (forces, reads of
     * its victims, unlinks) does not hold up another's.
     */
    public GarbageCollector(
            Shard[] shards,
            double garbageRatio,
            double spaceTarget,
            long keysLogMinimum,
            long segmentSize,
            int threads) {
        this(shards, garbageRatio, spaceTarget, keysLogMinimum, segmentSize, threads, e -> {});
    }

    /**
     * {@code onError}: told of an {@link Error} that ends a collector thread, and of a failed force
     * ({@link ForceFailedException}); other exceptions are retried.
     */
    @SuppressWarnings("unchecked")
    public GarbageCollector(
            Shard[] shards,
            double garbageRatio,
            double spaceTarget,
            long keysLogMinimum,
            long segmentSize,
            int threads,
            java.util.function.Consumer<Throwable> onError) {
        this.onError = onError;
        this.shards = shards;
        this.segmentSize = segmentSize;
        this.garbageRatio = garbageRatio;
        this.spaceTarget = spaceTarget;
        this.keysLogMinimum = keysLogMinimum;
        this.running = new ReentrantLock[shards.length];
        this.stuck = new java.util.Map[shards.length];
        for (int i = 0; i < shards.length; i++) {
            running[i] = new ReentrantLock();
            stuck[i] = new java.util.HashMap<>();
        }
        int n = Math.min(threads, shards.length);
        this.threads = new Thread[n];
        for (int t = 0; t < n; t++) {
            int first = t;
            int[] own = java.util.stream.IntStream.range(0, shards.length)
                    .filter(i -> i % n == first)
                    .toArray();
            this.threads[t] =
                    BackgroundThreads.newThread(n == 1 ? "toykv-gc" : "toykv-gc-" + t, THREAD_NICE, () -> loop(own));
        }
        for (Thread t : this.threads) {
            t.start();
        }
    }

    private void loop(int[] own) {
        boolean busy = false;
        long appended = appended(own);
        while (!stopping) {
            // After a round that found work, go on at once, so the collector keeps up with a heavy
            // overwrite load. After one that found none, look again soon if anything was written
            // since the last look (a second of overwrites is a third of the live data in garbage at
            // the benchmark's rate), in a second if nothing was.
            if (!busy) {
                long now = appended(own);
                long wait = now != appended ? WRITING_INTERVAL_MILLIS : INTERVAL_MILLIS;
                appended = now;
                if (BackgroundThreads.sleepUnlessStopped(stop, wait)) {
                    return;
                }
            }
            if (stopped(own)) {
                busy = false;
                continue; // a failed force stopped the store: nothing is forced or deleted until reopen
            }
            try {
                busy = collect(own, false);
                if (!stopping) {
                    runs.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                busy = false;
                if (!stopping) {
                    failed(e);
                    if (ForceFailedException.isIn(e)) {
                        onError.accept(e); // a failed force is not retried: the store stops taking writes
                    }
                }
            } catch (Error e) {
                // Not retried (the thread's state is unknown after an OutOfMemoryError): counted, then
                // handed on, and this thread ends.
                failures.incrementAndGet();
                lastError = e.toString();
                onError.accept(e);
                throw e;
            }
        }
    }

    /** Whether a failed force stopped any of the shards {@code own} (the store stops them all). */
    private boolean stopped(int[] own) {
        for (int i : own) {
            if (shards[i].writesStopped()) {
                return true;
            }
        }
        return false;
    }

    /** Appends (puts, deletes, clears, moves) to the shards {@code own} since open: changes when anything is written. */
    private long appended(int[] own) {
        long total = 0;
        for (int i : own) {
            total += shards[i].appendSequence();
        }
        return total;
    }

    private void failed(Exception e) {
        failures.incrementAndGet();
        lastError = e.toString();
        LOG.log(System.Logger.Level.WARNING, "garbage collection failed; it will try again", e);
    }

    public String lastError() {
        return lastError;
    }

    /**
     * One collection over every shard, counted as a run. {@code manual}: on the caller's thread, without
     * yielding. Returns whether it reclaimed or moved anything.
     */
    public boolean collect(boolean manual) throws IOException {
        boolean worked =
                collect(java.util.stream.IntStream.range(0, shards.length).toArray(), manual);
        runs.incrementAndGet();
        return worked;
    }

    /** One collection over the shards {@code own}, each under its {@link #running} lock. */
    private boolean collect(int[] own, boolean manual) throws IOException {
        boolean worked = false;
        for (int i : own) {
            running[i].lock();
            try {
                if (stopping) {
                    return worked; // close() may already have passed this lock: the shards are closing
                }
                worked |= collect(i, manual);
            } finally {
                running[i].unlock();
            }
        }
        return worked;
    }

    /**
     * Collects one shard, under its {@link #running} lock; returns whether it reclaimed a segment or
     * rewrote the keys log. Counted from what this shard's rounds did, not from the store's counters,
     * which the other threads (and a {@link io.toykv.core.Store#compact()}) change meanwhile.
     */
    private boolean collect(int shardIndex, boolean manual) throws IOException {
        Shard shard = shards[shardIndex];
        int reclaimedHere = 0;
        // By hand, go on until no segment passes the ratio: one round moves at most ROUND_SEGMENTS' worth.
        for (int round = 0; !stopping; round++) {
            int reclaimed = collectSegments(shard, stuck[shardIndex], manual);
            reclaimedHere += reclaimed;
            if (!manual || reclaimed == 0 || round > MAX_MANUAL_ROUNDS) {
                break;
            }
        }
        if (stopping) {
            return reclaimedHere > 0; // no keys-log rewrite while the store closes
        }
        if (keysLogCompactionDue(shard, manual)) {
            shard.compactKeysLog();
            keysLogCompactions.incrementAndGet();
            return true;
        }
        return reclaimedHere > 0;
    }

    /**
     * By hand, whenever anything was appended since the last rewrite. In the background, once the log
     * is larger than a keys file and than twice what a rewrite would write: so a rewrite writes about
     * one byte per byte appended since the last one, and the log stays between one and two times its
     * rewritten size (for 8-byte keys a rewritten log is about half of one PUT record per key).
     */
    private boolean keysLogCompactionDue(Shard shard, boolean manual) {
        Shard.KeysLogUsage usage = shard.keysLogUsage();
        if (manual) {
            return !usage.freshlyRewritten() && usage.bytes() > 0;
        }
        return usage.bytes() > keysLogMinimum && usage.bytes() > 2 * usage.rewriteBytes();
    }

    /**
     * One round on one shard: deletes the sealed segments with nothing live, and moves the live values
     * of the victims, most garbage first, up to {@value #ROUND_SEGMENTS} segments' worth, into new
     * segments of at most {@link #segmentSize} bytes, then deletes them. A segment is a victim when its garbage passed the ratio, or, while the values
     * log takes more than {@link #spaceTarget} bytes per live byte, when it has any worth moving
     * ({@value #MIN_GARBAGE_SHARE} of it or more): most garbage first is the cheapest way back under it.
     * Either way only if a move frees at least a page ({@link Shard.SegmentUsage#reclaimable}).
     * Returns how many segments it deleted.
     */
    private int collectSegments(Shard shard, java.util.Map<String, Long> stuck, boolean manual) throws IOException {
        Shard.ValuesUsage usage = shard.valuesUsage();
        // Bytes over the target; dead segments, deleted below, count as already freed.
        long excess = usage.bytes() - (long) Math.min(Long.MAX_VALUE, spaceTarget * usage.live());
        List<Shard.SegmentUsage> candidates = new ArrayList<>();
        List<Shard.SegmentUsage> dead = new ArrayList<>();
        long sealedBytes = 0;
        long deadBytes = 0;
        for (Shard.SegmentUsage u : usage.sealed()) {
            sealedBytes += u.size();
            if (u.live() == 0) {
                dead.add(u);
                deadBytes += u.size();
                excess -= u.size();
            } else if (u.garbage() >= Math.min(garbageRatio, MIN_GARBAGE_SHARE) * u.size()
                    && u.reclaimable() > 0 // segment sizes are whole pages
                    && !Long.valueOf(u.live()).equals(stuck.get(u.name()))) {
                // Only if a move frees a page: a copy of a few values is one page, most of it padding
                // (garbage), and moving it would make the same copy again, round after round.
                candidates.add(u);
            }
        }
        int reclaimedCount = count(reclaim(shard, dead));
        candidates.sort(Comparator.comparingDouble(GarbageCollector::liveShare));
        List<Shard.SegmentUsage> victims = new ArrayList<>();
        long live = 0;
        for (Shard.SegmentUsage u : candidates) {
            boolean due = u.garbage() >= garbageRatio * u.size() || excess > 0;
            if (!due || (!victims.isEmpty() && live + u.live() > ROUND_SEGMENTS * segmentSize)) {
                break;
            }
            victims.add(u);
            live += u.live();
            excess -= u.garbage();
        }
        if (!manual) {
            // Puts wait for the collector only while it has something it can collect: when every
            // candidate is stuck (a damaged record) no waiting would bring the values log down. Not
            // counted against it: the dead segments (deleted above) and the head and buffer (it cannot
            // move them; in a small store they are most of the log).
            shard.setPace(
                    victims.isEmpty()
                            ? 0
                            : paceFor(
                                    usage.bytes() - deadBytes, usage.live(), spaceTarget, usage.bytes() - sealedBytes));
        }
        if (victims.isEmpty()) {
            return reclaimedCount;
        }
        // After a batch that a put waited for, the background collector parks briefly, so the put gets
        // the lock (it is not fair: without a pause the collector would take it straight back). It
        // does not pause otherwise: a pause nobody waits for only lets garbage pile up.
        Runnable yieldToWriters =
                manual ? () -> {} : () -> java.util.concurrent.locks.LockSupport.parkNanos(YIELD_NANOS);
        bytesWritten.addAndGet(shard.evacuate(victims, segmentSize, BATCH, yieldToWriters, () -> stopping));
        boolean[] reclaimed = reclaim(shard, victims);
        for (int i = 0; i < victims.size(); i++) {
            Shard.SegmentUsage u = victims.get(i);
            if (!reclaimed[i]) {
                stuck.put(u.name(), shard.liveBytes(u.id()));
            } else {
                stuck.remove(u.name());
            }
        }
        return reclaimedCount + count(reclaimed);
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }

    /**
     * How much to slow each put down while the values log is more than {@link #PACE_SLACK} over its
     * target: in proportion to how far over it is, {@value #PACE_NANOS_PER_UNIT} ns per put for each
     * whole unit (4 us at 0.1 over the slack, about halving a 4 us put), at most {@value #MAX_PACE_NANOS}
     * ns. Without it a writer that outruns the collector (they share the CPU and the device) takes space
     * without bound; with it the values log stays near its target, and puts wait only while it is not
     * (skewed overwrites, whose garbage is spread over many segments, reach it; uniform ones hardly do).
     * The slack is at least {@code unreachableBytes} per live byte: what of the values log the collector
     * cannot reclaim (the head segment and the buffer).
     */
    public static long paceFor(long valuesLogBytes, long liveBytes, double spaceTarget, long unreachableBytes) {
        if (liveBytes == 0 || Double.isInfinite(spaceTarget)) {
            return 0;
        }
        double slack = Math.max(PACE_SLACK, unreachableBytes / (double) liveBytes);
        double over = valuesLogBytes / (double) liveBytes - spaceTarget - slack;
        return over <= 0 ? 0 : (long) Math.min(over * PACE_NANOS_PER_UNIT, MAX_PACE_NANOS);
    }

    private static double liveShare(Shard.SegmentUsage u) {
        return u.live() / (double) u.size();
    }

    /** Deletes those of the segments with nothing live in them; returns which it deleted. */
    private boolean[] reclaim(Shard shard, List<Shard.SegmentUsage> segments) throws IOException {
        long[] ids = new long[segments.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = segments.get(i).id();
        }
        long[] freed = new long[ids.length];
        boolean[] reclaimed = new boolean[ids.length];
        try {
            shard.dropIfDead(ids, freed);
        } finally {
            // Out of the log, so reclaimed, even if an unlink failed (it is retried): counted either way.
            for (int i = 0; i < ids.length; i++) {
                if (freed[i] > 0) {
                    segmentsReclaimed.incrementAndGet();
                    bytesReclaimed.addAndGet(freed[i]);
                    reclaimed[i] = true;
                }
            }
        }
        return reclaimed;
    }

    /**
     * Stops the background threads and waits for a collection in progress to stop at its next batch. The
     * threads are woken, never interrupted: an interrupt during a write would close the segment's channel.
     */
    @Override
    public void close() {
        stopping = true;
        stop.countDown();
        for (Thread t : threads) {
            BackgroundThreads.join(t);
        }
        for (ReentrantLock lock : running) {
            lock.lock(); // a manual collection in progress on another thread finishes its batch first
            lock.unlock();
        }
    }
}
