package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CLIENT LIST, INFO and KILL over real sockets: addresses, ids and closes cross connections. */
class ClientIntrospectionTest {
    @TempDir
    Path dir;

    private static String field(String line, String name) {
        Matcher m = Pattern.compile("(?:^| )" + Pattern.quote(name) + "=(\\S*)").matcher(line);
        assertTrue(m.find(), name + " in " + line);
        return m.group(1);
    }

    @Test
    void listShowsEveryClientWithItsAddressesAndKillClosesThem() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                RespClient a = new RespClient(server.port());
                RespClient b = new RespClient(server.port());
                RespClient c = new RespClient(server.port())) {
            a.call("CLIENT", "SETNAME", "alpha");
            b.call("SET", "k", "v");
            String list = c.call("CLIENT", "LIST");
            String[] lines = list.substring(list.indexOf("\r\n") + 2).trim().split("\n");
            assertEquals(3, lines.length, list);
            String lineA = lines[0];
            assertEquals("alpha", field(lineA, "name"));
            assertEquals("127.0.0.1:" + a.socket().getLocalPort(), field(lineA, "addr"));
            assertEquals("127.0.0.1:" + server.port(), field(lineA, "laddr"));
            assertEquals("client|setname", field(lineA, "cmd"));
            assertEquals("set", field(lines[1], "cmd"));
            assertEquals("client|list", field(lines[2], "cmd"));
            assertTrue(Long.parseLong(field(lineA, "tot-mem")) > 0, lineA);

            String idB = field(lines[1], "id");
            String only = c.call("CLIENT", "LIST", "ID", idB, "999");
            assertTrue(only.contains("id=" + idB + " ") && !only.contains("name=alpha"), only);

            assertEquals(":1\r\n", c.call("CLIENT", "KILL", "ID", idB));
            assertTrue(b.closedByServer(), "the killed client's connection is closed");
            assertEquals(":0\r\n", c.call("CLIENT", "KILL", "ID", field(lines[2], "id")), "SKIPME yes by default");
            assertEquals("+OK\r\n", c.call("CLIENT", "KILL", field(lineA, "addr")));
            assertTrue(a.closedByServer());
            assertEquals(":1\r\n", c.call("CLIENT", "KILL", "LADDR", "127.0.0.1:" + server.port(), "SKIPME", "no"));
            assertTrue(c.closedByServer(), "a client that kills itself is closed after the reply");
        }
    }
}
