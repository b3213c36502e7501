package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Redis's glob rules, as a table, and the literal prefix used to narrow a scan. */
class GlobTest {

    static boolean match(String pattern, String s) {
        return new Glob(pattern.getBytes(StandardCharsets.ISO_8859_1)).matches(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void matchesTheTable() {
        Object[][] table = {
            {"*", "", true},
            {"*", "abc", true},
            {"a*", "abc", true},
            {"a*", "bac", false},
            {"*c", "abc", true},
            {"a*c", "abxc", true},
            {"a*c", "abxd", false},
            {"?", "a", true},
            {"?", "", false},
            {"h?llo", "hallo", true},
            {"h[ae]llo", "hello", true},
            {"h[ae]llo", "hillo", false},
            {"h[^e]llo", "hallo", true},
            {"h[^e]llo", "hello", false},
            {"h[a-b]llo", "hbllo", true},
            {"h[b-a]llo", "hallo", true},
            {"h[a-b]llo", "hcllo", false},
            {"h\\*llo", "h*llo", true},
            {"h\\*llo", "hallo", false},
            {"user:*:name", "user:42:name", true},
            {"*a*a*a*a*b", "aaaaaaaaaaaaaaaa", false},
            {"[\\]]", "]", true},
            {"abc", "abc", true},
            {"abc", "abcd", false},
        };
        for (Object[] row : table) {
            assertEquals(row[2], match((String) row[0], (String) row[1]), row[0] + " ~ " + row[1]);
        }
    }

    @Test
    void literalPrefixStopsAtTheFirstSpecialByte() {
        assertArrayEquals(
                "user:".getBytes(StandardCharsets.US_ASCII),
                new Glob("user:*".getBytes(StandardCharsets.US_ASCII)).literalPrefix());
        assertArrayEquals(new byte[0], new Glob("*x".getBytes(StandardCharsets.US_ASCII)).literalPrefix());
        assertArrayEquals(new byte[] {'a', 'c'}, Glob.prefixEnd(new byte[] {'a', 'b'}));
        assertArrayEquals(new byte[] {'b'}, Glob.prefixEnd(new byte[] {'a', (byte) 0xff}));
        assertNull(Glob.prefixEnd(new byte[] {(byte) 0xff}));
    }
}
