package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.toykv.core.io.FileAllocator;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment roll restarts the buffer ({@link ValueBuffer#restart}) while the flusher may be marking the
 * pending half written ({@link ValueBuffer#pendingWritten}). If the restart's header still named the
 * half after the flusher's header stopped naming it, that forced header would stay the device's while
 * nothing forced the half's pages any more, and a power loss would leave a header naming a half whose
 * bytes never reached the device: the open rejected the key records pointing there (acknowledged
 * values, durable in their segment) and wrote the half's stale bytes over them. Found by the power-loss
 * explorer (an EVERY_SECOND workload whose put rolled the segment while the flusher finished the half
 * before it).
 */
class ValueBufferRestartRaceTest {
    private static final int HALF = 64 * 1024;
    private static final byte[] KEY = "k".getBytes();

    @TempDir
    Path dir;

    private ValueBuffer open() throws IOException {
        return ValueBuffer.open(dir.resolve("values.b"), HALF, Address.of(1, 0), FileAllocator.DEFAULT);
    }

    @Test
    void aRestartRacingTheFlusherLeavesNoHeaderNamingTheHalfItWrote() throws Exception {
        ValueBuffer b = open();
        b.append(KEY, new byte[100]);
        b.swap(b.chunk(DirectIo.ALIGNMENT).remaining(), Address.of(1, 4096));
        Thread writer = new Thread(() -> b.restart(Address.of(2, 0)), "writer");
        // Header writes are serialized on the buffer: holding its lock stops the writer's restart just
        // before its header, and the flusher's mark (this thread) comes first.
        synchronized (b) {
            writer.start();
            while (writer.getState() != Thread.State.BLOCKED && writer.isAlive()) {
                Thread.onSpinWait();
            }
            b.pendingWritten();
        }
        writer.join();
        b.unmap();

        ValueBuffer reopened = open();
        assertFalse(reopened.pendingUnwritten(), "the last header names the half the flusher marked written");
        assertEquals(0, reopened.pendingLength());
        assertEquals(Address.of(2, 0), reopened.base(), "the restart's header is the last");
        reopened.unmap();
    }
}
