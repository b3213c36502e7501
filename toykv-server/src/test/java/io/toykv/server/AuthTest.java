package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --requirepass: NOAUTH before AUTH, WRONGPASS for a bad password, HELLO with AUTH. */
class AuthTest {
    @TempDir
    Path dir;

    @Test
    void commandsNeedAuthAndWrongPasswordsAreRefused() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).requirePass("s3cret"));
                RespClient c = new RespClient(server.port())) {
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("GET", "k"));
            assertEquals(
                    "-ERR unknown command 'nope', with args beginning with: \r\n",
                    c.call("nope"),
                    "lookup comes before the authentication check, as in Redis");
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.call("AUTH", "bad"));
            assertEquals(
                    "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                    c.call("AUTH", "alice", "s3cret"));
            assertTrue(c.call("HELLO", "3")
                    .startsWith("-NOAUTH HELLO must be called with the client already " + "authenticated"));
            assertEquals("+OK\r\n", c.call("AUTH", "s3cret"));
            assertEquals("$-1\r\n", c.call("GET", "k"));
        }
    }

    @Test
    void helloAuthenticatesAndSwitchesProtocol() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).requirePass("s3cret"));
                RespClient c = new RespClient(server.port())) {
            assertTrue(c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me")
                    .startsWith("%7\r\n"));
            assertEquals("_\r\n", c.call("GET", "k"));
            assertEquals("$2\r\nme\r\n", c.call("CLIENT", "GETNAME"));
        }
    }

    @Test
    void authUserPasswordFormWorks() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).requirePass("s3cret"));
                RespClient c = new RespClient(server.port())) {
            assertEquals("+OK\r\n", c.call("AUTH", "default", "s3cret"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    void wrongPasswordsAreLoggedWithTheAddressAtMostOnceASecond() throws IOException, InterruptedException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String address;
        PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (ToykvServer server = ToykvServer.start(TestServers.config(dir).requirePass("s3cret"), logStream);
                RespClient c = new RespClient(server.port())) {
            address = "127.0.0.1:" + c.socket().getLocalPort();
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.call("AUTH", "bad"));
            for (int i = 0; i < 5; i++) {
                c.call("AUTH", "bad" + i);
            }
            Thread.sleep(1100);
            assertTrue(c.call("HELLO", "3", "AUTH", "default", "bad").startsWith("-WRONGPASS"));
            assertEquals("+OK\r\n", c.call("AUTH", "s3cret"));
        }
        List<String> lines = log.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.contains("wrong password"))
                .collect(Collectors.toList());
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(
                lines.get(0).matches(".* WARNING client\\(\\d+\\) from " + address + ": wrong password \\(AUTH\\)"),
                lines.get(0));
        assertTrue(
                lines.get(1).endsWith(": wrong password (HELLO AUTH) (5 more like it since the last line not logged)"),
                lines.get(1));
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("bad"), "passwords are not logged");
    }
}
