package io.toykv.core.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps lock-free readers from seeing an atomic batch in part. A batch installs its changes in the
 * indexes of its shards between {@link #beginInstall} and {@link #endInstall}; a read takes a
 * {@link #stamp} before it looks (waiting while any install is under way) and keeps what it found only
 * if {@link #unchanged} after, else it looks again. So a read that found a change of a batch ran wholly
 * after that batch's install ended, and sees every other change of it too.
 *
 * <p>Why it holds: an install raises {@code installing} before its first index change and counts
 * {@code installed} before it lowers it. A read that saw one of its changes read after that raise, so
 * its check after sees the install still under way, or the count moved.
 */
public final class ReadFence {
    private final AtomicLong installing = new AtomicLong();
    private final AtomicLong installed = new AtomicLong();

    /** Before a read: waits while any install is under way, returns what {@link #unchanged} compares. */
    public long stamp() {
        for (int spins = 0; ; spins++) {
            long done = installed.get();
            if (installing.get() == 0) {
                return done;
            }
            if (spins < 1000) {
                Thread.onSpinWait(); // an install is a few index changes: usually over at once
            } else {
                Thread.yield(); // its thread may be off the CPU: let it run
            }
        }
    }

    /** After a read: whether no install began or ended since {@code stamp}; if not, read again. */
    public boolean unchanged(long stamp) {
        return installing.get() == 0 && installed.get() == stamp;
    }

    void beginInstall() {
        installing.incrementAndGet();
    }

    void endInstall() {
        installed.incrementAndGet();
        installing.decrementAndGet();
    }
}
