package io.toykv.core;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reclaims space: values-log segments whose garbage passed the threshold have their live values moved
 * to the head of the log and are then deleted; keys logs holding more dead records than live ones are
 * rewritten. Runs on its own thread, {@code toykv-gc}, once a second when automatic collection is on,
 * and on the caller's thread for {@link Store#compact()}; one collection at a time.
 *
 * <p>Order, at every step crash-safe: move the live values (new value records, then key records
 * pointing at them), force them, and only then delete the old segment. A crash before the delete leaves
 * a segment with nothing live in it, which the next collection deletes first thing.
 *
 * <p>Pacing: values move in batches of {@value #BATCH} under the shard's write lock, and after each batch
 * the background thread pauses for as long as it held the lock, so it takes at most about half of the
 * lock and a foreground put waits at most one batch; gets never wait. The thread sleeps a second
 * between rounds only when a round found nothing to do. A failure
 * (a full disk) is logged, counted in the stats, and the next round tries again.
 */
final class GarbageCollector implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GarbageCollector.class.getName());
    private static final long INTERVAL_MILLIS = 1000;
    static final int BATCH = 256;
    private static final long MIN_PAUSE_NANOS = 50_000;

    private final Shard[] shards;
    private final double garbageRatio;
    private final long keysLogMinimum;
    private final ReentrantLock running = new ReentrantLock();
    private final Thread thread;
    private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean stopping;

    final AtomicLong runs = new AtomicLong();
    final AtomicLong segmentsReclaimed = new AtomicLong();
    final AtomicLong bytesReclaimed = new AtomicLong();
    final AtomicLong bytesWritten = new AtomicLong();
    final AtomicLong keysLogCompactions = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    private volatile String lastError;

    GarbageCollector(Shard[] shards, double garbageRatio, long keysLogMinimum, boolean automatic) {
        this.shards = shards;
        this.garbageRatio = garbageRatio;
        this.keysLogMinimum = keysLogMinimum;
        if (automatic) {
            thread = new Thread(this::loop, "toykv-gc");
            thread.setDaemon(true);
            thread.start();
        } else {
            thread = null;
        }
    }

    private void loop() {
        boolean busy = false;
        while (!stopping) {
            // Idle: look again in a second. After a round that found work, go on at once, so the
            // collector keeps up with a heavy overwrite load instead of lagging a second per round.
            if (!busy && Sleep.until(stop, INTERVAL_MILLIS)) {
                return;
            }
            try {
                busy = collect(false);
            } catch (IOException | RuntimeException e) {
                busy = false;
                if (!stopping) {
                    failed(e);
                }
            }
        }
    }

    private void failed(Exception e) {
        failures.incrementAndGet();
        lastError = e.toString();
        LOG.log(System.Logger.Level.WARNING, "garbage collection failed; it will try again", e);
    }

    String lastError() {
        return lastError;
    }

    /**
     * One collection over every shard. {@code manual}: on the caller's thread, without yielding.
     * Returns whether it reclaimed or moved anything.
     */
    boolean collect(boolean manual) throws IOException {
        running.lock();
        try {
            boolean worked = false;
            for (Shard shard : shards) {
                if (stopping) {
                    return false;
                }
                worked |= collect(shard, manual);
            }
            runs.incrementAndGet();
            return worked;
        } finally {
            running.unlock();
        }
    }

    private boolean collect(Shard shard, boolean manual) throws IOException {
        long before = segmentsReclaimed.get() + keysLogCompactions.get();
        List<Shard.SegmentUsage> victims = new ArrayList<>();
        for (Shard.SegmentUsage u : shard.sealedSegments()) {
            if (u.live() == 0) {
                reclaim(shard, u.id());
            } else if (u.garbage() >= garbageRatio * u.size()) {
                victims.add(u);
            }
        }
        if (!victims.isEmpty()) {
            victims.sort(Comparator.comparingLong(Shard.SegmentUsage::garbage).reversed());
            Set<Long> ids = new HashSet<>();
            for (Shard.SegmentUsage u : victims) {
                ids.add(u.id());
            }
            // Between batches the background collector parks for as long as it held the lock: it takes
            // at most about half of the shard's write lock, and a waiting put always gets its turn (the
            // lock is not fair, so without a pause the collector would take it straight back).
            java.util.function.LongConsumer pause = manual ? held -> { }
                    : held -> java.util.concurrent.locks.LockSupport.parkNanos(Math.max(held, MIN_PAUSE_NANOS));
            bytesWritten.addAndGet(shard.evacuate(ids, BATCH, pause, () -> stopping));
            for (long id : ids) {
                reclaim(shard, id);
            }
        }
        // By hand, any dead records are worth a rewrite; in the background, only more than a file's worth.
        if (shard.keysLogCompactionDue(manual ? 0 : keysLogMinimum)) {
            shard.compactKeysLog();
            keysLogCompactions.incrementAndGet();
        }
        return segmentsReclaimed.get() + keysLogCompactions.get() != before;
    }

    private void reclaim(Shard shard, long id) throws IOException {
        long freed = shard.dropIfDead(id);
        if (freed > 0) {
            segmentsReclaimed.incrementAndGet();
            bytesReclaimed.addAndGet(freed);
        }
    }

    /**
     * Stops the background thread and waits for a collection in progress to stop at its next batch. The
     * thread is woken, never interrupted: an interrupt during a write would close the segment's channel.
     */
    @Override
    public void close() {
        stopping = true;
        stop.countDown();
        if (thread != null) {
            Sleep.join(thread);
        }
        running.lock(); // a manual collection in progress on another thread finishes its batch first
        running.unlock();
    }
}
