package io.toykv.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ProcIoTest {
    private static final String SAMPLE = "rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 0\nread_bytes: 4096\n"
            + "write_bytes: 123456789\ncancelled_write_bytes: 4096\n";

    @Test
    void parseFindsWriteBytesNotCancelledWriteBytes() {
        assertEquals(123456789L, ProcIo.parse(SAMPLE, "write_bytes"));
        assertEquals(4096L, ProcIo.parse(SAMPLE, "cancelled_write_bytes"));
    }

    @Test
    void missingFieldIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> ProcIo.parse("rchar: 1\n", "write_bytes"));
    }
}
