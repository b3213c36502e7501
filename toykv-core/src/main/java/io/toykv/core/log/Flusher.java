package io.toykv.core.log;

import io.toykv.core.io.BackgroundThreads;
import io.toykv.core.io.ForceFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The hand-off between a shard's writers and its flusher thread ({@code toykv-flush-<shard>}): the
 * pending half of the buffer on its way to its segment, and the next head segment made ahead. The
 * writer (under the shard's write lock) hands work over and later collects it; others only wait for
 * it ({@link #awaitWritten}), without the lock.
 */
final class Flusher {
    /** Writes pending halves to their segments, and makes the next head: one thread, started with the first task. */
    private final ExecutorService executor;
    /** The pending half's write, until the writer next finds it done ({@link #finishPending}); null for none. */
    private volatile PendingFlush pending;
    /** The failed force of a pending half's write, once {@link #finishPending} met it; never cleared. */
    private volatile Throwable forceFailure;
    /**
     * The next head segment, made ahead ({@link #prepareNextHead}), or null. Not in the table until a
     * roll takes it: nothing is in it, and garbage collection would take it for a dead segment. A crash
     * leaves its file, empty, after the head, which the next collection deletes. Writer only.
     */
    private Future<Segment> nextHead;
    /** Told of an {@link Error} in a flusher task (the task's caller sees it too, when it waits). */
    private volatile Consumer<Throwable> onError = e -> {};

    /** A pending half on its way to {@code segment} at {@code offset}; {@code done} completes once it is durable there. */
    static final class PendingFlush {
        final Segment segment;
        final long offset;
        final ByteBuffer chunk;
        Future<?> done;

        PendingFlush(Segment segment, long offset, ByteBuffer chunk) {
            this.segment = segment;
            this.offset = offset;
            this.chunk = chunk;
        }
    }

    Flusher(String name) {
        this.executor = Executors.newSingleThreadExecutor(BackgroundThreads.named(name));
    }

    /** The failed force a pending half's write met ({@link #finishPending}), or null. */
    Throwable forceFailure() {
        return forceFailure;
    }

    /** The pending half, or null. */
    PendingFlush pending() {
        return pending;
    }

    /** Hands {@code chunk} of {@code buffer} to the flusher, to be written to {@code segment} at {@code offset}. Writer only. */
    void submit(ValueBuffer buffer, Segment segment, long offset, ByteBuffer chunk) {
        PendingFlush p = new PendingFlush(segment, offset, chunk);
        p.done = executor.submit(() -> reportingErrors(() -> {
            write(buffer, p);
            return null;
        }));
        pending = p;
    }

    /**
     * Has the flusher make the next head segment ahead of need, if it is not made or being made
     * already, so that a roll does no file-system work under the write lock (creating a file and
     * forcing the directory took tens of milliseconds while the collector kept the device busy).
     * Writer only.
     */
    void prepareNextHead(Callable<Segment> make) {
        if (nextHead == null) {
            nextHead = executor.submit(() -> reportingErrors(make));
        }
    }

    /** Whether a next head is made or being made. */
    boolean nextHeadPrepared() {
        return nextHead != null;
    }

    /** The next head made ahead, or null if none was or making it failed. Writer only. */
    Segment takeNextHead() {
        Future<Segment> made = nextHead;
        nextHead = null;
        if (made != null) {
            try {
                return BackgroundThreads.await(made); // long done, unless segments fill faster than a file is made
            } catch (IOException | RuntimeException e) {
                // the caller makes one instead, under a new id; if the cause was a full disk this fails too
            }
        }
        return null;
    }

    /**
     * Has an {@link Error} in the flusher ({@code OutOfMemoryError}, say) told at once to {@code handler},
     * besides being kept in the task's future for its caller.
     */
    void reportErrorsTo(Consumer<Throwable> handler) {
        this.onError = Objects.requireNonNull(handler, "handler");
    }

    private <T> T reportingErrors(Callable<T> task) throws Exception {
        try {
            return task.call();
        } catch (Error e) {
            onError.accept(e);
            throw e;
        }
    }

    static void write(ValueBuffer buffer, PendingFlush p) throws IOException {
        p.segment.writeChunk(p.chunk, p.offset);
        buffer.pendingWritten();
    }

    /**
     * Waits for the pending half's write to be done, writing it here if the flusher's failed (a full
     * disk, say: if it fails again, so does the caller, having changed nothing), and seals its
     * segment if that is no longer {@code head}. Writer only.
     */
    void finishPending(ValueBuffer buffer, Segment head) throws IOException {
        PendingFlush p = pending;
        if (p == null) {
            return;
        }
        try {
            BackgroundThreads.await(p.done);
        } catch (IOException | RuntimeException e) {
            if (ForceFailedException.isIn(e)) {
                // Not again: a second force may report success for pages the kernel dropped. The
                // pending half stays (the next open rewrites it from the buffer), and so does the
                // failure, which every later writer meets here and the shard's checks see.
                forceFailure = e;
                throw e;
            }
            // The chunk's write (a full disk, say): all of it again, which rewrites the same bytes in
            // the same place.
            write(buffer, p);
        }
        if (p.segment != head) {
            p.segment.seal(); // the roll that left it for a new head waited for this, its last chunk
        }
        pending = null;
    }

    /** Waits, without the write lock, for the write of the pending half, if any; its failure is left to the writer. */
    void awaitInFlight() {
        try {
            awaitWritten();
        } catch (IOException | RuntimeException e) {
            // the writer tries it again, and reports it, when it next needs the half
        }
    }

    /**
     * Waits, without the write lock, for the pending half's write; throws if it failed. (A later flush
     * may have replaced it meanwhile: the writer starts one only once the one before is done.)
     */
    void awaitWritten() throws IOException {
        PendingFlush p = pending;
        if (p != null) {
            BackgroundThreads.await(p.done);
        }
    }

    /**
     * Stops the thread once a write in flight is done (an abandoned shard's too: the store may be
     * opened again in this process, and an old flusher must not write its header after the open).
     * Returns the next head made ahead and never taken, or null: the caller deletes it.
     */
    Segment shutdown() {
        BackgroundThreads.shutdownAndWait(executor);
        Segment unused = madeAhead();
        nextHead = null;
        return unused;
    }

    private Segment madeAhead() {
        Future<Segment> made = nextHead;
        if (made == null || !made.isDone()) {
            return null;
        }
        try {
            return made.get();
        } catch (ExecutionException | InterruptedException e) {
            return null;
        }
    }
}
