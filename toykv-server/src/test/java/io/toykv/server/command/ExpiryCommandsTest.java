package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.resp.ReplyWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expiry commands against a real store whose clock the test moves. Replies are compared as RESP text. */
class ExpiryCommandsTest {
    /** 2026-01-01T00:00:00Z: a start far from 0, so absolute and relative times differ. */
    private static final long START = 1_767_225_600_000L;

    private static final String OK = "+OK\r\n";
    private static final String NIL = "$-1\r\n";

    @TempDir
    Path dir;

    private final MovableClock clock = new MovableClock(START);
    private Store store;
    private StoreKeyspace keyspace;
    private Dispatcher dispatcher;
    private Session session; // the client calls come from; a test may switch it

    @BeforeEach
    void open() throws Exception {
        StoreOptions options = StoreOptions.defaults().shards(1).clock(clock);
        store = Store.open(dir, options);
        keyspace = new StoreKeyspace(store, options);
        dispatcher = new Dispatcher(keyspace, new QuietServer());
        session = new Session(1, "test", true);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private String call(String... args) {
        ReplyWriter out = new ReplyWriter(64);
        out.protocol(session.protocol());
        dispatcher.execute(
                session,
                Arrays.stream(args).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList(),
                out);
        return new String(out.take(), StandardCharsets.UTF_8);
    }

    private static String integer(long n) {
        return ":" + n + "\r\n";
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static String error(String text) {
        return "-" + text + "\r\n";
    }

    private String invalidTime(String command) {
        return error("ERR invalid expire time in '" + command + "' command");
    }

    // SET

    @Test
    void setWithEachExpiryOptionGivesThatTime() {
        assertEquals(OK, call("SET", "ex", "v", "EX", "10"));
        assertEquals(OK, call("SET", "px", "v", "px", "1500"));
        assertEquals(OK, call("SET", "exat", "v", "EXAT", Long.toString(START / 1000 + 20)));
        assertEquals(OK, call("SET", "pxat", "v", "PXAT", Long.toString(START + 2500)));
        assertEquals(integer(10_000), call("PTTL", "ex"));
        assertEquals(integer(1500), call("PTTL", "px"));
        assertEquals(integer(20), call("TTL", "exat"));
        assertEquals(integer(START + 2500), call("PEXPIRETIME", "pxat"));
    }

    @Test
    void keyWithExpiryIsGoneOnceTheClockReachesIt() {
        call("SET", "k", "v", "PX", "100");
        clock.advance(99);
        assertEquals(bulk("v"), call("GET", "k"));
        clock.advance(1);
        assertEquals(NIL, call("GET", "k"));
        assertEquals(integer(-2), call("TTL", "k"));
        assertEquals(integer(0), call("EXISTS", "k"));
        assertEquals(integer(0), call("DBSIZE"));
    }

    @Test
    void plainSetAndMsetRemoveTheExpiryAndKeepttlKeepsIt() {
        call("SET", "k", "v", "EX", "100");
        assertEquals(OK, call("SET", "k", "w", "KEEPTTL"));
        assertEquals(integer(100), call("TTL", "k"));
        assertEquals(bulk("w"), call("GET", "k"));
        call("SET", "k", "x");
        assertEquals(integer(-1), call("TTL", "k"));

        call("SET", "m", "v", "EX", "100");
        call("MSET", "m", "w");
        assertEquals(integer(-1), call("TTL", "m"));
        assertEquals(OK, call("SET", "absent", "v", "KEEPTTL"));
        assertEquals(integer(-1), call("TTL", "absent"));
    }

    @Test
    void setNxAndXxWriteOnlyUnderTheirConditionAndCarryTheExpiry() {
        assertEquals(NIL, call("SET", "k", "v", "XX", "EX", "5"));
        assertEquals(integer(0), call("EXISTS", "k"));
        assertEquals(OK, call("SET", "k", "v", "NX", "EX", "5"));
        assertEquals(NIL, call("SET", "k", "w", "NX", "EX", "50"));
        assertEquals(integer(5), call("TTL", "k"));
        assertEquals(OK, call("SET", "k", "w", "XX", "PX", "7000"));
        assertEquals(integer(7), call("TTL", "k"));
        assertEquals(OK, call("SET", "k", "x", "XX", "KEEPTTL"));
        assertEquals(integer(7), call("TTL", "k"));
        clock.advance(7000);
        assertEquals(OK, call("SET", "k", "y", "NX"), "an expired key is absent to NX");
        assertEquals(integer(-1), call("TTL", "k"));
    }

    @Test
    void setGetRepliesTheOldValueWhetherOrNotItWrote() {
        assertEquals(NIL, call("SET", "k", "v", "GET", "EX", "10"));
        assertEquals(bulk("v"), call("SET", "k", "w", "NX", "GET"));
        assertEquals(bulk("v"), call("GET", "k"));
        assertEquals(bulk("v"), call("SET", "k", "w", "GET", "KEEPTTL"));
        assertEquals(integer(10), call("TTL", "k"));
        assertEquals(NIL, call("SET", "other", "w", "XX", "GET"));
        assertEquals(integer(0), call("EXISTS", "other"));
    }

    @Test
    void setRefusesConflictingOrIncompleteOptions() {
        String syntax = error("ERR syntax error");
        assertEquals(syntax, call("SET", "k", "v", "NX", "XX"));
        assertEquals(syntax, call("SET", "k", "v", "XX", "NX"));
        assertEquals(syntax, call("SET", "k", "v", "EX"));
        assertEquals(syntax, call("SET", "k", "v", "EX", "10", "PX", "10"));
        assertEquals(syntax, call("SET", "k", "v", "KEEPTTL", "EX", "10"));
        assertEquals(syntax, call("SET", "k", "v", "PXAT", "10", "KEEPTTL"));
        assertEquals(syntax, call("SET", "k", "v", "PERSIST"));
        assertEquals(syntax, call("SET", "k", "v", "EXPIRE", "10"));
        assertEquals(integer(0), call("EXISTS", "k"));
    }

    @Test
    void setWithTheSameExpiryOptionTwiceKeepsTheLast() {
        assertEquals(OK, call("SET", "k", "v", "EX", "10", "ex", "20"));
        assertEquals(integer(20), call("TTL", "k"));
    }

    @Test
    void setRefusesTimesThatAreNotPositiveOrOverflow() {
        assertEquals(invalidTime("set"), call("SET", "k", "v", "EX", "0"));
        assertEquals(invalidTime("set"), call("SET", "k", "v", "PX", "-5"));
        assertEquals(invalidTime("set"), call("SET", "k", "v", "EXAT", "0"));
        assertEquals(invalidTime("set"), call("SET", "k", "v", "EX", Long.toString(Long.MAX_VALUE / 1000 + 1)));
        assertEquals(invalidTime("set"), call("SET", "k", "v", "PX", Long.toString(Long.MAX_VALUE - 1)));
        assertEquals(invalidTime("put"), call("PUT", "k", "v", "EX", "0"));
        assertEquals(error("ERR value is not an integer or out of range"), call("SET", "k", "v", "EX", "1.5"));
        assertEquals(error("ERR value is not an integer or out of range"), call("SET", "k", "v", "EX", "ten"));
        assertEquals(integer(0), call("EXISTS", "k"));
    }

    @Test
    void setWithAnAbsoluteTimeThatPassedDeletesTheKey() {
        call("SET", "k", "old");
        assertEquals(OK, call("SET", "k", "v", "PXAT", Long.toString(START - 1)));
        assertEquals(integer(0), call("EXISTS", "k"));
        assertEquals(OK, call("SET", "k", "v", "EXAT", Long.toString(START / 1000)));
        assertEquals(integer(0), call("EXISTS", "k"));
    }

    @Test
    void changesInPlaceKeepTheExpiryAndGetsetClearsItAsRedisDoes() {
        call("SET", "n", "1", "EX", "100");
        call("INCR", "n");
        call("INCRBY", "n", "5");
        call("DECR", "n");
        call("INCRBYFLOAT", "n", "0.5");
        assertEquals(bulk("6.5"), call("GET", "n"));
        assertEquals(integer(100), call("TTL", "n"));
        call("SET", "s", "ab", "EX", "100");
        call("APPEND", "s", "cd");
        call("SETRANGE", "s", "1", "X");
        assertEquals(bulk("aXcd"), call("GET", "s"));
        assertEquals(integer(100), call("TTL", "s"));
        assertEquals(bulk("aXcd"), call("GETSET", "s", "new"));
        assertEquals(integer(-1), call("TTL", "s"));
        call("INCR", "fresh");
        assertEquals(integer(-1), call("TTL", "fresh"));
    }

    @Test
    void renameCarriesTheExpiryAndCopyCopiesIt() {
        call("SET", "a", "v", "PX", "5000");
        call("SET", "target", "old", "EX", "900");
        assertEquals(OK, call("RENAME", "a", "b"));
        assertEquals(integer(START + 5000), call("PEXPIRETIME", "b"));
        assertEquals(integer(-2), call("PTTL", "a"));
        assertEquals(integer(1), call("COPY", "b", "c"));
        assertEquals(integer(START + 5000), call("PEXPIRETIME", "c"));
        call("SET", "plain", "p");
        assertEquals(OK, call("RENAME", "plain", "target"));
        assertEquals(integer(-1), call("TTL", "target"), "the destination takes the source's (no) expiry");
        assertEquals(integer(1), call("COPY", "target", "c", "REPLACE"));
        assertEquals(integer(-1), call("TTL", "c"));
        clock.advance(5000);
        assertEquals(integer(0), call("EXISTS", "b"));
        assertEquals(error("ERR no such key"), call("RENAME", "b", "d"));
    }

    // SETEX, PSETEX

    @Test
    void setexAndPsetexSetValueAndExpiry() {
        assertEquals(OK, call("SETEX", "k", "30", "v"));
        assertEquals(integer(30), call("TTL", "k"));
        assertEquals(bulk("v"), call("GET", "k"));
        assertEquals(OK, call("PSETEX", "p", "2500", "w"));
        assertEquals(integer(2500), call("PTTL", "p"));
        assertEquals(invalidTime("setex"), call("SETEX", "k", "0", "v"));
        assertEquals(invalidTime("psetex"), call("PSETEX", "k", "-1", "v"));
        assertEquals(error("ERR value is not an integer or out of range"), call("SETEX", "k", "x", "v"));
        assertEquals(error("ERR wrong number of arguments for 'setex' command"), call("SETEX", "k", "10"));
        assertEquals(integer(30), call("TTL", "k"), "a refused SETEX changes nothing");
    }

    // GETEX

    @Test
    void getexSetsOrRemovesTheExpiryAndRepliesTheValue() {
        call("SET", "k", "v", "EX", "100");
        assertEquals(bulk("v"), call("GETEX", "k"));
        assertEquals(integer(100), call("TTL", "k"));
        assertEquals(bulk("v"), call("GETEX", "k", "EX", "5"));
        assertEquals(integer(5), call("TTL", "k"));
        assertEquals(bulk("v"), call("GETEX", "k", "PX", "7000"));
        assertEquals(integer(7000), call("PTTL", "k"));
        assertEquals(bulk("v"), call("GETEX", "k", "EXAT", Long.toString(START / 1000 + 9)));
        assertEquals(integer(9), call("TTL", "k"));
        assertEquals(bulk("v"), call("GETEX", "k", "PERSIST"));
        assertEquals(integer(-1), call("TTL", "k"));
        assertEquals(bulk("v"), call("GETEX", "k", "PXAT", Long.toString(START - 1)));
        assertEquals(integer(0), call("EXISTS", "k"), "a time that passed deletes the key");
    }

    @Test
    void getexOfAnAbsentKeyIsNilBeforeTheTimeIsChecked() {
        assertEquals(NIL, call("GETEX", "nokey", "EX", "0"));
        call("SET", "k", "v");
        assertEquals(invalidTime("getex"), call("GETEX", "k", "EX", "0"));
        assertEquals(error("ERR syntax error"), call("GETEX", "nokey", "NX"));
        assertEquals(error("ERR syntax error"), call("GETEX", "k", "EX", "1", "PERSIST"));
        assertEquals(error("ERR syntax error"), call("GETEX", "k", "PERSIST", "EX", "1"));
        assertEquals(error("ERR syntax error"), call("GETEX", "k", "KEEPTTL"));
        assertEquals(error("ERR syntax error"), call("GETEX", "k", "PX"));
        assertEquals(integer(-1), call("TTL", "k"));
    }

    // EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT

    @Test
    void expireFamilySetsRelativeAndAbsoluteTimes() {
        call("MSET", "a", "1", "b", "1", "c", "1", "d", "1");
        assertEquals(integer(1), call("EXPIRE", "a", "10"));
        assertEquals(integer(1), call("PEXPIRE", "b", "1234"));
        assertEquals(integer(1), call("EXPIREAT", "c", Long.toString(START / 1000 + 60)));
        assertEquals(integer(1), call("PEXPIREAT", "d", Long.toString(START + 777)));
        assertEquals(integer(10), call("TTL", "a"));
        assertEquals(integer(1234), call("PTTL", "b"));
        assertEquals(integer(START / 1000 + 60), call("EXPIRETIME", "c"));
        assertEquals(integer(START + 777), call("PEXPIRETIME", "d"));
        assertEquals(bulk("1"), call("GET", "a"), "the value is untouched");
        assertEquals(integer(0), call("EXPIRE", "nokey", "10"));
        assertEquals(integer(0), call("EXISTS", "nokey"));
    }

    @Test
    void expireWithATimeThatPassedDeletesTheKey() {
        call("MSET", "a", "1", "b", "1", "c", "1", "d", "1");
        assertEquals(integer(1), call("EXPIRE", "a", "-1"));
        assertEquals(integer(1), call("PEXPIRE", "b", "0"));
        assertEquals(integer(1), call("EXPIREAT", "c", "100"));
        assertEquals(integer(1), call("PEXPIREAT", "d", Long.toString(START)));
        assertEquals(integer(0), call("EXISTS", "a", "b", "c", "d"));
        assertEquals(integer(0), call("DBSIZE"));
    }

    @Test
    void expireConditionsFollowRedis() {
        call("MSET", "none", "1", "ttl", "1");
        call("EXPIRE", "ttl", "100");
        assertEquals(integer(0), call("EXPIRE", "ttl", "50", "NX"));
        assertEquals(integer(1), call("EXPIRE", "none", "500", "nx"));
        call("PERSIST", "none");
        assertEquals(integer(0), call("EXPIRE", "none", "50", "XX"));
        assertEquals(integer(1), call("EXPIRE", "ttl", "90", "XX"));
        assertEquals(integer(90), call("TTL", "ttl"));
        assertEquals(integer(0), call("EXPIRE", "ttl", "80", "GT"));
        assertEquals(integer(0), call("EXPIRE", "ttl", "90", "GT"), "GT wants strictly greater");
        assertEquals(integer(1), call("EXPIRE", "ttl", "95", "GT"));
        assertEquals(integer(0), call("EXPIRE", "none", "95", "GT"), "no expiry counts as infinite");
        assertEquals(integer(0), call("EXPIRE", "ttl", "99", "LT"));
        assertEquals(integer(1), call("EXPIRE", "ttl", "60", "LT"));
        assertEquals(integer(60), call("TTL", "ttl"));
        assertEquals(integer(0), call("EXPIRE", "none", "60", "XX", "LT"), "XX refuses a key without expiry");
        assertEquals(integer(-1), call("TTL", "none"));
        assertEquals(integer(1), call("EXPIRE", "none", "70", "LT"));
        assertEquals(integer(1), call("EXPIRE", "none", "80", "XX", "GT"));
        assertEquals(integer(80), call("TTL", "none"));
    }

    @Test
    void expireRefusesBadOptionsAndTimes() {
        call("SET", "k", "v");
        String nxError = error("ERR NX and XX, GT or LT options at the same time are not compatible");
        assertEquals(nxError, call("EXPIRE", "k", "10", "NX", "XX"));
        assertEquals(nxError, call("EXPIRE", "k", "10", "GT", "NX"));
        assertEquals(nxError, call("PEXPIRE", "k", "10", "NX", "LT"));
        assertEquals(
                error("ERR GT and LT options at the same time are not compatible"),
                call("EXPIRE", "k", "10", "GT", "LT"));
        assertEquals(error("ERR Unsupported option foo"), call("EXPIRE", "k", "10", "foo"));
        assertEquals(error("ERR Unsupported option foo"), call("EXPIRE", "k", "ten", "foo"), "options first");
        assertEquals(error("ERR value is not an integer or out of range"), call("EXPIRE", "k", "ten"));
        assertEquals(invalidTime("expire"), call("EXPIRE", "k", Long.toString(Long.MAX_VALUE / 1000 + 1)));
        assertEquals(invalidTime("expireat"), call("EXPIREAT", "k", Long.toString(Long.MIN_VALUE / 1000 - 1)));
        assertEquals(invalidTime("pexpire"), call("PEXPIRE", "k", Long.toString(Long.MAX_VALUE - 10)));
        assertEquals(integer(-1), call("TTL", "k"));
        assertEquals(error("ERR wrong number of arguments for 'expire' command"), call("EXPIRE", "k"));
    }

    // TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST

    @Test
    void ttlRoundsToTheNearestSecondAndReportsMissingAndPersistentKeys() {
        call("SET", "k", "v", "PX", "1499");
        assertEquals(integer(1), call("TTL", "k"));
        call("SET", "k", "v", "PX", "1500");
        assertEquals(integer(2), call("TTL", "k"));
        assertEquals(integer((START + 1500 + 500) / 1000), call("EXPIRETIME", "k"));
        call("SET", "p", "v");
        for (String command : new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
            assertEquals(integer(-2), call(command, "nokey"), command);
            assertEquals(integer(-1), call(command, "p"), command);
        }
    }

    @Test
    void persistRemovesOnlyAnExistingExpiry() {
        call("SET", "k", "v", "EX", "10");
        assertEquals(integer(1), call("PERSIST", "k"));
        assertEquals(integer(-1), call("TTL", "k"));
        assertEquals(integer(0), call("PERSIST", "k"));
        assertEquals(integer(0), call("PERSIST", "nokey"));
        clock.advance(60_000);
        assertEquals(bulk("v"), call("GET", "k"));
    }

    @Test
    void timeIsTheClockExpiriesAreComparedWith() {
        clock.advance(1234);
        long seconds = (START + 1234) / 1000;
        assertEquals("*2\r\n" + bulk(Long.toString(seconds)) + bulk("234000"), call("TIME"));
        assertEquals(error("ERR wrong number of arguments for 'time' command"), call("TIME", "x"));
    }

    // Replies in RESP3, INFO, COMMAND, versions

    @Test
    void resp3RepliesNullForAnUnwrittenSetAndAnAbsentGetex() {
        call("HELLO", "3");
        call("SET", "k", "v");
        assertEquals("_\r\n", call("SET", "k", "w", "NX"));
        assertEquals("_\r\n", call("GETEX", "nokey", "PERSIST"));
        assertEquals(integer(-2), call("TTL", "nokey"));
    }

    @Test
    void infoKeyspaceCountsExpiringKeysAndTheirAverageTtl() {
        call("SET", "a", "1");
        call("SET", "b", "1", "PX", "10000");
        call("SET", "c", "1", "PX", "20000");
        assertTrue(call("INFO", "keyspace").contains("db0:keys=3,expires=2,avg_ttl=15000\r\n"));
        clock.advance(10_000);
        assertTrue(call("INFO", "keyspace").contains("db0:keys=2,expires=1,avg_ttl=10000\r\n"));
        call("PERSIST", "c");
        assertTrue(call("INFO", "keyspace").contains("db0:keys=2,expires=0,avg_ttl=0\r\n"));
    }

    @Test
    void commandDocsAndInfoDescribeTheExpiryCommands() {
        String docs = call("COMMAND", "DOCS", "expire");
        assertTrue(docs.contains("GT"), docs);
        assertTrue(call("COMMAND", "DOCS", "set").contains("KEEPTTL"));
        assertTrue(call("COMMAND", "DOCS", "getex").contains("PERSIST"));
        String info = call("COMMAND", "INFO", "ttl", "setex");
        assertTrue(info.startsWith("*2\r\n*10\r\n$3\r\nttl\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n"), info);
        assertTrue(info.contains("$5\r\nsetex\r\n:4\r\n*1\r\n+write\r\n:1\r\n:1\r\n:1\r\n"), info);
    }

    /** The transaction code's WATCH relies on this: an expiry passing changes the key's version. */
    @Test
    void aKeysVersionChangesWhenItsExpiryPasses() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        call("SET", "k", "v", "PX", "100");
        long before = keyspace.version(key);
        assertEquals(before, keyspace.version(key));
        clock.advance(100);
        assertNotEquals(before, keyspace.version(key));
        long gone = keyspace.version(key);
        call("SET", "k", "v", "EX", "1");
        assertNotEquals(gone, keyspace.version(key));
        long set = keyspace.version(key);
        call("PERSIST", "k");
        assertNotEquals(set, keyspace.version(key));
    }

    @Test
    void expiryCommandsInsideMultiSeeTheTransactionsOwnWritesAndApplyAtExec() {
        call("SET", "p", "v", "EX", "100");
        assertEquals(OK, call("MULTI"));
        String queued = "+QUEUED\r\n";
        assertEquals(queued, call("SET", "k", "v", "PX", "5000"));
        assertEquals(queued, call("TTL", "k"));
        assertEquals(queued, call("PERSIST", "p"));
        assertEquals(queued, call("EXPIRE", "p", "30", "NX"));
        assertEquals(queued, call("SET", "p", "w", "KEEPTTL"));
        assertEquals(queued, call("PEXPIRETIME", "p"));
        assertEquals(queued, call("SET", "gone", "v", "XX", "EX", "1"));
        assertEquals(queued, call("SET", "d", "v", "EX", "1"));
        assertEquals(queued, call("PEXPIRE", "d", "0"));
        assertEquals(queued, call("INFO", "keyspace"));
        String exec = call("EXEC");
        assertTrue(
                exec.startsWith(
                        "*10\r\n+OK\r\n:5\r\n:1\r\n:1\r\n+OK\r\n:" + (START + 30_000) + "\r\n$-1\r\n+OK\r\n:1\r\n"),
                exec);
        assertTrue(exec.contains("db0:keys=2,expires=2,avg_ttl="), exec);
        assertEquals(integer(5000), call("PTTL", "k"));
        assertEquals(integer(30), call("TTL", "p"));
        assertEquals(bulk("w"), call("GET", "p"));
        assertEquals(integer(0), call("EXISTS", "gone", "d"));
    }

    @Test
    void execFailsWhenAWatchedKeysExpiryIsChangedOrPasses() {
        Session other = session;
        call("SET", "k", "v", "PX", "100");
        call("SET", "w", "v");
        Session watcher = new Session(2, "watcher", true);
        session = watcher;
        assertEquals(OK, call("WATCH", "k"));
        call("MULTI");
        call("GET", "k");
        clock.advance(100); // nobody reads or writes k: only its time passes
        assertEquals("*-1\r\n", call("EXEC"));

        call("WATCH", "w");
        session = other;
        assertEquals(integer(1), call("EXPIRE", "w", "10"));
        session = watcher;
        call("MULTI");
        call("GET", "w");
        assertEquals("*-1\r\n", call("EXEC"));

        call("WATCH", "w");
        call("MULTI");
        call("GET", "w");
        assertEquals("*1\r\n$1\r\nv\r\n", call("EXEC"), "an unchanged watched key lets EXEC run");
    }

    /** Expiry survives a reopen of the store: what the server set is what it finds. */
    @Test
    void expiriesSurviveReopen() throws Exception {
        call("SET", "k", "v", "EX", "100");
        call("SET", "gone", "v", "PX", "10");
        store.close();
        clock.advance(50);
        open();
        assertEquals(integer(START + 100_000), call("PEXPIRETIME", "k"));
        assertEquals(integer(-2), call("TTL", "gone"));
    }
}
