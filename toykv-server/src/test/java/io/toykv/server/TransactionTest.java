package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MULTI, EXEC, DISCARD, WATCH and UNWATCH against the real server, reply bytes as Redis 7 sends them. */
class TransactionTest {
    @TempDir
    Path dir;

    private ToykvServer server;
    private RespClient c;

    @BeforeEach
    void start() throws IOException {
        server = TestServers.start(dir);
        c = new RespClient(server.port());
    }

    private static final String PONG_ARRAY = "*1\r\n+PONG\r\n";

    /** MULTI, PING, EXEC: EXEC's reply. */
    private static String execPing(RespClient client) throws IOException {
        assertEquals("+OK\r\n", client.call("MULTI"));
        assertEquals("+QUEUED\r\n", client.call("PING"));
        return client.call("EXEC");
    }

    @AfterEach
    void stop() {
        c.close();
        server.close();
    }

    @Test
    void queuedCommandsRunAtExecInOrder() throws IOException {
        assertEquals("+OK\r\n", c.call("MULTI"));
        assertEquals("+QUEUED\r\n", c.call("SET", "a", "1"));
        assertEquals("+QUEUED\r\n", c.call("GET", "a"));
        assertEquals("+QUEUED\r\n", c.call("DEL", "a", "b"));
        try (RespClient other = new RespClient(server.port())) {
            assertEquals("$-1\r\n", other.call("GET", "a"), "nothing runs before EXEC");
        }
        assertEquals("*3\r\n+OK\r\n$1\r\n1\r\n:1\r\n", c.call("EXEC"));
        assertEquals("$-1\r\n", c.call("GET", "a"));
    }

    @Test
    void emptyTransactionRepliesEmptyArray() throws IOException {
        c.call("MULTI");
        assertEquals("*0\r\n", c.call("EXEC"));
    }

    @Test
    void execAndDiscardWithoutMultiAreErrors() throws IOException {
        assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC"));
        assertEquals("-ERR DISCARD without MULTI\r\n", c.call("DISCARD"));
    }

    @Test
    void discardDropsTheQueue() throws IOException {
        c.call("MULTI");
        c.call("SET", "t", "1");
        assertEquals("+OK\r\n", c.call("DISCARD"));
        assertEquals("$-1\r\n", c.call("GET", "t"));
        assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC"));
    }

    @Test
    void nestedMultiIsAnErrorThatLeavesTheTransactionAlone() throws IOException {
        c.call("MULTI");
        c.call("SET", "a", "1");
        assertEquals("-ERR MULTI calls can not be nested\r\n", c.call("MULTI"));
        assertEquals("*1\r\n+OK\r\n", c.call("EXEC"));
    }

    @Test
    void watchInsideMultiIsAnErrorThatLeavesTheTransactionAlone() throws IOException {
        c.call("MULTI");
        assertEquals("-ERR WATCH inside MULTI is not allowed\r\n", c.call("WATCH", "x"));
        c.call("SET", "a", "1");
        assertEquals("*1\r\n+OK\r\n", c.call("EXEC"));
    }

    @Test
    void unknownCommandWhileQueueingAbortsExec() throws IOException {
        c.call("MULTI");
        c.call("SET", "a", "1");
        assertTrue(c.call("NOSUCH", "x").startsWith("-ERR unknown command 'NOSUCH'"));
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC"));
        assertEquals("$-1\r\n", c.call("GET", "a"), "nothing ran");
        assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC"), "the transaction is over");
    }

    @Test
    void arityErrorWhileQueueingAbortsExec() throws IOException {
        c.call("MULTI");
        c.call("SET", "a", "1");
        assertEquals("-ERR wrong number of arguments for 'get' command\r\n", c.call("GET"));
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC"));
        assertEquals("$-1\r\n", c.call("GET", "a"));
    }

    @Test
    void shutdownMayNotBeQueued() throws IOException {
        c.call("MULTI");
        assertEquals("-ERR Command not allowed inside a transaction\r\n", c.call("SHUTDOWN"));
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC"));
        assertEquals("+PONG\r\n", c.call("PING"), "the server still runs");
    }

    @Test
    void saveMayNotBeQueuedAndRepliesOkOutsideMulti() throws IOException {
        c.call("MULTI");
        c.call("SET", "a", "1");
        assertEquals("-ERR Command not allowed inside a transaction\r\n", c.call("SAVE"));
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC"));
        assertEquals("$-1\r\n", c.call("GET", "a"));
        c.call("SET", "a", "1");
        c.call("SELECT", "3");
        c.call("SET", "b", "2");
        assertEquals("+OK\r\n", c.call("SAVE"));
        assertEquals("-ERR wrong number of arguments for 'save' command\r\n", c.call("SAVE", "now"));
    }

    @Test
    void aRefusedConfigSetTakesItsSlotInExec() throws IOException {
        c.call("MULTI");
        c.call("SET", "a", "1");
        assertEquals("+QUEUED\r\n", c.call("CONFIG", "SET", "maxmemory", "bla"));
        String reply = c.call("EXEC");
        assertTrue(
                reply.startsWith("*2\r\n+OK\r\n-ERR CONFIG SET failed (possibly related to argument 'maxmemory')"),
                reply);
    }

    @Test
    void runtimeErrorTakesItsSlotAndTheRestRuns() throws IOException {
        c.call("MULTI");
        c.call("SET", "a", "1");
        assertEquals("+QUEUED\r\n", c.call("SET", "b", "2", "BADOPTION"), "options are checked when EXEC runs it");
        c.call("SET", "c", "3");
        assertEquals("*3\r\n+OK\r\n-ERR syntax error\r\n+OK\r\n", c.call("EXEC"));
        assertEquals("*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n", c.call("MGET", "a", "b", "c"));
    }

    @Test
    void quitInsideMultiClosesAtOnce() throws IOException {
        c.call("MULTI");
        c.call("SET", "a", "1");
        assertEquals("+OK\r\n", c.call("QUIT"));
        assertTrue(c.closedByServer());
        try (RespClient other = new RespClient(server.port())) {
            assertEquals("$-1\r\n", other.call("GET", "a"));
        }
    }

    @Test
    void helloInsideMultiIsQueuedAndSwitchesProtocolWhenRun() throws IOException {
        c.call("MULTI");
        assertEquals("+QUEUED\r\n", c.call("HELLO", "3"));
        assertEquals("+QUEUED\r\n", c.call("GET", "nope"));
        String reply = c.call("EXEC");
        assertTrue(reply.startsWith("*2\r\n%7\r\n"), reply);
        assertTrue(reply.endsWith("_\r\n"), "GET's null in RESP3: " + reply);
    }

    @Test
    void clientInfoShowsQueuedCount() throws IOException {
        assertTrue(c.call("CLIENT", "INFO").contains(" multi=-1 "));
        c.call("MULTI");
        c.call("SET", "a", "1");
        c.call("CLIENT", "INFO");
        String reply = c.call("EXEC");
        assertTrue(reply.contains(" multi=2 "), reply);
    }

    @Test
    void watchedKeyChangedByAnotherClientAbortsWithNullArray() throws IOException {
        c.call("SET", "w", "0");
        assertEquals("+OK\r\n", c.call("WATCH", "w"));
        try (RespClient other = new RespClient(server.port())) {
            other.call("SET", "w", "1");
        }
        c.call("MULTI");
        c.call("SET", "w", "2");
        assertEquals("*-1\r\n", c.call("EXEC"));
        assertEquals("$1\r\n1\r\n", c.call("GET", "w"));
    }

    @Test
    void watchAbortInResp3IsNull() throws IOException {
        c.call("HELLO", "3");
        c.call("WATCH", "w");
        c.call("SET", "w", "by myself");
        c.call("MULTI");
        c.call("GET", "w");
        assertEquals("_\r\n", c.call("EXEC"));
    }

    @Test
    void watchedKeyChangedByTheSameClientBeforeMultiAborts() throws IOException {
        c.call("WATCH", "w");
        c.call("SET", "w", "1");
        c.call("MULTI");
        c.call("SET", "w", "2");
        assertEquals("*-1\r\n", c.call("EXEC"));
        assertEquals("$1\r\n1\r\n", c.call("GET", "w"));
    }

    @Test
    void watchedMissingKeyThatIsCreatedAborts() throws IOException {
        c.call("WATCH", "missing");
        try (RespClient other = new RespClient(server.port())) {
            other.call("SET", "missing", "now");
        }
        assertEquals("*-1\r\n", execPing(c));
    }

    @Test
    void deletingAMissingWatchedKeyChangesNothing() throws IOException {
        c.call("WATCH", "missing");
        try (RespClient other = new RespClient(server.port())) {
            other.call("DEL", "missing");
        }
        assertEquals(PONG_ARRAY, execPing(c));
    }

    @Test
    void deletedWatchedKeyAborts() throws IOException {
        c.call("SET", "w", "0");
        c.call("WATCH", "w");
        try (RespClient other = new RespClient(server.port())) {
            other.call("DEL", "w");
        }
        assertEquals("*-1\r\n", execPing(c));
    }

    @Test
    void flushAbortsOnlyWatchersOfKeysThatExisted() throws IOException {
        c.call("SET", "w", "0");
        c.call("WATCH", "w");
        try (RespClient other = new RespClient(server.port())) {
            other.call("WATCH", "missing");
            assertEquals("+OK\r\n", c.call("FLUSHALL"));
            assertEquals(PONG_ARRAY, execPing(other), "its key did not exist: nothing changed");
        }
        assertEquals("*-1\r\n", execPing(c));
    }

    @Test
    void unwatchForgetsTheWatchedKeys() throws IOException {
        c.call("WATCH", "w");
        c.call("SET", "w", "1");
        assertEquals("+OK\r\n", c.call("UNWATCH"));
        c.call("MULTI");
        c.call("SET", "w", "2");
        assertEquals("*1\r\n+OK\r\n", c.call("EXEC"));
    }

    @Test
    void execAndDiscardForgetTheWatchedKeys() throws IOException {
        c.call("WATCH", "w");
        c.call("MULTI");
        assertEquals("*0\r\n", c.call("EXEC"));
        c.call("SET", "w", "1"); // after EXEC: no longer watched
        c.call("MULTI");
        assertEquals("*0\r\n", c.call("EXEC"));

        c.call("WATCH", "w");
        c.call("MULTI");
        c.call("DISCARD");
        c.call("SET", "w", "2");
        c.call("MULTI");
        assertEquals("*0\r\n", c.call("EXEC"));
    }

    @Test
    void abortedExecAlsoForgetsTheWatchedKeys() throws IOException {
        c.call("WATCH", "w");
        c.call("SET", "w", "1");
        c.call("MULTI");
        assertEquals("*-1\r\n", c.call("EXEC"));
        c.call("MULTI");
        c.call("GET", "w");
        assertEquals("*1\r\n$1\r\n1\r\n", c.call("EXEC"), "the dirty mark went with the watches");
    }

    @Test
    void writesOfTheTransactionItselfDoNotAbortIt() throws IOException {
        c.call("WATCH", "w");
        c.call("MULTI");
        c.call("SET", "w", "1");
        c.call("SET", "w", "2");
        assertEquals("*2\r\n+OK\r\n+OK\r\n", c.call("EXEC"));
    }

    @Test
    void execOfOneClientAbortsAnotherWatchingTheSameKey() throws IOException {
        try (RespClient other = new RespClient(server.port())) {
            other.call("WATCH", "w");
            c.call("MULTI");
            c.call("SET", "w", "mine");
            c.call("EXEC");
            other.call("MULTI");
            other.call("SET", "w", "theirs");
            assertEquals("*-1\r\n", other.call("EXEC"));
        }
        assertEquals("$4\r\nmine\r\n", c.call("GET", "w"));
    }

    @Test
    void commandsInExecSeeTheTransactionsOwnWrites() throws IOException {
        c.call("MSET", "a", "old", "z", "kept");
        c.call("MULTI");
        c.call("SET", "a", "new");
        c.call("SET", "b", "added");
        c.call("DEL", "z");
        c.call("GET", "a");
        c.call("KEYS", "*");
        c.call("DBSIZE");
        c.call("FLUSHDB");
        c.call("SET", "c", "after flush");
        c.call("SCAN", "0");
        c.call("EXISTS", "a", "c");
        assertEquals(
                "*10\r\n+OK\r\n+OK\r\n:1\r\n$3\r\nnew\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n:2\r\n+OK\r\n"
                        + "+OK\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\nc\r\n:1\r\n",
                c.call("EXEC"));
        assertEquals("*1\r\n$1\r\nc\r\n", c.call("KEYS", "*"));
        assertEquals(":1\r\n", c.call("DBSIZE"));
    }

    @Test
    void aKeyRefusedByTheStoreIsAnErrorInItsSlot() throws IOException {
        String tooLong = "k".repeat(2000); // past the store's maxKeySize of 1024
        c.call("MULTI");
        c.call("SET", "a", "1");
        c.call("SET", tooLong, "v");
        c.call("SET", "b", "2");
        assertEquals("*3\r\n+OK\r\n-ERR key of 2000 bytes exceeds maxKeySize 1024\r\n+OK\r\n", c.call("EXEC"));
        assertEquals("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", c.call("MGET", "a", "b"));
    }

    @Test
    void setThenDeleteOfAMissingKeyInExecAbortsItsWatchers() throws IOException {
        try (RespClient other = new RespClient(server.port())) {
            other.call("WATCH", "k");
            c.call("MULTI");
            c.call("SET", "k", "1");
            c.call("DEL", "k");
            assertEquals("*2\r\n+OK\r\n:1\r\n", c.call("EXEC"));
            assertEquals("*-1\r\n", execPing(other), "the key was set, then deleted: changed, as Redis says");
        }
    }

    @Test
    void resetInsideMultiRunsAtOnceAndDropsTheTransactionAndWatches() throws IOException {
        c.call("HELLO", "3", "SETNAME", "app");
        c.call("WATCH", "w");
        c.call("SET", "w", "1");
        c.call("MULTI");
        c.call("SET", "a", "1");
        assertEquals("+RESET\r\n", c.call("RESET"));
        assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC"));
        assertEquals("$-1\r\n", c.call("GET", "a"), "RESP2 again, and nothing ran");
        assertEquals("$-1\r\n", c.call("CLIENT", "GETNAME"));
        assertEquals(PONG_ARRAY, execPing(c), "the dirty watch went with RESET");
    }

    @Test
    void resetNeedsAuthAgainOnAProtectedServer() throws IOException {
        try (ToykvServer protectedServer = TestServers.start(
                        TestServers.config(dir.resolve("protected")).requirePass("s3cret"));
                RespClient p = new RespClient(protectedServer.port())) {
            p.call("AUTH", "s3cret");
            assertEquals("+RESET\r\n", p.call("RESET"));
            assertEquals("-NOAUTH Authentication required.\r\n", p.call("GET", "k"));
        }
    }
}
