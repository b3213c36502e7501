package io.toykv.server.command;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** The store's clock in expiry tests: time passes only by {@link #advance}, so no test sleeps. */
final class MovableClock extends Clock {
    private final AtomicLong millis;

    MovableClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    void advance(long byMillis) {
        millis.addAndGet(byMillis);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("one zone");
    }
}
