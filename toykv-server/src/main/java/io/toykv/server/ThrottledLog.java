package io.toykv.server;

import java.util.concurrent.TimeUnit;

/**
 * One kind of warning that a client can cause at will (a wrong password, a connection past
 * {@code --max-clients}): at most one line a period, so a flood cannot fill the log or slow the
 * threads that log. The next line that is written counts the lines held back since the last one.
 * Thread-safe; the line is printed outside the lock.
 */
final class ThrottledLog {
    private final Log log;
    private final long periodNanos;

    // Guarded by this.
    private boolean any;
    private long lastNanos;
    private long held;

    ThrottledLog(Log log, long period, TimeUnit unit) {
        this.log = log;
        this.periodNanos = unit.toNanos(period);
    }

    void warn(String line) {
        long now = System.nanoTime();
        long heldBack;
        synchronized (this) {
            if (any && now - lastNanos < periodNanos) {
                held++;
                return;
            }
            any = true;
            lastNanos = now;
            heldBack = held;
            held = 0;
        }
        log.warn(heldBack == 0 ? line : line + " (" + heldBack + " more like it since the last line not logged)");
    }
}
