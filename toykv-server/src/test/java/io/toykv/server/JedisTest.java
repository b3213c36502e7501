package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/** A real client library from Maven Central against the server. */
class JedisTest {
    @TempDir
    Path dir;

    @Test
    void stringCommandsScanAndPipeline() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertEquals("OK", jedis.set("a", "1"));
            assertEquals("1", jedis.get("a"));
            assertNull(jedis.get("missing"));
            assertNull(jedis.set("a", "2", SetParams.setParams().nx()));
            assertEquals("OK", jedis.mset("b", "2", "c", "3"));
            assertEquals(List.of("1", "2", "3"), jedis.mget("a", "b", "c"));
            assertEquals(2, jedis.del("a", "b"));
            assertEquals(1, jedis.dbSize());
            for (int i = 0; i < 250; i++) {
                jedis.set("s" + i, "v");
            }
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> r =
                        jedis.scan(cursor, new ScanParams().match("s*").count(40));
                seen.addAll(r.getResult());
                cursor = r.getCursor();
            } while (!cursor.equals("0"));
            assertEquals(250, seen.size());
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < 100; i++) {
                p.set("p" + i, "v" + i);
                p.get("p" + i);
            }
            List<Object> replies = p.syncAndReturnAll();
            assertEquals(200, replies.size());
            assertEquals("v99", replies.get(199));
            JedisDataException e = assertThrows(
                    JedisDataException.class,
                    () -> jedis.sendCommand(() -> "NOPE".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            assertTrue(e.getMessage().startsWith("ERR unknown command 'NOPE'"), e.getMessage());
        }
    }

    @Test
    void authAndResp3Handshake() throws IOException {
        try (ToykvServer server = TestServers.start(TestServers.config(dir).requirePass("pw"))) {
            try (Jedis anonymous = new Jedis("127.0.0.1", server.port())) {
                JedisDataException e = assertThrows(JedisDataException.class, () -> anonymous.get("k"));
                assertTrue(e.getMessage().startsWith("NOAUTH"), e.getMessage());
                assertEquals("OK", anonymous.auth("pw"));
                assertEquals("OK", anonymous.set("k", "v"));
            }
            DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
                    .password("pw")
                    .protocol(RedisProtocol.RESP3)
                    .clientName("resp3-client")
                    .build();
            try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", server.port()), config)) {
                assertEquals("v", jedis.get("k"));
                assertNull(jedis.get("absent"));
                assertEquals("resp3-client", jedis.clientGetname());
            }
        }
    }

    @Test
    void countersFromConcurrentClientsLoseNoIncrement() throws Exception {
        try (ToykvServer server = TestServers.start(dir)) {
            int clients = 4;
            int each = 250;
            List<Thread> threads = new java.util.ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            for (int t = 0; t < clients; t++) {
                Thread thread = new Thread(() -> {
                    try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                        for (int i = 0; i < each; i++) {
                            jedis.incr("hits");
                            jedis.incrByFloat("score", 0.25);
                        }
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(List.of(), failures);
            try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                assertEquals("1000", jedis.get("hits"));
                assertEquals("250", jedis.get("score"));
                assertEquals(990, jedis.decrBy("hits", 10));
                assertEquals(1000, jedis.incrBy("hits", 10));
                assertEquals(999, jedis.decr("hits"));
                assertEquals(250.5, jedis.incrByFloat("score", 0.5));
                assertEquals(1, jedis.setnx("fresh", "x"));
                assertEquals(0, jedis.setnx("fresh", "y"));
                assertEquals(4, jedis.append("fresh", "abc"));
                assertEquals("bc", jedis.getrange("fresh", 2, -1));
                assertEquals("xabc", jedis.getDel("fresh"));
                jedis.set("word", "text");
                JedisDataException e = assertThrows(JedisDataException.class, () -> jedis.incr("word"));
                assertEquals("ERR value is not an integer or out of range", e.getMessage());
                e = assertThrows(JedisDataException.class, () -> jedis.incrByFloat("word", 1));
                assertEquals("ERR value is not a valid float", e.getMessage());
            }
        }
    }

    @Test
    void selectAndAUrlWithADatabase() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                Jedis zero = new Jedis("127.0.0.1", server.port());
                Jedis one = new Jedis(java.net.URI.create("redis://127.0.0.1:" + server.port() + "/1"))) {
            one.set("k", "one");
            assertNull(zero.get("k"), "the URL's connection is in database 1");
            zero.set("k", "zero");
            assertEquals("one", one.get("k"));
            assertEquals("OK", zero.select(1));
            assertEquals("one", zero.get("k"));
            assertEquals(1, zero.move("k", 2));
            assertNull(one.get("k"));
            assertEquals("OK", zero.swapDB(0, 2));
            zero.select(0);
            assertEquals("one", zero.get("k"));
            assertEquals(1, zero.dbSize());
            assertThrows(JedisDataException.class, () -> zero.select(16));
            assertEquals("OK", zero.flushAll());
            assertEquals(0, zero.dbSize());
        }
    }

    @Test
    void expiryThroughJedis() throws IOException {
        try (ToykvServer server = TestServers.start(dir);
                Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertEquals(
                    "OK", jedis.set("session", "data", SetParams.setParams().ex(100)));
            long ttl = jedis.ttl("session");
            assertTrue(ttl > 0 && ttl <= 100, "ttl " + ttl);
            jedis.set("plain", "v");
            assertEquals(-1, jedis.ttl("plain"));
            assertEquals(-2, jedis.ttl("missing"));
            assertEquals(1, jedis.expire("plain", 50));
            long plainTtl = jedis.pttl("plain");
            assertTrue(plainTtl > 0 && plainTtl <= 50_000, "pttl " + plainTtl);
            assertEquals(0, jedis.expire("missing", 50));
            assertEquals("OK", jedis.setex("cache", 30, "x"));
            assertTrue(jedis.ttl("cache") > 0);
            assertEquals(1, jedis.persist("cache"));
            assertEquals(-1, jedis.ttl("cache"));
            assertNull(jedis.set("session", "other", SetParams.setParams().nx().px(5000)));
            assertEquals(
                    "OK",
                    jedis.set("session", "other", SetParams.setParams().xx().keepTtl()));
            assertTrue(jedis.ttl("session") > 0, "KEEPTTL kept the expiry");
            assertEquals(1, jedis.expire("session", -1));
            assertNull(jedis.get("session"));
        }
    }
}
