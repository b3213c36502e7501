package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/** Jedis's transactions (MULTI/EXEC, DISCARD, WATCH) against the server. */
class JedisTransactionTest {
    @TempDir
    Path dir;

    @Test
    void multiExecRunsTheQueuedCommands() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.set("k", "old");
            Transaction t = jedis.multi();
            Response<String> set = t.set("k", "new");
            Response<String> get = t.get("k");
            Response<Long> del = t.del("absent");
            List<Object> results = t.exec();
            assertEquals(3, results.size());
            assertEquals("OK", set.get());
            assertEquals("new", get.get());
            assertEquals(0L, del.get());
            assertEquals("new", jedis.get("k"));
        }
    }

    @Test
    void discardRunsNothing() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Transaction t = jedis.multi();
            t.set("t", "1");
            assertEquals("OK", t.discard());
            assertNull(jedis.get("t"));
        }
    }

    @Test
    void watchAbortsWhenAnotherClientWrites() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                Jedis jedis = new Jedis("127.0.0.1", server.port());
                Jedis other = new Jedis("127.0.0.1", server.port())) {
            jedis.set("balance", "10");
            assertEquals("OK", jedis.watch("balance"));
            other.set("balance", "20");
            Transaction t = jedis.multi();
            t.set("balance", "0");
            assertNull(t.exec(), "Jedis gives null for EXEC's null array");
            assertEquals("20", jedis.get("balance"));

            jedis.watch("balance"); // not touched this time: EXEC runs
            Transaction again = jedis.multi();
            again.set("balance", "30");
            assertEquals(List.of("OK"), again.exec());
            assertEquals("30", other.get("balance"));
        }
    }

    @Test
    void watchAbortInResp3() throws IOException {
        DefaultJedisClientConfig config =
                DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).build();
        try (ToykvServer server = TestServers.start(dir);
                Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", server.port()), config)) {
            jedis.watch("w");
            jedis.set("w", "changed");
            Transaction t = jedis.multi();
            t.get("w");
            assertNull(t.exec());
        }
    }

    @Test
    void queueingErrorAbortsTheTransaction() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Transaction t = jedis.multi();
            t.set("a", "1");
            t.sendCommand(() -> "NOSUCHCOMMAND".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "x");
            JedisDataException e = assertThrows(JedisDataException.class, t::exec);
            assertTrue(e.getMessage().startsWith("EXECABORT"), e.getMessage());
            assertNull(jedis.get("a"));
        }
    }
}
