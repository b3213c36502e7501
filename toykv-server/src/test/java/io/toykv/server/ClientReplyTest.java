package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * CLIENT REPLY ON|OFF|SKIP over a real socket. Commands are sent without reading, then the first reply
 * read shows which replies were dropped: each command sent has a reply of its own shape.
 */
class ClientReplyTest extends ServerTest {
    /** Sends each command as its own write, reading nothing. */
    private void sendEach(String[]... commands) throws IOException {
        for (String[] command : commands) {
            c.send(RespClient.encode(command));
        }
    }

    private static String[] cmd(String... args) {
        return args;
    }

    @Test
    void offDropsEveryReplyErrorsIncludedUntilOn() throws IOException {
        sendEach(
                cmd("CLIENT", "REPLY", "OFF"),
                cmd("INCR", "n"),
                cmd("PING", "dropped"),
                cmd("NOSUCHCOMMAND"),
                cmd("GET"),
                cmd("CLIENT", "REPLY", "ON"));
        assertEquals("+OK\r\n", c.readReply(), "ON's reply comes first");
        assertEquals("$1\r\n1\r\n", c.call("GET", "n"), "the silenced INCR ran");
    }

    @Test
    void repliesOfOneReadAreDroppedAndKeptCommandByCommand() throws IOException {
        byte[] one = concat(
                RespClient.encode("PING", "before"),
                RespClient.encode("CLIENT", "REPLY", "OFF"),
                RespClient.encode("INCR", "n"),
                RespClient.encode("CLIENT", "REPLY", "ON"),
                RespClient.encode("PING", "after"));
        c.send(one);
        assertEquals("$6\r\nbefore\r\n", c.readReply());
        assertEquals("+OK\r\n", c.readReply());
        assertEquals("$5\r\nafter\r\n", c.readReply());
    }

    @Test
    void skipDropsTheNextReplyOnly() throws IOException {
        sendEach(cmd("CLIENT", "REPLY", "SKIP"), cmd("PING", "dropped"), cmd("PING", "kept"));
        assertEquals("$4\r\nkept\r\n", c.readReply());
        assertEquals("+PONG\r\n", c.call("PING"));
    }

    @Test
    void onCancelsASkip() throws IOException {
        sendEach(cmd("CLIENT", "REPLY", "SKIP"), cmd("CLIENT", "REPLY", "ON"));
        assertEquals("+OK\r\n", c.readReply());
        assertEquals("+PONG\r\n", c.call("PING"));
    }

    @Test
    void skipWhileOffLeavesNothingPendingForAfterOn() throws IOException {
        sendEach(cmd("CLIENT", "REPLY", "OFF"), cmd("CLIENT", "REPLY", "SKIP"), cmd("CLIENT", "REPLY", "ON"));
        assertEquals("+OK\r\n", c.readReply());
        assertEquals("+PONG\r\n", c.call("PING"));
    }

    @Test
    void aBadModeOrArityIsAnError() throws IOException {
        assertEquals("-ERR syntax error\r\n", c.call("CLIENT", "REPLY", "MAYBE"));
        assertEquals("-ERR wrong number of arguments for 'client|reply' command\r\n", c.call("CLIENT", "REPLY"));
        assertEquals(
                "-ERR wrong number of arguments for 'client|reply' command\r\n",
                c.call("CLIENT", "REPLY", "ON", "OFF"));
        assertEquals("+PONG\r\n", c.call("PING"), "replies stay on");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
