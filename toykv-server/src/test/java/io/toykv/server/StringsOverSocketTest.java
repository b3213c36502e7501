package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counters, string and key commands through a real server's socket, in RESP2 and RESP3. */
class StringsOverSocketTest {
    @TempDir
    Path dir;

    @Test
    void countersAndStringsInBothProtocols() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                RespClient c = new RespClient(server.port())) {
            inBothProtocols(c);
        }
    }

    private static void inBothProtocols(RespClient c) throws IOException {
        for (String protocol : new String[] {"2", "3"}) {
            c.call("HELLO", protocol);
            c.call("FLUSHALL");
            assertEquals(":5\r\n", c.call("INCRBY", "n", "5"));
            assertEquals(":4\r\n", c.call("DECR", "n"));
            assertEquals("$3\r\n4.5\r\n", c.call("INCRBYFLOAT", "n", "0.5"), "a bulk string in RESP3 too");
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("INCR", "n"));
            assertEquals(":6\r\n", c.call("APPEND", "n", "abc"));
            assertEquals("$3\r\n.5a\r\n", c.call("GETRANGE", "n", "1", "3"));
            assertEquals(":6\r\n", c.call("SETRANGE", "n", "0", "X"));
            assertEquals("$6\r\nX.5abc\r\n", c.call("GETDEL", "n"));
            String nil = protocol.equals("3") ? "_\r\n" : "$-1\r\n";
            assertEquals(nil, c.call("GETSET", "n", "1"));
            assertEquals(nil, c.call("OBJECT", "ENCODING", "nothing"));
            assertEquals("$3\r\nint\r\n", c.call("OBJECT", "ENCODING", "n"));
            assertEquals(":1\r\n", c.call("MSETNX", "a", "1", "b", "2"));
            assertEquals("+OK\r\n", c.call("RENAME", "a", "c"));
            assertEquals(":1\r\n", c.call("COPY", "c", "d"));
            assertEquals(":3\r\n", c.call("TOUCH", "c", "d", "b", "a"));
        }
    }

    /** A file of pipelined increments in one write: each reply in order, the final count exact. */
    @Test
    void pipelinedIncrementsReplyInOrder() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                RespClient c = new RespClient(server.port())) {
            pipelined(c);
        }
    }

    private static void pipelined(RespClient c) throws IOException {
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            requests.append(new String(RespClient.encode("INCR", "p"), java.nio.charset.StandardCharsets.UTF_8));
        }
        c.send(requests.toString());
        for (int i = 1; i <= 200; i++) {
            assertEquals(":" + i + "\r\n", c.readReply());
        }
    }
}
