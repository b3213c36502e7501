package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StringCommandsTest extends FixtureTest {
    @Test
    void appendCreatesThenExtendsAndRepliesTheLength() {
        assertEquals(":5\r\n", f.call("APPEND", "k", "hello"));
        assertEquals(":11\r\n", f.call("APPEND", "k", " world"));
        assertEquals(":11\r\n", f.call("APPEND", "k", ""));
        assertEquals("$11\r\nhello world\r\n", f.call("GET", "k"));
        assertEquals(":0\r\n", f.call("APPEND", "e", ""));
        assertEquals("$0\r\n\r\n", f.call("GET", "e"), "APPEND of nothing to a missing key creates it empty");
    }

    @Test
    void getRangeCountsNegativePositionsFromTheEndAndClamps() {
        f.call("SET", "k", "Hello World");
        assertEquals("$4\r\nHell\r\n", f.call("GETRANGE", "k", "0", "3"));
        assertEquals("$3\r\nrld\r\n", f.call("GETRANGE", "k", "-3", "-1"));
        assertEquals("$11\r\nHello World\r\n", f.call("GETRANGE", "k", "0", "-1"));
        assertEquals("$11\r\nHello World\r\n", f.call("GETRANGE", "k", "-100", "100"));
        assertEquals("$11\r\nHello World\r\n", f.call("GETRANGE", "k", "0", "4294967297"));
        assertEquals("$0\r\n\r\n", f.call("GETRANGE", "k", "5", "3"));
        assertEquals("$0\r\n\r\n", f.call("GETRANGE", "k", "-1", "-5"));
        assertEquals("$1\r\nH\r\n", f.call("GETRANGE", "k", "-100", "-100"), "both clamp to the first byte");
        assertEquals("$0\r\n\r\n", f.call("GETRANGE", "missing", "0", "-1"));
        assertEquals("$2\r\nel\r\n", f.call("SUBSTR", "k", "1", "2"));
        assertEquals("-ERR value is not an integer or out of range\r\n", f.call("GETRANGE", "k", "a", "1"));
        assertEquals("-ERR wrong number of arguments for 'getrange' command\r\n", f.call("GETRANGE", "k", "1"));
        f.call("SET", "empty", "");
        assertEquals("$0\r\n\r\n", f.call("GETRANGE", "empty", "0", "-1"));
    }

    @Test
    void setRangePadsWithZeroBytesAndRefusesNegativeOrHugeOffsets() {
        assertEquals(":0\r\n", f.call("SETRANGE", "k", "5", ""));
        assertEquals("$-1\r\n", f.call("GET", "k"), "an empty patch creates no key");
        assertEquals(":4\r\n", f.call("SETRANGE", "k", "1", "abc"));
        assertEquals("$4\r\n\u0000abc\r\n", f.call("GET", "k"));
        assertEquals(":4\r\n", f.call("SETRANGE", "k", "0", "X"));
        assertEquals(":4\r\n", f.call("SETRANGE", "k", "9", ""));
        assertEquals(":6\r\n", f.call("SETRANGE", "k", "3", "YYY"));
        assertEquals("$6\r\nXabYYY\r\n", f.call("GET", "k"));
        assertEquals("-ERR offset is out of range\r\n", f.call("SETRANGE", "k", "-1", "x"));
        assertEquals(
                "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
                f.call("SETRANGE", "k", Long.toString(Long.MAX_VALUE), "x"));
        assertEquals(
                "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
                f.call("SETRANGE", "k", "536870912", "x"));
        assertEquals("-ERR value is not an integer or out of range\r\n", f.call("SETRANGE", "k", "x", "x"));
    }

    @Test
    void getDelGetSetAndSetNx() {
        assertEquals("$-1\r\n", f.call("GETDEL", "k"));
        f.call("SET", "k", "v");
        assertEquals("$1\r\nv\r\n", f.call("GETDEL", "k"));
        assertEquals("$-1\r\n", f.call("GET", "k"));
        assertEquals("$-1\r\n", f.call("GETSET", "k", "1"));
        assertEquals("$1\r\n1\r\n", f.call("GETSET", "k", "2"));
        assertEquals("$1\r\n2\r\n", f.call("GET", "k"));
        assertEquals(":0\r\n", f.call("SETNX", "k", "3"));
        assertEquals(":1\r\n", f.call("SETNX", "n", "3"));
        assertEquals("$1\r\n2\r\n", f.call("GET", "k"));
        assertEquals("-ERR wrong number of arguments for 'setnx' command\r\n", f.call("SETNX", "k"));
    }

    @Test
    void msetNxSetsAllOrNone() {
        assertEquals(":1\r\n", f.call("MSETNX", "a", "1", "b", "2"));
        assertEquals(":0\r\n", f.call("MSETNX", "c", "3", "a", "9"));
        assertEquals("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n", f.call("MGET", "a", "b", "c"));
        assertEquals(":1\r\n", f.call("MSETNX", "x", "1", "x", "2"), "a key twice: the last value wins");
        assertEquals("$1\r\n2\r\n", f.call("GET", "x"));
        assertEquals("-ERR wrong number of arguments for 'msetnx' command\r\n", f.call("MSETNX", "a", "1", "b"));
        assertEquals("-ERR wrong number of arguments for 'msetnx' command\r\n", f.call("MSETNX", "a"));
    }

    @Test
    void rangeHelperMatchesRedisClamping() {
        byte[] v = "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals("abc", new String(StringCommands.range(v, Long.MIN_VALUE, Long.MAX_VALUE)));
        assertEquals("c", new String(StringCommands.range(v, -1, Long.MAX_VALUE)));
        assertEquals("", new String(StringCommands.range(v, 3, 5)));
    }
}
