package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input over real sockets: random and mutated frames, requests split at every byte, an HTTP
 * request, abrupt disconnects. The only allowed outcomes are replies and clean closes; the server must
 * keep serving other clients and never hang.
 */
class ProtocolFuzzTest {
    static final long SEED = 20261123L;
    static final String[] FRAMES = {
        "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
        "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n",
        "*1\r\n$4\r\nPING\r\n",
        "*4\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n$3\r\nkey\r\n",
        "SET k \"v w\"\r\n",
        "MGET key k\r\n",
        "*2\r\n$4\r\nSCAN\r\n$1\r\n0\r\n",
    };

    @TempDir
    Path dir;

    ToykvServer server;

    @BeforeEach
    void start() throws IOException {
        server = TestServers.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyFrameSplitAtEveryByteGetsTheSameReply() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (RespClient c = new RespClient(server.port())) {
                for (String frame : FRAMES) {
                    byte[] b = frame.getBytes(StandardCharsets.ISO_8859_1);
                    c.send(b);
                    c.readReply();
                    c.send(b); // the second reply is the steady one (DEL finds nothing the second time)
                    String expected = c.readReply();
                    for (int cut = 1; cut < b.length; cut++) {
                        c.out().write(b, 0, cut);
                        c.out().flush();
                        Thread.sleep(0, 200_000); // let the first part arrive as its own read
                        c.out().write(b, cut, b.length - cut);
                        c.out().flush();
                        String got = c.readReply();
                        assertEquals(expected, got, frame + " cut at " + cut);
                    }
                }
            }
        });
    }

    @Test
    void randomAndMutatedFramesGetRepliesOrACleanClose() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            Random random = new Random(SEED);
            for (int round = 0; round < 300; round++) {
                byte[] input = round % 3 == 0 ? randomBytes(random) : mutated(random);
                try (RespClient c = new RespClient(server.port(), 5_000)) {
                    try {
                        c.send(input);
                        c.socket().shutdownOutput(); // half-close: the server sees the end of our input
                    } catch (SocketException e) {
                        continue; // the server closed first (protocol error): allowed
                    }
                    drainUntilClosed(c.in(), round, input);
                }
            }
            try (RespClient c = new RespClient(server.port())) {
                assertEquals("+PONG\r\n", c.call("PING"), "the server still serves");
            }
        });
    }

    /** Reads replies until the server closes; fails on a hang or on bytes that are not RESP replies. */
    private static void drainUntilClosed(InputStream in, int round, byte[] input) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        try {
            int b;
            boolean lineStart = true;
            while ((b = in.read()) >= 0) {
                if (lineStart && "+-:$*_%=".indexOf(b) < 0) {
                    // Inside a bulk payload any byte is fine; a real check parses the replies in other tests.
                    lineStart = false;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("round " + round + ": no close within 5 s");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError(
                    "round " + round + ": server neither replied nor closed for input "
                            + new String(input, StandardCharsets.ISO_8859_1),
                    e);
        } catch (EOFException | SocketException e) {
            // Reset by the server after a protocol error: a clean close.
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[1 + random.nextInt(200)];
        random.nextBytes(b);
        return b;
    }

    private static byte[] mutated(Random random) {
        byte[] b = FRAMES[random.nextInt(FRAMES.length)].getBytes(StandardCharsets.ISO_8859_1);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int i = random.nextInt(b.length);
            switch (random.nextInt(4)) {
                case 0 -> b[i] = (byte) random.nextInt(256);
                case 1 -> b[i] = (byte) "0123456789*$-\r\n".charAt(random.nextInt(15));
                case 2 -> b = java.util.Arrays.copyOf(b, i); // truncated: the server waits, then sees our close
                default -> {
                    byte[] longer = new byte[b.length + 1];
                    System.arraycopy(b, 0, longer, 0, i);
                    longer[i] = (byte) random.nextInt(256);
                    System.arraycopy(b, i, longer, i + 1, b.length - i);
                    b = longer;
                }
            }
            if (b.length == 0) {
                b = new byte[] {'*'};
            }
        }
        return b;
    }

    @Test
    void httpRequestIsClosedWithoutHarm() throws IOException {
        try (RespClient c = new RespClient(server.port())) {
            c.send("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
            assertTrue(c.closedByServer());
        }
        try (RespClient c = new RespClient(server.port())) {
            c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals("-ERR wrong number of arguments for 'get' command\r\n", c.readReply());
            assertTrue(c.closedByServer(), "the Host: line closes the connection");
        }
    }

    @Test
    void abruptDisconnectsMidRequestDoNotDisturbOthers() throws IOException {
        try (RespClient steady = new RespClient(server.port())) {
            for (int i = 0; i < 50; i++) {
                RespClient c = new RespClient(server.port());
                c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nonly part of it");
                if (i % 2 == 0) {
                    c.socket().setSoLinger(true, 0); // RST instead of FIN
                }
                c.close();
                assertEquals("+PONG\r\n", steady.call("PING"));
            }
            assertEquals("$-1\r\n", steady.call("GET", "k"), "a half-received SET is not applied");
        }
    }
}
