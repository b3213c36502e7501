package io.toykv.core.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Sleeping and stopping for background threads, which are stopped by a latch, never by an interrupt:
 * an interrupt during a write would close the segment's channel.
 */
final class Sleep {
    private Sleep() {
    }

    /** Sleeps up to {@code millis}; returns true if {@code stop} was released (time to stop). */
    static boolean until(CountDownLatch stop, long millis) {
        try {
            return stop.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Waits for {@code thread} to end, even if interrupted meanwhile (the interrupt is kept). */
    static void join(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
