package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WATCH over a real socket: a watched key belongs to the database it was watched in. */
class WatchDatabasesTest extends ServerTest {
    private static final String PONG_ARRAY = "*1\r\n+PONG\r\n";
    private static final String ABORTED = "*-1\r\n";

    private RespClient watcher;
    private RespClient writer;

    @BeforeEach
    void secondClient() throws IOException {
        watcher = c;
        writer = new RespClient(server.port());
    }

    @AfterEach
    void closeSecondClient() {
        writer.close();
    }

    /** MULTI, PING, EXEC by the watcher: EXEC's reply. */
    private String execPing() throws IOException {
        assertEquals("+OK\r\n", watcher.call("MULTI"));
        assertEquals("+QUEUED\r\n", watcher.call("PING"));
        return watcher.call("EXEC");
    }

    /** The watcher selects {@code db}, sets {@code key} there when {@code value} is not null, and watches it. */
    private void watchIn(String db, String key, String value) throws IOException {
        assertEquals("+OK\r\n", watcher.call("SELECT", db));
        if (value != null) {
            assertEquals("+OK\r\n", watcher.call("SET", key, value));
        }
        assertEquals("+OK\r\n", watcher.call("WATCH", key));
    }

    @Test
    void aWriteToTheSameNameInAnotherDatabaseDoesNotAbort() throws IOException {
        watchIn("5", "x", "30");
        writer.call("SELECT", "1");
        assertEquals("+OK\r\n", writer.call("SET", "x", "10"));
        assertEquals(":1\r\n", writer.call("DEL", "x"));
        assertEquals(PONG_ARRAY, execPing());

        watchIn("5", "x", null);
        writer.call("SELECT", "5");
        writer.call("SET", "x", "11");
        assertEquals(ABORTED, execPing(), "the same name in the watched database");
    }

    @Test
    void theWatcherSelectingAnotherDatabaseKeepsWatchingTheFirst() throws IOException {
        watchIn("2", "x", "a");
        assertEquals("+OK\r\n", watcher.call("SELECT", "3"));
        assertEquals("+OK\r\n", watcher.call("WATCH", "x"));
        writer.call("SELECT", "2");
        writer.call("SET", "x", "b");
        assertEquals(ABORTED, execPing());
    }

    @Test
    void anExecWritingTheSameNameInAnotherDatabaseDoesNotAbort() throws IOException {
        watchIn("0", "x", "0");
        writer.call("MULTI");
        writer.call("SELECT", "4");
        writer.call("INCR", "x");
        assertEquals("*2\r\n+OK\r\n:1\r\n", writer.call("EXEC"));
        assertEquals(PONG_ARRAY, execPing());
    }

    @Test
    void flushdbAbortsOnlyWatchersOfItsOwnDatabase() throws IOException {
        writer.call("SELECT", "1");
        writer.call("SET", "x", "in one");
        watchIn("6", "x", "in six");
        assertEquals("+OK\r\n", writer.call("FLUSHDB"));
        assertEquals(PONG_ARRAY, execPing());

        watchIn("6", "x", null);
        writer.call("SELECT", "6");
        assertEquals("+OK\r\n", writer.call("FLUSHDB"));
        assertEquals(ABORTED, execPing());
    }

    @Test
    void moveAbortsWatchersInTheSourceAndTheTargetDatabase() throws IOException {
        writer.call("SET", "x", "moving");
        watchIn("2", "x", null); // absent in 2: the MOVE creates it
        try (RespClient source = new RespClient(server.port());
                RespClient bystander = new RespClient(server.port())) {
            source.call("WATCH", "x");
            bystander.call("SELECT", "3");
            bystander.call("WATCH", "x");
            assertEquals(":1\r\n", writer.call("MOVE", "x", "2"));
            assertEquals(ABORTED, execPing());
            source.call("MULTI");
            source.call("PING");
            assertEquals(ABORTED, source.call("EXEC"));
            bystander.call("MULTI");
            bystander.call("PING");
            assertEquals(PONG_ARRAY, bystander.call("EXEC"));
        }
    }

    @Test
    void swapdbAbortsOnlyWatchersOfTheSwappedDatabases() throws IOException {
        writer.call("SELECT", "1");
        writer.call("SET", "x", "in one");
        watchIn("0", "x", null); // absent in 0, present in 1
        assertEquals("+OK\r\n", writer.call("SWAPDB", "1", "2"));
        assertEquals(PONG_ARRAY, execPing(), "databases 1 and 2 swapped: 0 is untouched");

        watchIn("0", "x", null);
        assertEquals("+OK\r\n", writer.call("SWAPDB", "0", "2"));
        assertEquals(ABORTED, execPing(), "x appears in database 0");
    }
}
