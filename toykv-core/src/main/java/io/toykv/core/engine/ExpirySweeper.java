package io.toykv.core.engine;

import io.toykv.core.io.BackgroundThreads;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Removes expired keys that nobody touches: the {@code toykv-expiry} thread. Every
 * {@value #INTERVAL_MILLIS} ms it visits each shard and removes up to {@value #ROUND_KEYS} keys whose
 * expiry has passed, soonest first, in one hold of the shard's write lock ({@link Shard#expireDue});
 * while some shard had more due than that, it goes round again at once instead of sleeping. So a put
 * waits for at most one round's {@value #ROUND_KEYS} DELETE records, and a key is removed at most
 * {@value #INTERVAL_MILLIS} ms after its expiry plus the time the rounds take to remove the keys of
 * its shard that expired before it (at {@value #ROUND_KEYS} a round). Its index entry goes at once;
 * its value becomes garbage that collection reclaims as it does a deleted key's.
 *
 * <p>A thread of its own rather than the collector's or the sync thread's: those run only when
 * automatic collection is on or in {@code EVERY_SECOND} mode, and expiry must not depend on either. A
 * failure is handed to {@code onFailure} (the store decides, as for the collector); the next round
 * tries again.
 */
public final class ExpirySweeper implements AutoCloseable {
    /** Pause between rounds when the last one left nothing due. */
    public static final long INTERVAL_MILLIS = 100;
    /** Most keys one shard removes in one hold of its write lock. */
    public static final int ROUND_KEYS = 256;

    private final Thread thread;
    private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean stopping;
    /** Expired keys removed by this thread since open. */
    public final AtomicLong removed = new AtomicLong();

    public ExpirySweeper(Shard[] shards, Consumer<Throwable> onFailure) {
        thread = BackgroundThreads.newThread("toykv-expiry", () -> {
            boolean more = false;
            while (!stopping) {
                if (!more && BackgroundThreads.sleepUnlessStopped(stop, INTERVAL_MILLIS)) {
                    return;
                }
                more = false;
                for (Shard shard : shards) {
                    if (stopping) {
                        return;
                    }
                    if (shard.writesStopped() || shard.expiringKeys() == 0) {
                        continue;
                    }
                    try {
                        int n = shard.expireDue(ROUND_KEYS);
                        removed.addAndGet(n);
                        more |= n == ROUND_KEYS;
                    } catch (IOException | RuntimeException | Error e) {
                        onFailure.accept(e);
                    }
                }
            }
        });
        thread.start();
    }

    /** Stops the thread and waits for it (woken, never interrupted: see {@link Sleep}). */
    @Override
    public void close() {
        stopping = true;
        stop.countDown();
        BackgroundThreads.join(thread);
    }
}
