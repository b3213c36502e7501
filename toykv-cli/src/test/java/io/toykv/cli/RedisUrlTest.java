package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisUrlTest {
    @Test
    void parsesEveryPart() {
        assertEquals(
                new RedisUrl(new ServerAddress("db.example", 7000), "alice", "p@ss:w+rd", 2),
                RedisUrl.parse("redis://alice:p%40ss%3Aw+rd@db.example:7000/2"));
    }

    @Test
    void defaultsArePort8888TheDefaultUserAndDatabase0() {
        assertEquals(
                new RedisUrl(new ServerAddress("localhost", 8888), null, null, 0), RedisUrl.parse("redis://localhost"));
        assertEquals(
                new RedisUrl(new ServerAddress("10.0.0.5", 8888), null, "secret", 0),
                RedisUrl.parse("REDIS://:secret@10.0.0.5/"));
        assertEquals(
                new RedisUrl(new ServerAddress("::1", 9000), null, "secret", 0),
                RedisUrl.parse("redis://secret@[::1]:9000"));
    }

    @Test
    void rejectsWhatItCannotUse() {
        assertEquals(
                "rediss:// (TLS) is not supported",
                assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse("rediss://h"))
                        .getMessage());
        assertEquals(
                "expected redis://[[user]:password@]host[:port][/db]",
                assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse("http://h"))
                        .getMessage());
        assertEquals(
                "the database must be a number, got 'x'",
                assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse("redis://h/x"))
                        .getMessage());
        assertEquals(
                "no host in redis://",
                assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse("redis://"))
                        .getMessage());
    }

    @Test
    void promptShowsTheDatabaseAfterASelectTheServerAccepted() throws IOException {
        try (FakeRespServer server = new FakeRespServer();
                ClientSession session = new ClientSession(
                        new ServerAddress("127.0.0.1", server.port()),
                        null,
                        new RawPrinter(),
                        new ByteArrayOutputStream(),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new KnownKeys())) {
            session.connect();
            assertEquals("127.0.0.1:" + server.port() + "> ", session.prompt());
            session.execute(List.of("select".getBytes(StandardCharsets.UTF_8), "3".getBytes(StandardCharsets.UTF_8)));
            assertEquals("127.0.0.1:" + server.port() + "[3]> ", session.prompt());
            session.execute(List.of("SELECT".getBytes(StandardCharsets.UTF_8), "0".getBytes(StandardCharsets.UTF_8)));
            assertEquals("127.0.0.1:" + server.port() + "> ", session.prompt());
        }
    }
}
