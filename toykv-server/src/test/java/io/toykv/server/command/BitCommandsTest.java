package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.core.StoreOptions;
import org.junit.jupiter.api.Test;

class BitCommandsTest extends FixtureTest {
    private static final String BAD_OFFSET = "-" + BitCommands.BAD_OFFSET + "\r\n";
    private static final String BAD_BIT = "-" + BitCommands.BAD_BIT + "\r\n";

    @Test
    void setbitOnAMissingKeyMakesAZeroFilledValueLongEnoughForTheBit() {
        assertEquals(":0\r\n", f.call("SETBIT", "k", "9", "1"));
        assertEquals("$2\r\n\u0000@\r\n", f.call("GET", "k"), "bit 9: the second byte's 0x40");
        assertEquals(":0\r\n", f.call("SETBIT", "z", "0", "0"));
        assertEquals("$1\r\n\u0000\r\n", f.call("GET", "z"), "clearing a bit of a missing key creates it too");
    }

    @Test
    void setbitRepliesTheOldBitAndLeavesTheOtherBits() {
        f.call("SET", "k", "1"); // 0x31 = 0011 0001
        assertEquals(":0\r\n", f.call("SETBIT", "k", "6", "1"));
        assertEquals("$1\r\n3\r\n", f.call("GET", "k"), "0011 0011");
        assertEquals(":1\r\n", f.call("SETBIT", "k", "2", "0"));
        assertEquals("$1\r\n\u0013\r\n", f.call("GET", "k"), "0001 0011");
        assertEquals(":1\r\n", f.call("SETBIT", "k", "7", "1"), "setting a set bit");
        assertEquals("$3\r\nraw\r\n", f.call("OBJECT", "ENCODING", "k"));
    }

    @Test
    void setbitKeepsTheExpiry() {
        f.call("SET", "k", "a", "EX", "100");
        f.call("SETBIT", "k", "20", "1");
        assertEquals(":100\r\n", f.call("TTL", "k"));
    }

    @Test
    void getbitReadsBitsFromTheMostSignificantAndZeroPastTheEnd() {
        assertEquals(":0\r\n", f.call("GETBIT", "missing", "5"));
        f.call("SET", "k", "`"); // 0x60 = 0110 0000
        assertEquals(":0\r\n", f.call("GETBIT", "k", "0"));
        assertEquals(":1\r\n", f.call("GETBIT", "k", "1"));
        assertEquals(":1\r\n", f.call("GETBIT", "k", "2"));
        assertEquals(":0\r\n", f.call("GETBIT", "k", "3"));
        assertEquals(":0\r\n", f.call("GETBIT", "k", "8"));
        assertEquals(":0\r\n", f.call("GETBIT", "k", "10000"));
    }

    @Test
    void offsetsAndBitsOutOfRangeAreRefused() {
        for (String offset : new String[] {"-1", "x", "1.5", "4294967296", "9223372036854775807"}) {
            assertEquals(BAD_OFFSET, f.call("SETBIT", "k", offset, "1"), offset);
            assertEquals(BAD_OFFSET, f.call("GETBIT", "k", offset), offset);
        }
        for (String bit : new String[] {"-1", "2", "10", "x", " 1"}) {
            assertEquals(BAD_BIT, f.call("SETBIT", "k", "0", bit), bit);
        }
        assertEquals("$-1\r\n", f.call("GET", "k"), "nothing written");
        assertEquals("-ERR wrong number of arguments for 'setbit' command\r\n", f.call("SETBIT", "k", "0"));
        assertEquals("-ERR wrong number of arguments for 'getbit' command\r\n", f.call("GETBIT", "k"));
    }

    @Test
    void theLastBitOfTheLargestValueIsTheLastOffsetAccepted() {
        try (CommandFixture small = new CommandFixture(
                dir.resolve("small"), StoreOptions.defaults().shards(1).maxValueSize(4))) {
            assertEquals(BAD_OFFSET, small.call("SETBIT", "k", "32", "1"));
            assertEquals(":0\r\n", small.call("SETBIT", "k", "31", "1"));
            assertEquals(":1\r\n", small.call("GETBIT", "k", "31"));
            assertEquals(BAD_OFFSET, small.call("GETBIT", "k", "32"));
        }
    }
}
