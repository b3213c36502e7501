package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.StoreOptions;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values of many megabytes through the server at the default limits: written, read, changed and kept
 * across a restart; the bulk-length limit is the store's 512 MiB value limit; a value the clients'
 * memory budget cannot hold evicts its client with an error and the server goes on.
 */
class LargeValueServerTest {
    @TempDir
    Path dir;

    private static final int SIXTEEN_MIB_AND_ONE = (16 << 20) + 1;

    /** The default store options (512 MiB values) with two shards. */
    private ServerConfig config() {
        return new ServerConfig()
                .port(0)
                .dir(dir)
                .storeOptions(StoreOptions.defaults().shards(2))
                .quiet(true);
    }

    /** A value whose every byte depends on its position, so a shifted or truncated copy shows. */
    private static String value(int length) {
        byte[] v = new byte[length];
        for (int i = 0; i < length; i++) {
            v[i] = (byte) ('a' + (i * 7 + i / 4093) % 26);
        }
        return new String(v, StandardCharsets.ISO_8859_1);
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    @Test
    void aValueOfSixteenMiBIsSetReadChangedAndKeptAcrossARestart() throws IOException {
        String v = value(SIXTEEN_MIB_AND_ONE);
        try (ToykvServer server = TestServers.start(config());
                RespClient c = new RespClient(server.port(), 60_000)) {
            assertEquals("+OK\r\n", c.call("SET", "big", v));
            assertEquals(bulk(v), c.call("GET", "big"));
            assertEquals(":" + v.length() + "\r\n", c.call("STRLEN", "big"));
            assertEquals(bulk(v.substring(v.length() - 5)), c.call("GETRANGE", "big", "-5", "-1"));
            assertEquals(":" + (v.length() + 3) + "\r\n", c.call("APPEND", "big", "xyz"));
            assertEquals("+OK\r\n", c.call("SET", "other", v.substring(0, 3 << 20)));
            assertEquals(":1\r\n", c.call("DEL", "other"));
        }
        try (ToykvServer server = TestServers.start(config());
                RespClient c = new RespClient(server.port(), 60_000)) {
            assertEquals(bulk(v + "xyz"), c.call("GET", "big"));
        }
    }

    @Test
    void theBulkLengthLimitIsTheValueLimitOf512MiB() throws IOException {
        try (ToykvServer server = TestServers.start(config());
                RespClient c = new RespClient(server.port())) {
            assertEquals(
                    "*2\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n",
                    c.call("CONFIG", "GET", "proto-max-bulk-len"));
            assertEquals(536_870_912L + 1024, server.config().maxOutputBuffer(), "a GET of the largest value fits");
            c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870913\r\n");
            assertEquals("-ERR Protocol error: invalid bulk length\r\n", c.readReply());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aValuePastTheClientsMemoryBudgetEvictsItsClientWithAnErrorAndTheServerGoesOn() throws IOException {
        try (ToykvServer server = TestServers.start(config().maxMemoryClients(8 << 20));
                RespClient c = new RespClient(server.port(), 60_000)) {
            String reply;
            try {
                c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (32 << 20) + "\r\n");
                byte[] chunk = new byte[1 << 20];
                Arrays.fill(chunk, (byte) 'x');
                for (int i = 0; i < 32; i++) {
                    c.send(chunk);
                }
                c.send("\r\n");
                reply = c.readReply();
            } catch (SocketException e) {
                reply = null; // evicted and reset while the value was still being sent: counted below
            }
            LimitsTest.assertEvicted(reply, c, server.port());
            try (RespClient other = new RespClient(server.port())) {
                assertEquals("$-1\r\n", other.call("GET", "k"));
                assertEquals("+OK\r\n", other.call("SET", "k", value(2 << 20)));
            }
        }
    }
}
