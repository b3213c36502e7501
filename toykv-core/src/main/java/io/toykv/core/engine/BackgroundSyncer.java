package io.toykv.core.engine;

import io.toykv.core.io.BackgroundThreads;
import java.io.IOException;
import java.util.function.Consumer;

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

    /** {@code onSynced} runs after each round in which every shard's sync succeeded. */
    public BackgroundSyncer(Shard[] shards, Consumer<Throwable> onFailure, Runnable onSynced) {
        thread = BackgroundThreads.newThread("toykv-sync", () -> {
            while (!stopping) {
                if (BackgroundThreads.sleepUnlessStopped(stop, INTERVAL_MILLIS)) {
                    return;
                }
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
                    onSynced.run();
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
