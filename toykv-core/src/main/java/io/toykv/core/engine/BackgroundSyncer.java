package io.toykv.core.engine;

import io.toykv.core.io.BackgroundThreads;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * The {@link SyncMode#EVERY_SECOND} thread, named {@code toykv-sync}: forces every shard once a second.
 * A failure of any kind, an {@link Error} too, is handed to the store at once (which tells
 * {@link io.toykv.core.StoreOptions#onBackgroundFailure} and rethrows it on the next foreground call); the thread goes on.
 */
public final class BackgroundSyncer implements AutoCloseable {
    private static final long INTERVAL_MILLIS = 1000;

    private final Thread thread;
    private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean stopping;

    public BackgroundSyncer(Shard[] shards, Consumer<Throwable> onFailure) {
        thread = BackgroundThreads.newThread("toykv-sync", () -> {
            while (!stopping) {
                if (Sleep.until(stop, INTERVAL_MILLIS)) {
                    return;
                }
                for (Shard shard : shards) {
                    if (stopping) {
                        return;
                    }
                    try {
                        shard.sync();
                    } catch (IOException | RuntimeException | Error e) {
                        onFailure.accept(e);
                    }
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
        Sleep.join(thread);
    }
}
