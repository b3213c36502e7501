package io.toykv.core;

import io.toykv.core.engine.DeferredJournalWaits;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Puts off, for the writes the calling thread makes until {@link #close}, the wait for the device that
 * {@link SyncMode#ALWAYS} makes each of them do. The writes are applied (and seen by readers) at once;
 * {@link #close} returns once every one of them is on the device, all of a store's sharing one group
 * commit instead of waiting for one each. Until then none of them may be called durable: a server
 * answers a pipeline of commands this way, sending its replies only after {@link #close} returned.
 *
 * <pre>{@code
 * try (DeferredSync pending = DeferredSync.begin()) {
 *     for (byte[][] kv : pairs) {
 *         store.put(kv[0], kv[1]); // returns without waiting for the device
 *     }
 * } // every put above is durable here (close throws UncheckedIOException if a force failed)
 * }</pre>
 *
 * It covers puts, deletes and expiry changes of stores in {@link SyncMode#ALWAYS}, on any number of
 * stores; an atomic batch ({@link Store#apply}), a clear, and a value too large for the commit journal
 * still wait for the device before they return. Other sync modes are unaffected. Scopes nest: only the
 * outermost close waits. A scope belongs to the thread that began it and must be closed by it.
 */
public final class DeferredSync implements AutoCloseable {
    private final DeferredJournalWaits waits;
    private boolean closed;

    private DeferredSync(DeferredJournalWaits waits) {
        this.waits = waits;
    }

    /** Opens a scope on the calling thread. */
    public static DeferredSync begin() {
        return new DeferredSync(DeferredJournalWaits.begin());
    }

    /**
     * Ends the scope (a second call does nothing); the outermost one waits until every write made in it
     * is on the device.
     *
     * @throws UncheckedIOException a force failed: the writes of the scope are not all durable (the store
     *     refuses writes from then on)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            waits.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
