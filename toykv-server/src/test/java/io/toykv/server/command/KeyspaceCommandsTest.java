package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyspaceCommandsTest extends FixtureTest {
    @Test
    void renameMovesTheValueAndOverwrites() {
        assertEquals("-ERR no such key\r\n", f.call("RENAME", "a", "b"));
        assertEquals("-ERR no such key\r\n", f.call("RENAME", "a", "a"));
        f.call("SET", "a", "1");
        f.call("SET", "b", "2");
        assertEquals("+OK\r\n", f.call("RENAME", "a", "a"));
        assertEquals("+OK\r\n", f.call("RENAME", "a", "b"));
        assertEquals("$-1\r\n", f.call("GET", "a"));
        assertEquals("$1\r\n1\r\n", f.call("GET", "b"));
        assertEquals(":1\r\n", f.call("DBSIZE"));
    }

    @Test
    void renameNxLeavesAnExistingTarget() {
        f.call("SET", "a", "1");
        f.call("SET", "b", "2");
        assertEquals(":0\r\n", f.call("RENAMENX", "a", "b"));
        assertEquals(":0\r\n", f.call("RENAMENX", "a", "a"));
        assertEquals(":1\r\n", f.call("RENAMENX", "a", "c"));
        assertEquals("*3\r\n$-1\r\n$1\r\n2\r\n$1\r\n1\r\n", f.call("MGET", "a", "b", "c"));
        assertEquals("-ERR no such key\r\n", f.call("RENAMENX", "nope", "x"));
    }

    @Test
    void copyWithReplaceAndDatabaseZero() {
        assertEquals(":0\r\n", f.call("COPY", "a", "b"));
        f.call("SET", "a", "1");
        f.call("SET", "b", "2");
        assertEquals(":0\r\n", f.call("COPY", "a", "b"));
        assertEquals(":1\r\n", f.call("COPY", "a", "b", "REPLACE"));
        assertEquals("*2\r\n$1\r\n1\r\n$1\r\n1\r\n", f.call("MGET", "a", "b"));
        assertEquals(":1\r\n", f.call("COPY", "a", "c", "db", "0"));
        assertEquals("-ERR source and destination objects are the same\r\n", f.call("COPY", "a", "a"));
        assertEquals("-ERR DB index is out of range\r\n", f.call("COPY", "a", "d", "DB", "1"));
        assertEquals("-ERR value is not an integer or out of range\r\n", f.call("COPY", "a", "d", "DB", "x"));
        assertEquals(
                "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
                f.call("COPY", "a", "d", "DB", "4294967296"));
        assertEquals("-ERR syntax error\r\n", f.call("COPY", "a", "d", "DB"));
        assertEquals("-ERR syntax error\r\n", f.call("COPY", "a", "d", "NOPE"));
        assertEquals("$-1\r\n", f.call("GET", "d"));
    }

    @Test
    void touchCountsExistingKeys() {
        f.call("MSET", "a", "1", "b", "2");
        assertEquals(":3\r\n", f.call("TOUCH", "a", "b", "c", "a"));
        assertEquals("-ERR wrong number of arguments for 'touch' command\r\n", f.call("TOUCH"));
    }

    /**
     * With few keys every key is equally likely, however they lie in key order ("bar" and "foo" are
     * close, so a random point in key order alone would nearly always give "bar"). 2000 draws of two
     * keys: each count is 1000 +- 22 (one standard deviation); under 850 is past 6.7 of them.
     */
    @Test
    void randomKeyChoosesUniformlyAmongFewKeys() {
        assertEquals("$-1\r\n", f.call("RANDOMKEY"));
        f.call("MSET", "foo", "x", "bar", "y");
        int foo = 0;
        int bar = 0;
        for (int i = 0; i < 2000; i++) {
            String key = f.call("RANDOMKEY");
            if (key.equals("$3\r\nfoo\r\n")) {
                foo++;
            } else if (key.equals("$3\r\nbar\r\n")) {
                bar++;
            }
        }
        assertEquals(2000, foo + bar);
        assertTrue(foo > 850 && bar > 850, "foo " + foo + ", bar " + bar);
    }

    @Test
    void randomKeyReachesEveryKeyOfAManyKeyStore() {
        for (int i = 0; i < 40; i++) {
            f.call("SET", "k" + i, "v");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4000 && seen.size() < 40; i++) {
            seen.add(f.call("RANDOMKEY"));
        }
        assertEquals(40, seen.size());
        f.call("FLUSHALL");
        assertEquals("$-1\r\n", f.call("RANDOMKEY"));
    }

    /** Past {@link KeyspaceCommands#UNIFORM_UP_TO} keys: a window after a random point, existing keys only. */
    @Test
    void randomKeyOfALargeStoreIsAnExistingKey() {
        int n = KeyspaceCommands.UNIFORM_UP_TO + 50;
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < n; i++) {
            f.call("SET", "key" + i, "v");
            keys.add("$" + ("key" + i).length() + "\r\nkey" + i + "\r\n");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            String reply = f.call("RANDOMKEY");
            assertTrue(keys.contains(reply), reply);
            seen.add(reply);
        }
        assertTrue(seen.size() >= KeyspaceCommands.RANDOM_WINDOW, "distinct keys: " + seen.size());
    }

    @Test
    void objectEncodingFollowsTheValueText() {
        f.call("MSET", "i", "12345", "s", "hello", "r", "x".repeat(45), "e", "x".repeat(44), "neg0", "-0");
        assertEquals("$3\r\nint\r\n", f.call("OBJECT", "ENCODING", "i"));
        assertEquals("$6\r\nembstr\r\n", f.call("object", "encoding", "s"));
        assertEquals("$6\r\nembstr\r\n", f.call("OBJECT", "ENCODING", "e"));
        assertEquals("$3\r\nraw\r\n", f.call("OBJECT", "ENCODING", "r"));
        assertEquals("$6\r\nembstr\r\n", f.call("OBJECT", "ENCODING", "neg0"));
        assertEquals("$-1\r\n", f.call("OBJECT", "ENCODING", "missing"));
        assertEquals(":1\r\n", f.call("OBJECT", "REFCOUNT", "s"));
        assertTrue(f.call("OBJECT", "FREQ", "s").startsWith("-ERR An LFU maxmemory policy is not selected"));
        assertTrue(f.call("OBJECT", "IDLETIME", "s").startsWith("-ERR idle time is not tracked"));
        assertEquals(
                "-ERR unknown subcommand or wrong number of arguments for 'ENCODING'. Try OBJECT HELP.\r\n",
                f.call("OBJECT", "ENCODING"));
        assertEquals(
                "-ERR unknown subcommand or wrong number of arguments for 'nope'. Try OBJECT HELP.\r\n",
                f.call("OBJECT", "nope", "s"));
        assertTrue(f.call("OBJECT", "HELP").startsWith("*15\r\n+OBJECT <subcommand>"));
        f.session.protocol(3);
        assertEquals("_\r\n", f.call("OBJECT", "ENCODING", "missing"));
    }

    @Test
    void appendToAnExistingValueLeavesItRawUntilOtherBytesAreWritten() {
        f.call("SET", "n", "12");
        assertEquals(":3\r\n", f.call("APPEND", "n", "3"));
        assertEquals("$3\r\nraw\r\n", f.call("OBJECT", "ENCODING", "n"));
        assertEquals(":124\r\n", f.call("INCR", "n"));
        assertEquals("$3\r\nint\r\n", f.call("OBJECT", "ENCODING", "n"), "INCR makes a new integer");
        f.call("APPEND", "n", "x");
        f.call("SET", "n", "short text");
        assertEquals("$6\r\nembstr\r\n", f.call("OBJECT", "ENCODING", "n"));
    }

    @Test
    void appendCreatingAKeyIsEncodedByItsText() {
        assertEquals(":2\r\n", f.call("APPEND", "new", "42"));
        assertEquals("$3\r\nint\r\n", f.call("OBJECT", "ENCODING", "new"));
    }

    @Test
    void setrangeThatWritesLeavesTheValueRaw() {
        f.call("SET", "n", "1234");
        assertEquals(":4\r\n", f.call("SETRANGE", "n", "0", ""));
        assertEquals("$3\r\nint\r\n", f.call("OBJECT", "ENCODING", "n"), "nothing written");
        assertEquals(":4\r\n", f.call("SETRANGE", "n", "1", "3"));
        assertEquals("$3\r\nraw\r\n", f.call("OBJECT", "ENCODING", "n"));
        assertEquals(":3\r\n", f.call("SETRANGE", "fresh", "2", "x"));
        assertEquals("$3\r\nraw\r\n", f.call("OBJECT", "ENCODING", "fresh"), "built by SETRANGE");
        f.call("DEL", "fresh");
        f.call("SET", "fresh", "7");
        assertEquals("$3\r\nint\r\n", f.call("OBJECT", "ENCODING", "fresh"));
    }

    @Test
    void functionFlushAndListOnAServerWithoutLibraries() {
        assertEquals("+OK\r\n", f.call("FUNCTION", "FLUSH"));
        assertEquals("+OK\r\n", f.call("FUNCTION", "flush", "async"));
        assertEquals("-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n", f.call("FUNCTION", "FLUSH", "x"));
        assertEquals(
                "-ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.\r\n",
                f.call("FUNCTION", "FLUSH", "a", "b"));
        assertEquals("*0\r\n", f.call("FUNCTION", "LIST", "WITHCODE"));
        assertEquals(
                "-ERR unknown subcommand or wrong number of arguments for 'LOAD'. Try FUNCTION HELP.\r\n",
                f.call("FUNCTION", "LOAD", "code"));
    }
}
