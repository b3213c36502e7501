package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tab's question to the server: SCAN with MATCH prefix*, bounded in time, against the real server. */
class ServerKeyCompletionTest {
    @TempDir
    Path dir;

    private static ClientSession session(int port) {
        return new ClientSession(
                new ServerAddress("127.0.0.1", port),
                null,
                new RawPrinter(),
                new ByteArrayOutputStream(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new KnownKeys());
    }

    private static List<byte[]> words(String... w) {
        List<byte[]> list = new ArrayList<>();
        for (String s : w) {
            list.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return list;
    }

    private static List<String> sorted(List<byte[]> keys) {
        return keys.stream()
                .map(k -> new String(k, StandardCharsets.UTF_8))
                .sorted()
                .toList();
    }

    @Test
    void findsTheServersKeysWithThePrefixTakenLiterally() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("db"));
                ClientSession session = session(server.port())) {
            for (String key : List.of("tab:a", "tab:b", "tab*x", "tabby", "other")) {
                assertTrue(session.execute(words("put", key, "v")));
            }
            assertEquals(List.of("tab*x", "tab:a", "tab:b", "tabby"), sorted(session.keysStartingWith("tab")));
            assertEquals(List.of("tab:a", "tab:b"), sorted(session.keysStartingWith("tab:")));
            assertEquals(List.of("tab*x"), sorted(session.keysStartingWith("tab*")));
            assertEquals(List.of(), sorted(session.keysStartingWith("none")));
        }
    }

    @Test
    void neverConnectsForTab() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("db"));
                ClientSession session = session(server.port())) {
            assertEquals(List.of(), session.keysStartingWith(""));
            assertFalse(session.isConnected());
        }
    }

    @Test
    void aSilentServerCostsAboutTheTimeBudgetAndTheConnection() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ClientSession session = session(silent.getLocalPort())) {
            assertTrue(session.connect());
            try (Socket accepted = silent.accept()) {
                long started = System.nanoTime();
                assertEquals(List.of(), session.keysStartingWith("k"));
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertTrue(millis < 2_000, "bounded by " + ClientSession.COMPLETION_MILLIS + " ms, took " + millis);
                assertFalse(session.isConnected(), "the half-read reply's connection is dropped");
            }
        }
    }

    @Test
    void tabAsksForTheServersDocsOnlyWhileConnected() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("db"));
                ClientSession session = session(server.port())) {
            assertTrue(session.docsIfConnected().isEmpty());
            assertFalse(session.isConnected(), "Tab never connects");
            assertTrue(session.connect());
            assertEquals(true, session.docsIfConnected().lookup("strlen") != null);
            assertEquals(session.docsIfConnected(), session.cachedDocs(), "fetched once, then cached");
        }
    }

    @Test
    void globEscapeQuotesEveryWildcard() {
        assertEquals("a\\*b\\?c\\[d\\]e\\\\f", ClientSession.globEscape("a*b?c[d]e\\f"));
        assertEquals("plain:key", ClientSession.globEscape("plain:key"));
    }
}
