package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data survives a restart; SHUTDOWN stops the server cleanly. */
class RestartAndShutdownTest {
    @TempDir
    Path dir;

    @Test
    void restartServesEverythingWritten() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                RespClient c = new RespClient(server.port())) {
            for (int i = 0; i < 1000; i++) {
                assertEquals("+OK\r\n", c.call("SET", "k" + i, "v" + i));
            }
            assertEquals(":1\r\n", c.call("DEL", "k0"));
        }
        try (ToykvServer server = TestServers.start(dir);
                RespClient c = new RespClient(server.port())) {
            assertEquals(":999\r\n", c.call("DBSIZE"));
            assertEquals("$4\r\nv999\r\n", c.call("GET", "k999"));
            assertEquals("$-1\r\n", c.call("GET", "k0"));
        }
    }

    @Test
    void shutdownCommandClosesClientsAndTheStore() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            ToykvServer server = TestServers.start(dir);
            try (RespClient a = new RespClient(server.port());
                    RespClient b = new RespClient(server.port())) {
                assertEquals("+OK\r\n", a.call("SET", "k", "v"));
                assertEquals("+PONG\r\n", b.call("PING"));
                b.send(RespClient.encode("SHUTDOWN"));
                server.awaitShutdownRequest();
                assertTrue(b.closedByServer(), "SHUTDOWN closes without a reply");
                assertTrue(a.closedByServer(), "other clients are closed too");
            }
            server.shutdown(); // waits for the shutdown under way; a second call does nothing
            try (ToykvServer again = TestServers.start(dir);
                    RespClient c = new RespClient(again.port())) {
                assertEquals("$1\r\nv\r\n", c.call("GET", "k"));
            }
        });
    }

    @Test
    void shutdownAbortIsRefused() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                RespClient c = new RespClient(server.port())) {
            assertEquals("-ERR No shutdown in progress.\r\n", c.call("SHUTDOWN", "ABORT"));
            assertEquals("-ERR syntax error\r\n", c.call("SHUTDOWN", "LATER"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }
}
