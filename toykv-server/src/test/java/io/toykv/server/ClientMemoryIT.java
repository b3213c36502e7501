package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Clients that fill their buffers, against the packaged jar under a 256 MiB heap (unfinished huge
 * MSETs, KEYS on a large store without reading), are evicted and logged while a fresh client's PINGs
 * are still answered; a thread that dies of an Error ends the process (status 70) and a restart
 * has every acknowledged write.
 */
class ClientMemoryIT extends SmallHeapProcessTest {
    /**
     * The longest a well-behaved client may wait for its PING, whatever the others do: a liveness bound,
     * not a speed target (latency is printed, and measured by benchmarks). A server left half-dead by the
     * others stops answering altogether; on the shared 2-CPU machine under load average 12, a PING took
     * at most 1.7 s.
     */
    static final long STALL_MILLIS = 3000;
    /** What the checking client's own reply buffer may hold (an INFO reply grows it past its first KiB). */
    static final long OWN_BUFFER = 64 * 1024;
    /** A fresh client that PINGs every 20 ms and keeps each round trip's time. */
    static final class Probe implements AutoCloseable {
        final List<Long> millis = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;
        volatile Throwable failure;

        Probe(int port) {
            thread = new Thread(
                    () -> {
                        try (RespClient c = new RespClient(port, 30_000)) {
                            while (!stop.get()) {
                                long t0 = System.nanoTime();
                                String reply = c.call("PING");
                                millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                                if (!reply.equals("+PONG\r\n")) {
                                    throw new AssertionError("PING replied " + reply);
                                }
                                Thread.sleep(10);
                            }
                        } catch (Throwable e) {
                            failure = e;
                        }
                    },
                    "probe");
            thread.start();
        }

        long max() {
            synchronized (millis) {
                return millis.stream().mapToLong(Long::longValue).max().orElse(-1);
            }
        }

        long percentile(double p) {
            synchronized (millis) {
                List<Long> sorted = new ArrayList<>(millis);
                Collections.sort(sorted);
                return sorted.isEmpty() ? -1 : sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * p));
            }
        }

        /** Every PING was answered, none after more than {@link #STALL_MILLIS} (the server's GC log on failure). */
        void assertServed(ServerProcessIT.Server server) {
            assertEquals(null, failure, "probe failed: " + failure);
            assertTrue(!millis.isEmpty(), "no PING answered");
            String gc = server.log()
                    .lines()
                    .filter(l -> l.contains("Pause"))
                    .collect(java.util.stream.Collectors.joining("\n"));
            assertTrue(max() <= STALL_MILLIS, summary() + "\n" + gc);
        }

        String summary() {
            return millis.size() + " PINGs, p50 " + percentile(0.5) + " ms, p99 " + percentile(0.99) + " ms, max "
                    + max() + " ms";
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

    static long infoField(RespClient c, String name) throws IOException {
        Matcher m = Pattern.compile(name + ":(\\d+)").matcher(c.call("INFO"));
        assertTrue(m.find(), name + " missing from INFO");
        return Long.parseLong(m.group(1));
    }

    /**
     * A SET of a value at the default limit (512 MiB) that the heap cannot take: refused as its length
     * arrives (before the value is read or allocated) by evicting its client with an error; the server
     * stays up and serves the others, and a value that fits is stored.
     */
    @Test
    void aSetOf512MiBPastTheClientsBudgetIsRefusedWithAnErrorAndTheServerGoesOn() throws Exception {
        ServerProcessIT.Server server = startSmallHeap(dir.resolve("data"));
        try (RespClient c = new RespClient(server.port(), 30_000)) {
            assertEquals(
                    "*2\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n",
                    c.call("CONFIG", "GET", "proto-max-bulk-len"));
            c.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$536870912\r\n");
            String reply = c.readReply();
            assertTrue(reply.startsWith("-ERR Protocol error: client evicted"), reply);
            assertTrue(c.closedByServer());
        }
        try (RespClient other = new RespClient(server.port(), 30_000)) {
            assertEquals("+PONG\r\n", other.call("PING"));
            assertEquals("+OK\r\n", other.call("SET", "fits", "v".repeat(4 << 20)));
            assertEquals(":" + (4 << 20) + "\r\n", other.call("STRLEN", "fits"));
            assertEquals(1, infoField(other, "evicted_clients"));
        }
    }

    /** 40 clients each sending an unfinished MSET of 250 values of 1 MiB. */
    @Test
    void unfinishedHugeMsetsAreEvictedWhileOthersAreServed() throws Exception {
        ServerProcessIT.Server server = startSmallHeap(dir.resolve("data"));
        int clients = 40;
        byte[] value = new byte[1 << 20];
        java.util.Arrays.fill(value, (byte) 'v');
        List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
        List<Thread> senders = new ArrayList<>();
        try (Probe probe = new Probe(server.port())) {
            Thread.sleep(200);
            for (int i = 0; i < clients; i++) {
                int client = i;
                Thread t = new Thread(
                        () -> {
                            try {
                                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                                sockets.add(s);
                                OutputStream out = s.getOutputStream();
                                out.write("*501\r\n$4\r\nMSET\r\n".getBytes(StandardCharsets.US_ASCII));
                                for (int k = 0; k < 250; k++) {
                                    out.write(("$8\r\nc" + String.format("%02d", client % 100) + "k"
                                                    + String.format("%04d", k) + "\r\n$" + value.length + "\r\n")
                                            .getBytes(StandardCharsets.US_ASCII));
                                    out.write(value);
                                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                                }
                            } catch (IOException e) {
                                // evicted: the server closed the connection
                            }
                        },
                        "mset-" + i);
                t.start();
                senders.add(t);
            }
            for (Thread t : senders) {
                t.join(120_000);
            }
            Thread.sleep(500);
            assertTrue(server.process().isAlive(), server.log());
            System.out.println("unfinished MSETs: " + probe.summary());
            probe.assertServed(server);
        }
        try (RespClient c = new RespClient(server.port())) {
            long evicted = infoField(c, "evicted_clients");
            assertTrue(evicted > 0, "no client evicted");
            assertTrue(server.log().contains("evicted"), server.log());
            assertEquals("+OK\r\n", c.call("SET", "after", "ok"));
            assertEquals("$2\r\nok\r\n", c.call("GET", "after"));
            for (Socket s : sockets) {
                s.close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (infoField(c, "client_buffers_bytes") > OWN_BUFFER && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(
                    infoField(c, "client_buffers_bytes") <= OWN_BUFFER,
                    "buffers left accounted after every client left");
        }
    }

    /** 40 clients sending KEYS * to a large store without reading the replies. */
    @Test
    void keysWithoutReadingOnALargeStoreIsBoundedWhileOthersAreServed() throws Exception {
        ServerProcessIT.Server server = startSmallHeap(dir.resolve("data"), "--maxmemory-clients", "32mb");
        int keys = 300_000;
        try (RespClient c = new RespClient(server.port(), 60_000)) {
            for (int from = 0; from < keys; from += 1000) {
                List<String> args = new ArrayList<>(List.of("MSET"));
                for (int k = from; k < from + 1000; k++) {
                    args.add(String.format("key:%08d", k));
                    args.add("v");
                }
                c.send(RespClient.encode(args.toArray(new String[0])));
            }
            for (int from = 0; from < keys; from += 1000) {
                assertEquals("+OK\r\n", c.readReply());
            }
            assertEquals(":" + keys + "\r\n", c.call("DBSIZE"));
        }
        List<Socket> sockets = new ArrayList<>();
        try (Probe probe = new Probe(server.port())) {
            Thread.sleep(200);
            byte[] keysStar = RespClient.encode("KEYS", "*");
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                s.setReceiveBufferSize(4096);
                sockets.add(s);
                try {
                    for (int r = 0; r < 3; r++) {
                        s.getOutputStream().write(keysStar);
                    }
                } catch (IOException e) {
                    // evicted already
                }
            }
            Thread.sleep(8000);
            assertTrue(server.process().isAlive(), server.log());
            System.out.println("KEYS without reading: " + probe.summary());
            probe.assertServed(server);
        }
        try (RespClient c = new RespClient(server.port())) {
            assertTrue(infoField(c, "evicted_clients") > 0, server.log());
            assertTrue(infoField(c, "client_buffers_bytes") <= 32 << 20);
            for (Socket s : sockets) {
                s.close();
            }
            assertEquals(":" + keys + "\r\n", c.call("DBSIZE"));
        }
    }

    @Test
    void errorInAThreadEndsTheProcessAndARestartHasEveryAcknowledgedWrite() throws Exception {
        Path trigger = dir.resolve("inject-error");
        Path data = dir.resolve("data");
        String classpath = ServerProcessIT.jar() + java.io.File.pathSeparator + Path.of("target", "test-classes");
        ServerProcessIT.Server server = processes.start(
                List.of(
                        ServerProcessIT.javaBin(),
                        HEAP,
                        "-Dtoykv.test.trigger=" + trigger,
                        "-cp",
                        classpath,
                        ErrorInjectingServerMain.class.getName(),
                        "--port",
                        "0",
                        "--dir",
                        data.toString(),
                        "--shards",
                        "2"),
                Map.of());
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        Set<String> acked = ServerProcessIT.writeUntilGone(server.port(), stop, writers);
        Thread.sleep(1500);
        Files.createFile(trigger);
        long t0 = System.nanoTime();
        assertTrue(server.process().waitFor(10, TimeUnit.SECONDS), "still running after an Error: " + server.log());
        long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(ServerMain.EXIT_FATAL, server.process().exitValue(), server.log());
        assertTrue(ServerProcessIT.logShows(server, "FATAL"), server.log());
        System.out.println(
                "exit " + exitMillis + " ms after the injected Error; " + acked.size() + " writes acknowledged");
        stop.set(true);
        for (Thread t : writers) {
            t.join(10_000);
        }
        processes.dir = data;
        processes.assertAllPresent(acked);
    }
}
