package io.toykv.core;

/** Lets tests in other packages open an {@link SyncMode#EVERY_SECOND} store without its {@code toykv-sync} thread. */
public final class BackgroundSync {
    private BackgroundSync() {}

    /** {@code options} without the thread: the test calls {@link Store#sync()} where its rounds would come. */
    public static StoreOptions off(StoreOptions options) {
        return options.backgroundSync(false);
    }
}
