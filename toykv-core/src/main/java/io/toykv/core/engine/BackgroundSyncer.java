package io.toykv.core.engine;

import io.toykv.core.io.BackgroundThreads;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The {@link io.toykv.core.SyncMode#EVERY_SECOND} thread, named {@code toykv-sync}: forces every shard once a second.
 * A failure of any kind, an {@link Error} too, is handed to the store at once, which decides (see
 * {@code Store.syncFailed}): a failed write is counted and retried by the next sync, a failed force or an
 * Error goes to {@link io.toykv.core.StoreOptions#onBackgroundFailure}. The thread goes on.
 */
public final class BackgroundSyncer implements AutoCloseable {
    private static final long INTERVAL_MILLIS = 1000;

    private final Thread thread;
    private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean stopping;

    /**
     * {@code beforeRound} runs before each round; {@code onSynced} runs, with its answer, after each round
     * in which every shard's sync succeeded (the store settles its atomic batches so).
     */
    public BackgroundSyncer(
            Shard[] shards, Consumer<Throwable> onFailure, LongSupplier beforeRound, LongConsumer onSynced) {
        thread = BackgroundThreads.newThread("toykv-sync", () -> {
            while (!stopping) {
                if (BackgroundThreads.sleepUnlessStopped(stop, INTERVAL_MILLIS)) {
                    return;
                }
                long noted = beforeRound.getAsLong();
                boolean allSynced = true;
                for (Shard shard : shards) {
                    if (stopping) {
                        return;
                    }
                    if (shard.writesStopped()) {
                        allSynced = false;
                        continue; // a failed force: forcing again could report success for dropped pages
                    }
                    try {
                        shard.sync();
                    } catch (IOException | RuntimeException | Error e) {
                        allSynced = false;
                        onFailure.accept(e);
                    }
                }
                if (allSynced) {
                    onSynced.accept(noted);
                }
            }
        });
        thread.start();
    }

    /**
     * Stops the thread and waits for it, so no force runs during the store's close. The thread is woken,
     * never interrupted: an interrupt during a write would close the segment's channel.
     */
    @Override
    public void close() {
        stopping = true;
        stop.countDown();
        BackgroundThreads.join(thread);
    }
}
