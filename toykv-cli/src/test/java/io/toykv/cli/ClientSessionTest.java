package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one-command-at-a-time session behind the interactive prompt. */
class ClientSessionTest {
    private FakeRespServer server;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final KnownKeys keys = new KnownKeys();

    @BeforeEach
    void start() throws IOException {
        server = new FakeRespServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private ClientSession session(int port) {
        return new ClientSession(
                new ServerAddress("127.0.0.1", port),
                null,
                new TerminalPrinter(),
                out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                keys);
    }

    private static List<byte[]> words(String... w) {
        List<byte[]> list = new ArrayList<>();
        for (String s : w) {
            list.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return list;
    }

    private String out() {
        String s = out.toString(StandardCharsets.UTF_8);
        out.reset();
        return s;
    }

    @Test
    void promptShowsTheAddressOrNotConnected() {
        try (ClientSession s = session(server.port())) {
            assertEquals("not connected> ", s.prompt());
            assertTrue(s.connect());
            assertEquals("127.0.0.1:" + server.port() + "> ", s.prompt());
        }
    }

    @Test
    void unreachableServerLeavesTheSessionUsable() throws IOException {
        // A port held by a bound socket that does not listen: connecting is refused, and no other
        // socket can take it meanwhile. (A port freed by closing a server could be taken again, even
        // by the client's own connect, which then connects to itself: this test once failed so.)
        try (java.net.Socket holder = new java.net.Socket()) {
            holder.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            int port = holder.getLocalPort();
            try (ClientSession s = session(port)) {
                assertFalse(s.execute(words("get", "k")));
                assertEquals("not connected> ", s.prompt());
                assertEquals(
                        "Could not connect to 127.0.0.1:" + port + ": Connection refused\n",
                        err.toString(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void lostConnectionIsReportedAndTheNextCommandReconnects() {
        try (ClientSession s = session(server.port())) {
            assertTrue(s.execute(words("put", "k", "v")));
            assertFalse(s.execute(words("close")));
            assertEquals("Error: Server closed the connection\n", err.toString(StandardCharsets.UTF_8));
            assertEquals("not connected> ", s.prompt());
            assertTrue(s.execute(words("get", "k")));
            assertEquals("OK\n\"v\"\n", out());
        }
    }

    @Test
    void interruptAbandonsASlowCommandAndKeepsTheSessionConnected() throws Exception {
        try (ClientSession s = session(server.port())) {
            assertTrue(s.connect());
            CompletableFuture<Boolean> slow = CompletableFuture.supplyAsync(() -> s.execute(words("sleep", "10000")));
            Thread.sleep(200);
            s.interrupt();
            assertFalse(slow.get(5, TimeUnit.SECONDS));
            assertTrue(s.wasInterrupted());
            assertEquals("", err.toString(StandardCharsets.UTF_8));
            assertTrue(s.execute(words("ping")));
            assertEquals("PONG\n", out());
        }
    }

    /** One Ctrl-C (or a dropped connection) must not log the user out silently. */
    @Test
    void anAuthTypedInTheSessionIsSentAgainOnReconnect() throws Exception {
        try (FakeRespServer locked = new FakeRespServer("s3cret");
                ClientSession s = session(locked.port())) {
            assertFalse(s.execute(words("auth", "wrong")));
            assertTrue(s.execute(words("AUTH", "s3cret")));
            assertFalse(s.execute(words("auth", "wrong-again")), "a refused AUTH does not replace the good one");
            assertFalse(s.execute(words("close")));
            assertTrue(s.execute(words("put", "k", "v")));
            CompletableFuture<Boolean> slow = CompletableFuture.supplyAsync(() -> s.execute(words("sleep", "10000")));
            Thread.sleep(200);
            s.interrupt();
            assertFalse(slow.get(5, TimeUnit.SECONDS));
            assertTrue(s.execute(words("get", "k")));
            assertTrue(
                    s.execute(words("hello", "2", "auth", "default", "s3cret")), out.toString(StandardCharsets.UTF_8));
            assertFalse(s.execute(words("close")));
            assertTrue(s.execute(words("get", "k")));
            assertTrue(out().endsWith("\"v\"\n"));
        }
    }

    /** q at the pager's prompt during a client scan: the scan asks for no more pages. */
    @Test
    void stoppingTheOutputStopsAScanAfterItsPage() throws IOException {
        for (int i = 0; i < 2500; i++) {
            server.data.put(String.format("k%04d", i), new byte[] {'v'});
        }
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        try (org.jline.terminal.Terminal terminal = new org.jline.terminal.impl.DumbTerminal(
                "test",
                "xterm-256color",
                new java.io.ByteArrayInputStream(new byte[] {'q'}),
                screen,
                StandardCharsets.UTF_8)) {
            terminal.setSize(new org.jline.terminal.Size(80, 3));
            Pager pager = new Pager(terminal, true);
            try (ClientSession s = new ClientSession(
                    new ServerAddress("127.0.0.1", server.port()),
                    null,
                    new RawPrinter(),
                    pager,
                    new PrintStream(err, true, StandardCharsets.UTF_8),
                    keys)) {
                pager.onStop(s::stopOutput);
                pager.startReply();
                assertTrue(s.execute(words("scan")));
                pager.endReply();
            }
        }
        assertEquals(
                "k0000\nv\n" + String.format(Pager.MORE, 2, ClientSession.SCAN_PAGE_SIZE * 2) + "\r\u001b[K",
                screen.toString(StandardCharsets.UTF_8));
        assertEquals(ClientSession.SCAN_PAGE_SIZE, keys.snapshot().size(), "one page fetched, not three");
    }

    @Test
    void keysSeenInRepliesBecomeCompletions() {
        try (ClientSession s = session(server.port())) {
            s.execute(words("put", "a", "1"));
            s.execute(words("put", "b", "2"));
            s.execute(words("del", "a"));
            server.data.put("c", "3".getBytes(StandardCharsets.UTF_8));
            s.execute(words("scan"));
            assertEquals(
                    List.of("b", "c"),
                    keys.snapshot().stream()
                            .map(k -> new String(k, StandardCharsets.UTF_8))
                            .sorted()
                            .toList());
        }
    }

    @Test
    void ourCommandsCheckTheirArgumentsBeforeSending() {
        try (ClientSession s = session(server.port())) {
            assertFalse(s.execute(words("put", "k")));
            assertFalse(s.execute(words("scan", "a", "b", "c")));
            assertEquals(
                    "(error) wrong number of arguments for 'put', usage: put key value\n"
                            + "(error) syntax error, usage: scan [start [end]] [LIMIT n]\n",
                    out());
            assertEquals(null, server.commandCounts.get("SET"));
        }
    }
}
