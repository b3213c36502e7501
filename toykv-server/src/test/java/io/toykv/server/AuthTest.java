package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
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
            assertEquals("-ERR unknown command 'nope', with args beginning with: \r\n", c.call("nope"),
                    "lookup comes before the authentication check, as in Redis");
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.call("AUTH", "bad"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                    c.call("AUTH", "alice", "s3cret"));
            assertTrue(c.call("HELLO", "3").startsWith("-NOAUTH HELLO must be called with the client already "
                    + "authenticated"));
            assertEquals("+OK\r\n", c.call("AUTH", "s3cret"));
            assertEquals("$-1\r\n", c.call("GET", "k"));
        }
    }

    @Test
    void helloAuthenticatesAndSwitchesProtocol() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).requirePass("s3cret"));
                RespClient c = new RespClient(server.port())) {
            assertTrue(c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me").startsWith("%7\r\n"));
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
}
