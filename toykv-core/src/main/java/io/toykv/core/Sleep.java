package io.toykv.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Sleeping for background threads that are stopped by a latch, never by an interrupt. */
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
}
