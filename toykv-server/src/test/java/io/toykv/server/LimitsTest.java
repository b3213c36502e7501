package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One test per limit: what the client sees past it, and that the server carries on. */
class LimitsTest {
    @TempDir
    Path dir;

    @Test
    void clientPastMaxClientsGetsAnErrorAndIsClosed() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).maxClients(2));
                RespClient a = new RespClient(server.port());
                RespClient b = new RespClient(server.port())) {
            assertEquals("+PONG\r\n", a.call("PING"));
            assertEquals("+PONG\r\n", b.call("PING"));
            try (RespClient c = new RespClient(server.port())) {
                assertEquals("-ERR max number of clients reached\r\n", c.readReply());
                assertTrue(c.closedByServer());
            }
            assertEquals("+PONG\r\n", a.call("PING"));
        }
    }

    @Test
    void clientPastMaxClientsThatSentACommandFirstStillGetsTheError() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).maxClients(1));
                RespClient a = new RespClient(server.port())) {
            assertEquals("+PONG\r\n", a.call("PING"));
            for (int i = 0; i < 20; i++) {
                try (RespClient c = new RespClient(server.port())) {
                    c.send(RespClient.encode("SET", "k", "v".repeat(10_000)));
                    assertEquals("-ERR max number of clients reached\r\n", c.readReply(), "attempt " + i);
                    assertTrue(c.closedByServer());
                }
            }
        }
    }

    /**
     * Hundreds of clients past the limit that never read (half of them send a command first) do not
     * hold up the accept loop: a client that comes right after them is answered at once (with the
     * error, or closed if too many rejections are under way), and once a slot is free a new client gets
     * PONG at once. The target is a few ms; the bounds are loose for a loaded CI host.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFloodOfRejectedClientsThatDoNotReadDoesNotDelayTheNextClient() throws Exception {
        int max = 4;
        int flood = 300;
        List<AutoCloseable> open = new ArrayList<>();
        try (ToykvServer server = TestServers.start(TestServers.config(dir).maxClients(max))) {
            RespClient first = null;
            for (int i = 0; i < max; i++) {
                RespClient c = new RespClient(server.port());
                assertEquals("+PONG\r\n", c.call("PING"));
                open.add(c);
                first = first == null ? c : first;
            }
            byte[] ping = RespClient.encode("PING");
            for (int i = 0; i < flood; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                open.add(s);
                if (i % 2 == 0) {
                    s.getOutputStream().write(ping);
                }
            }
            long t0 = System.nanoTime();
            String answer;
            try (RespClient next = new RespClient(server.port())) {
                answer = next.call("PING");
            } catch (EOFException | SocketException e) {
                answer = "closed";
            }
            double nextMillis = (System.nanoTime() - t0) / 1e6;
            assertTrue(answer.equals("-ERR max number of clients reached\r\n") || answer.equals("closed"), answer);
            while (rejected(first) < flood + 1) {
                Thread.sleep(1);
            }
            double floodMillis = (System.nanoTime() - t0) / 1e6;

            long t1 = System.nanoTime();
            open.remove(first);
            first.close();
            while (server.clients() >= max) {
                Thread.sleep(1);
            }
            double freeMillis = (System.nanoTime() - t1) / 1e6;
            long t2 = System.nanoTime();
            try (RespClient c = new RespClient(server.port())) {
                assertEquals("+PONG\r\n", c.call("PING"));
            }
            double pongMillis = (System.nanoTime() - t2) / 1e6;
            System.out.printf(
                    "max-clients %d, %d rejected clients that do not read: the next client answered in "
                            + "%.1f ms (%s), all rejected after %.1f ms; a closed client's slot free after %.1f ms, then "
                            + "connect and PONG in %.1f ms%n",
                    max, flood, nextMillis, answer.strip(), floodMillis, freeMillis, pongMillis);
            assertTrue(nextMillis < 1000, "next client answered after " + nextMillis + " ms");
            assertTrue(
                    freeMillis + pongMillis < 1000,
                    "slot free after " + freeMillis + " ms, PONG after " + pongMillis + " ms");
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }

    /** rejected_connections from INFO stats, asked on {@code c}. */
    private static long rejected(RespClient c) throws IOException {
        String info = c.call("INFO", "stats");
        int at = info.indexOf("rejected_connections:");
        return Long.parseLong(info.substring(at + "rejected_connections:".length(), info.indexOf('\r', at)));
    }

    @Test
    void idleClientIsClosedAfterTheTimeout() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).timeoutSeconds(1));
                RespClient c = new RespClient(server.port(), 5_000)) {
            assertEquals("+PONG\r\n", c.call("PING"));
            long start = System.nanoTime();
            assertTrue(c.closedByServer());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 900 && millis < 4_000, "closed after " + millis + " ms");
        }
    }

    @Test
    void bulkLongerThanTheValueLimitIsAProtocolErrorThatCloses() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                RespClient c = new RespClient(server.port())) {
            int max = server.config().limits().maxBulkLength();
            assertEquals(64 * 1024, max, "the bulk limit is the store's value limit");
            assertEquals("+OK\r\n", c.call("SET", "k", "x".repeat(max)), "a value at the limit is accepted");
            c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (max + 1) + "\r\n");
            assertEquals("-ERR Protocol error: invalid bulk length\r\n", c.readReply());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void argumentCountOverTheLimitIsAProtocolErrorThatCloses() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).maxArgs(10));
                RespClient c = new RespClient(server.port())) {
            assertEquals(":0\r\n", c.call("DEL", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
            c.send("*11\r\n");
            assertEquals("-ERR Protocol error: invalid multibulk length\r\n", c.readReply());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void inlineLineOverTheLimitIsAProtocolErrorThatCloses() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).maxInlineLength(100));
                RespClient c = new RespClient(server.port())) {
            c.send("ECHO " + "a".repeat(95) + "\r\n");
            assertEquals("$95\r\n" + "a".repeat(95) + "\r\n", c.readReply());
            c.send("ECHO " + "a".repeat(200));
            assertEquals("-ERR Protocol error: too big inline request\r\n", c.readReply());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void unauthenticatedClientHasSmallLimits() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).requirePass("pw"));
                RespClient c = new RespClient(server.port())) {
            c.send("*1\r\n$20000\r\n");
            assertEquals("-ERR Protocol error: unauthenticated bulk length\r\n", c.readReply());
            assertTrue(c.closedByServer());
        }
        try (ToykvServer server =
                        TestServers.start(TestServers.config(dir.resolve("b")).requirePass("pw"));
                RespClient c = new RespClient(server.port())) {
            c.send("*11\r\n");
            assertEquals("-ERR Protocol error: unauthenticated multibulk length\r\n", c.readReply());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void clientThatNeverReadsIsClosedPastTheOutputLimit() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).maxOutputBuffer(1 << 20));
                RespClient c = new RespClient(server.port(), 20_000)) {
            c.socket().setReceiveBufferSize(4096);
            assertEquals("+OK\r\n", c.call("SET", "big", "x".repeat(60_000)));
            byte[] get = RespClient.encode("GET", "big");
            boolean closed = false;
            for (int i = 0; i < 2_000 && !closed; i++) {
                try {
                    c.out().write(get);
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed || c.closedByServer(), "the server gave up on a client that never reads");
            try (RespClient other = new RespClient(server.port())) {
                assertEquals("+PONG\r\n", other.call("PING"));
            }
        }
    }

    @Test
    void limitsComeFromTheStoreOptions() {
        ServerConfig config = TestServers.config(dir);
        assertEquals(64 * 1024, config.limits().maxBulkLength());
        assertFalse(config.limits().maxArgs() < 1024 * 1024);
    }

    @Test
    void configGetShowsTheBufferLimits() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir)
                        .maxMemoryClients(3 << 20)
                        .maxOutputBuffer(2 << 20)
                        .clientQueryBufferLimit(5 << 20));
                RespClient c = new RespClient(server.port())) {
            assertEquals(
                    "*2\r\n$17\r\nmaxmemory-clients\r\n$7\r\n3145728\r\n",
                    c.call("CONFIG", "GET", "maxmemory-clients"));
            assertEquals(
                    "*2\r\n$26\r\nclient-output-buffer-limit\r\n$18\r\nnormal 2097152 0 0\r\n",
                    c.call("CONFIG", "GET", "client-output-buffer-limit"));
            assertEquals(
                    "*2\r\n$25\r\nclient-query-buffer-limit\r\n$7\r\n5242880\r\n",
                    c.call("CONFIG", "GET", "client-query-buffer-limit"));
            String info = c.call("INFO", "clients", "stats");
            assertTrue(
                    info.contains("client_buffers_bytes:")
                            && info.contains("maxmemory_clients:3145728")
                            && info.contains("evicted_clients:0"),
                    info);
        }
    }

    @Test
    void replyPastTheOutputLimitClosesTheClientWithoutAReply() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).maxOutputBuffer(16 * 1024));
                RespClient c = new RespClient(server.port())) {
            for (int i = 0; i < 2000; i += 100) {
                java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("MSET"));
                for (int k = i; k < i + 100; k++) {
                    args.add("key:" + k);
                    args.add("v");
                }
                assertEquals("+OK\r\n", c.call(args.toArray(new String[0])));
            }
            c.send(RespClient.encode("KEYS", "*"));
            int first;
            try {
                first = c.in().read();
            } catch (SocketException e) {
                first = -1; // reset by the server
            }
            assertEquals(-1, first, "closed, as Redis does, without an error reply");
            try (RespClient other = new RespClient(server.port())) {
                assertTrue(other.call("KEYS", "key:1?").startsWith("*10\r\n"), "a small KEYS still works");
            }
        }
    }

    @Test
    void requestPastAllClientsBudgetEvictsTheClientWithAnError() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).maxMemoryClients(256 * 1024));
                RespClient c = new RespClient(server.port())) {
            StringBuilder sb = new StringBuilder("*41\r\n$4\r\nMSET\r\n");
            for (int i = 0; i < 20; i++) {
                sb.append("$2\r\nk")
                        .append(i % 10)
                        .append("\r\n$")
                        .append(60_000)
                        .append("\r\n")
                        .append("x".repeat(60_000))
                        .append("\r\n");
            }
            String reply;
            try {
                c.send(sb.toString());
                reply = c.readReply();
            } catch (SocketException e) {
                // Evicted and closed while the rest of the request was still being sent: the error reply
                // is lost to the reset, but the eviction is counted below all the same.
                reply = null;
            }
            assertEvicted(reply, c, server.port());
        }
    }

    /**
     * After a request past all clients' budget: its client got the eviction error (unless a reset took
     * it: {@code reply} null) and was closed; another client finds the eviction counted and the server
     * answering.
     */
    static void assertEvicted(String reply, RespClient c, int port) throws IOException {
        if (reply != null) {
            assertTrue(reply.startsWith("-ERR Protocol error: client evicted"), reply);
            assertTrue(c.closedByServer());
        }
        try (RespClient other = new RespClient(port)) {
            assertTrue(other.call("INFO", "stats").contains("evicted_clients:1"));
            assertEquals("+PONG\r\n", other.call("PING"));
        }
    }

    /**
     * Connections cost their base (read and reply buffers) and their unfinished inline lines (up to
     * 64 KiB each, without a newline): 20 of them pass a 1 MiB budget, so the largest are evicted.
     */
    @Test
    void manyConnectionsWithUnfinishedInlineLinesAreCountedAndEvicted() throws Exception {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).maxMemoryClients(1 << 20));
                RespClient info = new RespClient(server.port())) {
            List<RespClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    clients.add(new RespClient(server.port()));
                }
                long idle = 0;
                for (int i = 0; i < 100 && idle < 21L * Connection.READER_BYTES; i++) {
                    idle = bufferBytes(info.call("INFO", "clients"));
                    Thread.sleep(20);
                }
                assertTrue(idle >= 21L * Connection.READER_BYTES, "idle connections count: " + idle);
                byte[] partial =
                        "SET k ".concat("x".repeat(40_000)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                for (RespClient c : clients) {
                    try {
                        c.send(partial); // no newline: the line stays in the server's buffer
                    } catch (IOException e) {
                        // evicted already
                    }
                }
                String stats = "";
                for (int i = 0; i < 250; i++) {
                    stats = info.call("INFO", "stats");
                    if (!stats.contains("evicted_clients:0")) {
                        break;
                    }
                    Thread.sleep(20);
                }
                assertFalse(stats.contains("evicted_clients:0\r"), stats);
                long total = Long.MAX_VALUE;
                for (int i = 0;
                        i < 250 && total > 1 << 20;
                        i++) { // a reservation may be between its add and its eviction
                    total = bufferBytes(info.call("INFO", "clients"));
                    Thread.sleep(20);
                }
                assertTrue(total <= 1 << 20, "all clients' buffers " + total);
                assertEquals("+PONG\r\n", info.call("PING"));
            } finally {
                clients.forEach(RespClient::close);
            }
        }
    }

    private static long bufferBytes(String info) {
        int at = info.indexOf("client_buffers_bytes:") + "client_buffers_bytes:".length();
        int end = info.indexOf('\r', at);
        return Long.parseLong(info.substring(at, end));
    }

    /**
     * A connection whose thread cannot be started (platform threads past the OS's limit) is refused:
     * the server goes on, and the failed connection does not count towards max-clients.
     */
    @Test
    void aClientWhoseThreadCannotStartIsRefusedAndDoesNotCount() throws IOException {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ThreadFactory failingFirst = r -> {
            if (calls.incrementAndGet() == 1) {
                throw new OutOfMemoryError(
                        "unable to create native thread: possibly out of memory or process/resource limits reached");
            }
            return new Thread(r);
        };
        try (ToykvServer server =
                TestServers.start(TestServers.config(dir).maxClients(1).connectionThreads(failingFirst))) {
            try (RespClient refused = new RespClient(server.port())) {
                assertTrue(refused.closedByServer());
            }
            try (RespClient c = new RespClient(server.port())) {
                assertEquals("+PONG\r\n", c.call("PING"), "the failed connection is not counted");
                assertTrue(c.call("INFO", "clients").contains("connected_clients:1"));
            }
        }
    }
}
