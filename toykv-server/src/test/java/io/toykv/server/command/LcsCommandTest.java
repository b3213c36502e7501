package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.core.StoreOptions;
import org.junit.jupiter.api.Test;

class LcsCommandTest extends FixtureTest {
    @Test
    void lcsStringLengthAndMatchesLastFirst() {
        f.call("MSET", "key1", "ohmytext", "key2", "mynewtext");
        assertEquals("$6\r\nmytext\r\n", f.call("LCS", "key1", "key2"));
        assertEquals(":6\r\n", f.call("LCS", "key1", "key2", "LEN"));
        assertEquals(
                "*4\r\n$7\r\nmatches\r\n*2\r\n"
                        + "*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
                        + "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n"
                        + "$3\r\nlen\r\n:6\r\n",
                f.call("LCS", "key1", "key2", "IDX"));
        assertEquals(
                "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n",
                f.call("LCS", "key1", "key2", "idx", "minmatchlen", "4", "withmatchlen"));
        f.session.protocol(3);
        assertEquals("%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n", f.call("LCS", "key1", "missing", "IDX"));
    }

    @Test
    void lcsErrors() {
        assertEquals("$0\r\n\r\n", f.call("LCS", "a", "b"), "missing keys are empty strings");
        assertEquals(
                "-ERR If you want both the length and indexes, please just use IDX.\r\n",
                f.call("LCS", "a", "b", "LEN", "IDX"));
        assertEquals("-ERR syntax error\r\n", f.call("LCS", "a", "b", "MINMATCHLEN"));
        assertEquals("-ERR value is not an integer or out of range\r\n", f.call("LCS", "a", "b", "MINMATCHLEN", "x"));
        try (CommandFixture small = new CommandFixture(
                dir.resolve("small"), StoreOptions.defaults().shards(1).maxValueSize(64))) {
            small.call("MSET", "a", "0123456789", "b", "0123456789");
            assertEquals(
                    "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n",
                    small.call("LCS", "a", "b"));
        }
    }
}
