package io.toykv.core.powerloss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class HistoryTest {
    @Test
    void aDurableExpiryThatPassedLeavesTheKeyAbsentUntilALaterChange() {
        History h = new History(3);
        h.durable(h.start(1, 1, 10, 500));
        assertEquals(Set.of(1L), h.snapshot(499).allowed(1));
        assertEquals(Set.of(-1L), h.snapshot(500).allowed(1), "expired: never back");
        h.start(1, 2, 10, 0);
        assertEquals(Set.of(-1L, 2L), h.snapshot(500).allowed(1), "a later put not yet durable may be there");
    }

    @Test
    void theExpiriesAllowedAreThoseOfTheChangesThatLeaveTheWrite() {
        History h = new History(3);
        h.durable(h.start(2, 7, 10, 0));
        h.durable(h.start(2, 7, 10, 900)); // expireAt, durable
        h.start(2, 7, 10, 0); // persist, not yet durable
        assertEquals(Set.of(900L, 0L), h.snapshot(100).allowedExpiries(2, 7));
        assertEquals(Set.of(0L), h.snapshot(100).durableBefore(3).allowedExpiries(2, 7));
        assertEquals(Set.of(7L), h.snapshot(900).durableBefore(3).allowed(2), "persisted before the time came");
    }
}
