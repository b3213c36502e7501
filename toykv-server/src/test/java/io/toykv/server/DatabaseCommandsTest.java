package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SELECT, MOVE, SWAPDB, COPY ... DB, DBSIZE, FLUSHDB, FLUSHALL and INFO keyspace over a real socket. */
class DatabaseCommandsTest {
    @TempDir
    Path dir;

    private ToykvServer server;
    private RespClient c;

    @BeforeEach
    void start() throws IOException {
        restart(TestServers.config(dir));
    }

    /** Stops the server (if running) and starts it again with {@code config} on the same directory. */
    private void restart(ServerConfig config) throws IOException {
        stop();
        server = TestServers.start(config);
        c = new RespClient(server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            c.close();
            server.close();
        }
    }

    @Test
    void eachDatabaseIsItsOwnKeyspaceForEveryCommand() throws IOException {
        assertEquals("+OK\r\n", c.call("SET", "k", "zero"));
        assertEquals("+OK\r\n", c.call("SELECT", "1"));
        assertEquals("$-1\r\n", c.call("GET", "k"));
        assertEquals("+OK\r\n", c.call("MSET", "k", "one", "j", "x"));
        assertEquals("$3\r\none\r\n", c.call("GET", "k"));
        assertEquals(":2\r\n", c.call("DBSIZE"));
        assertEquals("*2\r\n$1\r\nj\r\n$1\r\nk\r\n", c.call("KEYS", "*"));
        assertEquals(":1\r\n", c.call("EXISTS", "j"));
        assertEquals("+OK\r\n", c.call("FLUSHDB"));
        assertEquals(":0\r\n", c.call("DBSIZE"));
        assertEquals("+OK\r\n", c.call("SELECT", "0"));
        assertEquals("$4\r\nzero\r\n", c.call("GET", "k"));
        assertEquals(":1\r\n", c.call("DBSIZE"));
    }

    @Test
    void selectIsPerConnectionAndChecksItsArgument() throws IOException {
        try (RespClient other = new RespClient(server.port())) {
            assertEquals("+OK\r\n", c.call("SELECT", "15"));
            assertEquals("+OK\r\n", c.call("SET", "k", "v"));
            assertEquals("$-1\r\n", other.call("GET", "k"));
            assertTrue(c.call("CLIENT", "INFO").contains(" db=15 "), c.call("CLIENT", "INFO"));
            assertTrue(other.call("CLIENT", "INFO").contains(" db=0 "));
        }
        assertEquals("-ERR DB index is out of range\r\n", c.call("SELECT", "16"));
        assertEquals("-ERR DB index is out of range\r\n", c.call("SELECT", "-1"));
        assertEquals("-ERR value is not an integer or out of range\r\n", c.call("SELECT", "1.5"));
        assertEquals(
                "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
                c.call("SELECT", "2147483648"));
        assertEquals("-ERR wrong number of arguments for 'select' command\r\n", c.call("SELECT"));
        assertEquals("$1\r\nv\r\n", c.call("GET", "k"), "a refused SELECT keeps the database");
    }

    @Test
    void anExecAcrossDatabasesWithMoveCopyAndFlushallSeesItsOwnWritesAndLeavesThemAfterARestart() throws IOException {
        c.call("SET", "old", "x");
        c.call("SELECT", "2");
        c.call("SET", "gone", "y");
        c.call("SELECT", "0");
        assertEquals("+OK\r\n", c.call("MULTI"));
        c.call("FLUSHALL");
        c.call("SET", "a", "1");
        c.call("MOVE", "a", "1");
        c.call("MOVE", "a", "1");
        c.call("SELECT", "1");
        c.call("GET", "a");
        c.call("COPY", "a", "c", "DB", "3");
        c.call("SET", "b", "2");
        c.call("DBSIZE");
        assertEquals("*9\r\n+OK\r\n+OK\r\n:1\r\n:0\r\n+OK\r\n$1\r\n1\r\n:1\r\n+OK\r\n:2\r\n", c.call("EXEC"));
        restart(TestServers.config(dir));
        assertEquals(":0\r\n", c.call("DBSIZE"));
        c.call("SELECT", "1");
        assertEquals("*2\r\n$1\r\na\r\n$1\r\nb\r\n", c.call("KEYS", "*"));
        c.call("SELECT", "2");
        assertEquals(":0\r\n", c.call("DBSIZE"), "FLUSHALL in the EXEC cleared database 2");
        c.call("SELECT", "3");
        assertEquals("$1\r\n1\r\n", c.call("GET", "c"));
    }

    /**
     * An EXEC on one database that clears it and then writes is one record of the databases' redo log
     * (all or nothing across a crash), while one that only writes stays the store's own batch.
     */
    @Test
    void anExecThatFlushesAndWritesOneDatabaseGoesThroughTheRedoLog() throws IOException {
        Path log = dir.resolve("databases").resolve("transactions.log"); // docs/FORMAT.md
        c.call("SET", "old", "x");
        long before = sizeOrZero(log);
        c.call("MULTI");
        c.call("SET", "plain", "1");
        assertEquals("*1\r\n+OK\r\n", c.call("EXEC"));
        assertEquals(before, sizeOrZero(log), "a plain EXEC stays the store's batch");
        c.call("MULTI");
        c.call("FLUSHDB");
        c.call("SET", "new", "2");
        assertEquals("*2\r\n+OK\r\n+OK\r\n", c.call("EXEC"));
        assertTrue(sizeOrZero(log) > before, "FLUSHDB and a write in one EXEC: a record of the redo log");
        restart(TestServers.config(dir));
        assertEquals("*1\r\n$3\r\nnew\r\n", c.call("KEYS", "*"));
    }

    /**
     * An EXEC on one database whose writes pass one engine batch's size (about 1,500 short keys a
     * shard) is one record of the databases' redo log too, not change after change.
     */
    @Test
    void anExecLargerThanOneBatchGoesThroughTheRedoLog() throws IOException {
        Path log = dir.resolve("databases").resolve("transactions.log"); // docs/FORMAT.md
        long before = sizeOrZero(log);
        int n = 20_000;
        String longName = "k".repeat(100); // 20,000 keys of 100 bytes: several batches' worth a shard
        c.call("MULTI");
        for (int i = 0; i < n; i++) {
            assertEquals("+QUEUED\r\n", c.call("SET", longName + i, "v" + i));
        }
        String reply = c.call("EXEC");
        assertTrue(reply.startsWith("*" + n + "\r\n+OK\r\n"), reply.substring(0, 40));
        assertTrue(sizeOrZero(log) > before, "one record of the redo log");
        restart(TestServers.config(dir));
        assertEquals(":" + n + "\r\n", c.call("DBSIZE"));
        assertEquals("$6\r\nv19999\r\n", c.call("GET", longName + 19999));
    }

    /** The log is made when first used. */
    private static long sizeOrZero(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    @Test
    void moveTakesAKeyToADatabaseWithoutIt() throws IOException {
        c.call("SET", "k", "v");
        assertEquals(":1\r\n", c.call("MOVE", "k", "3"));
        assertEquals("$-1\r\n", c.call("GET", "k"));
        assertEquals(":0\r\n", c.call("MOVE", "k", "3"), "absent");
        c.call("SET", "k", "again");
        assertEquals(":0\r\n", c.call("MOVE", "k", "3"), "present in the target");
        assertEquals("$5\r\nagain\r\n", c.call("GET", "k"));
        assertEquals("-ERR source and destination objects are the same\r\n", c.call("MOVE", "k", "0"));
        assertEquals("-ERR DB index is out of range\r\n", c.call("MOVE", "k", "16"));
        assertEquals(
                "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
                c.call("MOVE", "k", "-2147483649"));
        assertEquals("-ERR value is not an integer or out of range\r\n", c.call("MOVE", "k", "x"));
        c.call("SELECT", "3");
        assertEquals("$1\r\nv\r\n", c.call("GET", "k"));
    }

    @Test
    void swapdbExchangesDatabasesForEveryConnection() throws IOException {
        c.call("SET", "k", "zero");
        try (RespClient other = new RespClient(server.port())) {
            other.call("SELECT", "2");
            other.call("SET", "k", "two");
            other.call("SET", "t", "x");
            assertEquals("+OK\r\n", c.call("SWAPDB", "0", "2"));
            assertEquals("$3\r\ntwo\r\n", c.call("GET", "k"));
            assertEquals("$4\r\nzero\r\n", other.call("GET", "k"), "the other connection sees database 2's new keys");
        }
        assertEquals("+OK\r\n", c.call("SWAPDB", "1", "1"));
        assertEquals("-ERR invalid first DB index\r\n", c.call("SWAPDB", "x", "1"));
        assertEquals("-ERR invalid second DB index\r\n", c.call("SWAPDB", "1", "x"));
        assertEquals("-ERR DB index is out of range\r\n", c.call("SWAPDB", "0", "16"));
        assertEquals("-ERR invalid first DB index\r\n", c.call("SWAPDB", "4294967296", "1"));
        assertEquals("-ERR invalid second DB index\r\n", c.call("SWAPDB", "1", "-2147483649"));
        assertEquals("-ERR DB index is out of range\r\n", c.call("SWAPDB", "-2147483648", "1"));
        assertEquals(":2\r\n", c.call("DBSIZE"));
    }

    @Test
    void swapdbSurvivesARestart() throws IOException {
        c.call("SELECT", "4");
        c.call("SET", "k", "four");
        c.call("SWAPDB", "4", "0");
        restart(TestServers.config(dir));
        assertEquals("$4\r\nfour\r\n", c.call("GET", "k"));
        c.call("SELECT", "4");
        assertEquals(":0\r\n", c.call("DBSIZE"));
    }

    @Test
    void copyWithAndWithoutDb() throws IOException {
        c.call("SET", "s", "v");
        assertEquals(":1\r\n", c.call("COPY", "s", "d"));
        assertEquals("$1\r\nv\r\n", c.call("GET", "d"));
        c.call("SET", "s", "w");
        assertEquals(":0\r\n", c.call("COPY", "s", "d"), "present destination");
        assertEquals(":1\r\n", c.call("COPY", "s", "d", "REPLACE"));
        assertEquals("$1\r\nw\r\n", c.call("GET", "d"));
        assertEquals(":1\r\n", c.call("COPY", "s", "s", "DB", "5"));
        assertEquals(":0\r\n", c.call("COPY", "nosuch", "x", "DB", "5"));
        assertEquals("-ERR source and destination objects are the same\r\n", c.call("COPY", "s", "s"));
        assertEquals("-ERR source and destination objects are the same\r\n", c.call("COPY", "s", "s", "DB", "0"));
        assertEquals("-ERR DB index is out of range\r\n", c.call("COPY", "s", "x", "DB", "99"));
        assertEquals("-ERR value is not an integer or out of range\r\n", c.call("COPY", "s", "x", "DB", "a"));
        assertEquals(
                "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
                c.call("COPY", "s", "x", "DB", "2147483648"));
        assertEquals("-ERR syntax error\r\n", c.call("COPY", "s", "x", "DB"));
        assertEquals("-ERR syntax error\r\n", c.call("COPY", "s", "x", "NOPE"));
        c.call("SELECT", "5");
        assertEquals("$1\r\nw\r\n", c.call("GET", "s"));
    }

    @Test
    void flushallEmptiesEveryDatabaseAndInfoListsTheNonEmptyOnes() throws IOException {
        c.call("SET", "a", "1");
        c.call("SELECT", "7");
        c.call("MSET", "a", "1", "b", "2");
        String info = c.call("INFO", "keyspace");
        assertTrue(info.contains("db0:keys=1,expires=0,avg_ttl=0\r\n"), info);
        assertTrue(info.contains("db7:keys=2,expires=0,avg_ttl=0\r\n"), info);
        assertTrue(!info.contains("db1:"), info);
        assertEquals("+OK\r\n", c.call("FLUSHALL"));
        assertEquals(":0\r\n", c.call("DBSIZE"));
        c.call("SELECT", "0");
        assertEquals(":0\r\n", c.call("DBSIZE"));
        assertTrue(!c.call("INFO", "keyspace").contains("db"), "no database listed");
        assertEquals("-ERR syntax error\r\n", c.call("FLUSHALL", "NOW"));
    }

    @Test
    void configGetDatabases() throws IOException {
        assertEquals("*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n", c.call("CONFIG", "GET", "databases"));
    }

    @Test
    void fewerDatabasesByConfiguration() throws IOException {
        restart(TestServers.config(dir).databases(2));
        assertEquals("+OK\r\n", c.call("SELECT", "1"));
        assertEquals("-ERR DB index is out of range\r\n", c.call("SELECT", "2"));
    }

    // SWAPDB inside MULTI/EXEC, against Redis's documented behaviour: the commands queued after it see
    // the databases swapped (a write to database a lands in the keys that were b's), every connection
    // sees them swapped once EXEC returns, and the whole transaction, writes and swaps, is one set of
    // changes (ServerProcessIT#execsWithSwapdbAreWholeAfterKillNine kills the server under such EXECs).

    private static final String OK = "+OK\r\n";
    private static final String QUEUED = "+QUEUED\r\n";

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    /** Queues each command (each must reply QUEUED) after MULTI; returns EXEC's reply. */
    private String exec(String[]... commands) throws IOException {
        assertEquals(OK, c.call("MULTI"));
        for (String[] command : commands) {
            assertEquals(QUEUED, c.call(command), String.join(" ", command));
        }
        return c.call("EXEC");
    }

    private static String[] cmd(String... args) {
        return args;
    }

    /** The keys of database {@code db} and their values, read by another connection: "k=v k=v". */
    private String contents(int db) throws IOException {
        try (RespClient other = new RespClient(server.port())) {
            other.call("SELECT", Integer.toString(db));
            String keys = other.call("KEYS", "*");
            StringBuilder out = new StringBuilder();
            String[] lines = keys.split("\r\n");
            java.util.TreeSet<String> names = new java.util.TreeSet<>();
            for (int i = 2; i < lines.length; i += 2) { // "*n", then "$len" and the key, for each key
                names.add(lines[i]);
            }
            for (String key : names) {
                String v = other.call("GET", key);
                out.append(out.length() == 0 ? "" : " ")
                        .append(key)
                        .append('=')
                        .append(v.substring(v.indexOf("\r\n") + 2, v.length() - 2));
            }
            return out.toString();
        }
    }

    @Test
    void writesBeforeAndAfterSwapdbLandWhereRedisPutsThem() throws IOException {
        c.call("SET", "a", "zero");
        c.call("SELECT", "1");
        c.call("SET", "a", "one");
        c.call("SELECT", "0");
        String reply = exec(
                cmd("SET", "x", "before"),
                cmd("SWAPDB", "0", "1"),
                cmd("GET", "a"), // database 0 now holds what was 1
                cmd("SET", "y", "after"),
                cmd("SELECT", "1"),
                cmd("GET", "x"), // written to 0 before the swap: now in 1
                cmd("GET", "a"),
                cmd("SET", "z", "in one"));
        assertEquals("*8\r\n" + OK + OK + bulk("one") + OK + OK + bulk("before") + bulk("zero") + OK, reply);
        assertEquals("a=one y=after", contents(0));
        assertEquals("a=zero x=before z=in one", contents(1));
        assertEquals(bulk("in one"), c.call("GET", "z"), "SELECT in the transaction stays");
        restart(TestServers.config(dir));
        assertEquals("a=one y=after", contents(0));
        assertEquals("a=zero x=before z=in one", contents(1));
    }

    @Test
    void infoKeyspaceInsideExecCountsEachDatabaseAsTheSwapsLeftIt() throws IOException {
        c.call("MSET", "a", "1", "b", "2", "c", "3");
        c.call("SELECT", "3");
        c.call("SET", "d", "4");
        c.call("SELECT", "0");
        String reply = exec(cmd("SWAPDB", "0", "3"), cmd("SET", "e", "5"), cmd("INFO", "keyspace"));
        assertTrue(reply.contains("db0:keys=2,expires=0,avg_ttl=0\r\n"), reply); // d, and e written after the swap
        assertTrue(reply.contains("db3:keys=3,expires=0,avg_ttl=0\r\n"), reply);
        String after = c.call("INFO", "keyspace");
        assertTrue(after.contains("db0:keys=2,") && after.contains("db3:keys=3,"), after);
    }

    @Test
    void flushdbAndFlushallBetweenSwapsClearWhatTheDatabaseShowsThen() throws IOException {
        for (int db = 0; db < 3; db++) {
            c.call("SELECT", Integer.toString(db));
            c.call("SET", "k", "was " + db);
        }
        c.call("SELECT", "0");
        String reply = exec(
                cmd("SWAPDB", "0", "1"),
                cmd("FLUSHDB"), // clears what was 1
                cmd("SET", "n", "new"),
                cmd("SWAPDB", "1", "2"), // 1 takes what was 2, 2 what was 0
                cmd("DBSIZE"),
                cmd("SELECT", "2"),
                cmd("GET", "k"));
        assertEquals("*7\r\n" + OK + OK + OK + OK + ":1\r\n" + OK + bulk("was 0"), reply);
        assertEquals("n=new", contents(0));
        assertEquals("k=was 2", contents(1));
        assertEquals("k=was 0", contents(2));

        c.call("SELECT", "0");
        reply = exec(
                cmd("SET", "a", "1"),
                cmd("SWAPDB", "0", "3"),
                cmd("FLUSHALL"),
                cmd("SET", "b", "2"), // into what was 3
                cmd("SWAPDB", "3", "0"),
                cmd("DBSIZE"),
                cmd("SELECT", "3"),
                cmd("GET", "b"));
        assertEquals("*8\r\n" + OK + OK + OK + OK + OK + ":0\r\n" + OK + bulk("2"), reply);
        assertEquals("", contents(0));
        assertEquals("", contents(1));
        assertEquals("", contents(2));
        assertEquals("b=2", contents(3));
        restart(TestServers.config(dir));
        assertEquals("", contents(0));
        assertEquals("b=2", contents(3));
    }

    @Test
    void swapsAloneAndSwapsThatUndoEachOther() throws IOException {
        c.call("SET", "k", "zero");
        assertEquals("*2\r\n" + OK + OK, exec(cmd("SWAPDB", "0", "5"), cmd("SWAPDB", "5", "0")));
        assertEquals("k=zero", contents(0));
        assertEquals(
                "*3\r\n" + OK + OK + OK,
                exec(cmd("SWAPDB", "0", "5"), cmd("SWAPDB", "5", "6"), cmd("SWAPDB", "4", "4")));
        assertEquals("", contents(0));
        assertEquals("", contents(5));
        assertEquals("k=zero", contents(6));
        assertEquals("$-1\r\n", c.call("GET", "k"), "this connection's database 0 shows the swap");
        restart(TestServers.config(dir));
        assertEquals("k=zero", contents(6));
    }

    @Test
    void aSwapdbThatFailsInExecIsItsSlotsErrorAndTheRestRuns() throws IOException {
        c.call("SET", "k", "zero");
        String reply = exec(
                cmd("SWAPDB", "0", "16"), cmd("SWAPDB", "x", "1"), cmd("SET", "k", "changed"), cmd("SWAPDB", "0", "1"));
        assertEquals("*4\r\n-ERR DB index is out of range\r\n-ERR invalid first DB index\r\n" + OK + OK, reply);
        assertEquals("", contents(0));
        assertEquals("k=changed", contents(1));
    }

    @Test
    void moveAndCopyAfterSwapdbWorkOnTheSwappedDatabases() throws IOException {
        c.call("SET", "m", "zero");
        c.call("SELECT", "1");
        c.call("SET", "c", "one");
        c.call("SELECT", "0");
        String reply = exec(
                cmd("SWAPDB", "0", "1"),
                cmd("MOVE", "c", "2"), // c is in database 0 now
                cmd("MOVE", "m", "2"), // m is in 1 now: nothing to move from 0
                cmd("SELECT", "1"),
                cmd("COPY", "m", "m2", "DB", "0"));
        assertEquals("*5\r\n" + OK + ":1\r\n:0\r\n" + OK + ":1\r\n", reply);
        assertEquals("m2=zero", contents(0));
        assertEquals("m=zero", contents(1));
        assertEquals("c=one", contents(2));
    }

    @Test
    void swapdbInExecAbortsTheWatchersOfKeysInEitherDatabase() throws IOException {
        try (RespClient watcher = new RespClient(server.port());
                RespClient bystander = new RespClient(server.port())) {
            c.call("SELECT", "1");
            c.call("SET", "x", "in one");
            c.call("SELECT", "0");
            watcher.call("WATCH", "x"); // absent in 0, present in 1
            bystander.call("SELECT", "7");
            bystander.call("WATCH", "x");
            assertEquals("*2\r\n" + OK + OK, exec(cmd("SET", "y", "1"), cmd("SWAPDB", "0", "1")));
            watcher.call("MULTI");
            watcher.call("PING");
            assertEquals("*-1\r\n", watcher.call("EXEC"), "x appears in database 0");
            bystander.call("MULTI");
            bystander.call("PING");
            assertEquals("*1\r\n+PONG\r\n", bystander.call("EXEC"), "database 7 is untouched");

            watcher.call("SELECT", "1");
            watcher.call("WATCH", "y"); // y was written to 0 before the swap: it is in 1 now
            assertEquals("*2\r\n" + OK + OK, exec(cmd("SWAPDB", "0", "1"), cmd("SET", "y", "2")));
            watcher.call("MULTI");
            watcher.call("PING");
            assertEquals("*-1\r\n", watcher.call("EXEC"));
        }
        assertEquals("y=2", contents(0));
        assertEquals("x=in one", contents(1));
    }
}
