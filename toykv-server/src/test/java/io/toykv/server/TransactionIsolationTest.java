package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EXEC runs with no other client's command in between: readers never see half a transaction. */
class TransactionIsolationTest {
    private static final int WRITERS = 2;
    private static final int READERS = 3;
    private static final int EXECS_PER_WRITER = 1_500;

    @TempDir
    Path dir;

    /**
     * Writers set {@code a} then {@code b} to the same counter value in each EXEC; readers MGET both
     * and must always see equal values. Without the isolation lock an MGET lands between the two SETs
     * within a few hundred EXECs.
     */
    @Test
    void readersNeverSeeHalfAnExec() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        // the writers start once every reader has read, so they overlap even on a host too busy to run all at once
        CountDownLatch reading = new CountDownLatch(READERS);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
        try (ToykvServer server = TestServers.start(dir)) {
            try (RespClient c = new RespClient(server.port())) {
                c.call("MSET", "a", "0", "b", "0");
            }
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    try (RespClient c = new RespClient(server.port())) {
                        assertTrue(reading.await(1, TimeUnit.MINUTES), "the readers ran");
                        for (int i = 0; i < EXECS_PER_WRITER; i++) {
                            String v = writer + "-" + i;
                            c.send(concat(
                                    RespClient.encode("MULTI"),
                                    RespClient.encode("SET", "a", v),
                                    RespClient.encode("SET", "b", v),
                                    RespClient.encode("EXEC")));
                            assertEquals("+OK\r\n", c.readReply());
                            assertEquals("+QUEUED\r\n", c.readReply());
                            assertEquals("+QUEUED\r\n", c.readReply());
                            assertEquals("*2\r\n+OK\r\n+OK\r\n", c.readReply());
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                readers.add(pool.submit(() -> {
                    try (RespClient c = new RespClient(server.port())) {
                        while (writing.get()) {
                            String reply = c.call("MGET", "a", "b");
                            String[] lines = reply.split("\r\n");
                            assertEquals(5, lines.length, reply);
                            assertEquals(lines[2], lines[4], "a and b differ: half an EXEC seen: " + reply);
                            reads.incrementAndGet();
                            reading.countDown();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get(5, TimeUnit.MINUTES);
            }
            writing.set(false);
            for (Future<?> f : readers) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(reads.get() > 0, "the readers ran");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
