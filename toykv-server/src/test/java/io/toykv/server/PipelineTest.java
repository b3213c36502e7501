package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/** Pipelining: many requests per read, replies in order, and no deadlock when the client reads last. */
class PipelineTest {
    static final int MILLION = 1_000_000;

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
    void batchInOneWriteGetsRepliesInOrder() throws IOException {
        try (RespClient c = new RespClient(server.port())) {
            StringBuilder batch = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                batch.append(new String(RespClient.encode("SET", "k" + i, "v" + i), StandardCharsets.ISO_8859_1));
                batch.append("GET k").append(i).append("\r\n"); // inline and arrays mixed in one stream
                String v = "v" + i;
                expected.append("+OK\r\n$")
                        .append(v.length())
                        .append("\r\n")
                        .append(v)
                        .append("\r\n");
            }
            c.send(batch.toString());
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                got.append(c.readReply());
            }
            assertEquals(expected.toString(), got.toString());
        }
    }

    /**
     * One thread writes a million commands, then reads a million replies. A server that stops reading
     * while its replies are unread deadlocks here: both sides block in write.
     */
    @Test
    void millionCommandPipelineWrittenBeforeAnyReplyIsReadCompletes() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            try (RespClient c = new RespClient(server.port(), 60_000)) {
                OutputStream out = new BufferedOutputStream(c.out(), 64 * 1024);
                byte[] set = RespClient.encode("SET", "key", "value-value-value");
                byte[] get = RespClient.encode("GET", "key");
                for (int i = 0; i < MILLION; i++) {
                    out.write(i % 2 == 0 ? set : get);
                }
                out.flush();
                byte[] ok = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
                byte[] value = "$17\r\nvalue-value-value\r\n".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < MILLION; i++) {
                    byte[] want = i % 2 == 0 ? ok : value;
                    byte[] got = c.in().readNBytes(want.length);
                    if (!java.util.Arrays.equals(want, got)) {
                        throw new AssertionError("reply " + i + ": " + new String(got, StandardCharsets.ISO_8859_1));
                    }
                }
            }
        });
    }

    @Test
    void jedisMillionCommandPipelineCompletes() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 60_000)) {
                Pipeline p = jedis.pipelined();
                for (int i = 0; i < MILLION - 1; i++) {
                    p.set("k" + (i % 1000), "v" + i);
                }
                Response<String> last = p.get("k999");
                List<Object> all = p.syncAndReturnAll();
                assertEquals(MILLION, all.size());
                assertEquals("OK", all.get(0));
                assertEquals("v998999", last.get(), "k999 was last set at i = 998999");
            }
        });
    }
}
