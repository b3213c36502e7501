package io.toykv.core.engine;

import io.toykv.core.io.BackgroundThreads;
import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@link io.toykv.core.SyncMode#ALWAYS} thread, named {@code toykv-sync}: once a second, and at once
 * when the {@link CommitJournal}'s ring is half used or a writer waits for room in it, makes every
 * journal record durable in its shard's own logs and then marks it covered, so its space can be reused.
 * A round notes where the journal ends, forces it there, syncs every shard (the buffer flushed to its
 * segment, the keys log forced: each sync covers every append made before it started, and every journal
 * record before the noted end was appended after its shard's records), and then covers the noted end.
 * Failures go to the store as the {@code EVERY_SECOND} thread's do ({@link BackgroundSyncer}).
 */
public final class JournalCheckpointer implements AutoCloseable {
    private static final long INTERVAL_MILLIS = 1000;

    private final Shard[] shards;
    private final CommitJournal journal;
    private final Consumer<Throwable> onFailure;
    private final Runnable onSynced;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean stopping;

    /** {@code onSynced} runs after each round in which every shard's sync succeeded. */
    public JournalCheckpointer(
            Shard[] shards, CommitJournal journal, Consumer<Throwable> onFailure, Runnable onSynced) {
        this.shards = shards;
        this.journal = journal;
        this.onFailure = onFailure;
        this.onSynced = onSynced;
        journal.onCheckpointWanted(wake::release);
        thread = BackgroundThreads.newThread("toykv-sync", this::run);
        thread.start();
    }

    private void run() {
        while (!stopping) {
            try {
                wake.tryAcquire(INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            wake.drainPermits();
            if (stopping) {
                return;
            }
            try {
                if (checkpoint()) {
                    onSynced.run();
                }
            } catch (IOException | RuntimeException | Error e) {
                onFailure.accept(e);
            }
        }
    }

    /** One round; returns whether every shard synced (and the journal was covered). */
    boolean checkpoint() throws IOException {
        long end = journal.startCheckpoint();
        if (journal.covers(end)) {
            return true; // nothing appended since the last round
        }
        journal.syncTo(end);
        for (Shard shard : shards) {
            if (stopping || shard.writesStopped()) {
                return false; // a failed force: forcing again could report success for dropped pages
            }
            shard.sync();
        }
        journal.cover(end);
        return true;
    }

    /** Stops the thread and waits for it; the thread is woken, never interrupted. */
    @Override
    public void close() {
        stopping = true;
        wake.release();
        BackgroundThreads.join(thread);
    }
}
