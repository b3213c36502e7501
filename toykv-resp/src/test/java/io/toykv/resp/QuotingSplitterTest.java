package io.toykv.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Redis's quoting rules (sdssplitargs), as a table, and the malformed lines it refuses or cuts. */
class QuotingSplitterTest {

    static List<String> split(String line) throws QuotingSplitter.UnbalancedQuotesException {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        return strings(QuotingSplitter.split(b, b.length));
    }

    static List<String> strings(List<byte[]> words) {
        List<String> out = new ArrayList<>();
        for (byte[] a : words) {
            out.add(new String(a, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    @Test
    void splitsTheTable() throws Exception {
        Object[][] table = {
            {"GET k", List.of("GET", "k")},
            {"  GET   k  ", List.of("GET", "k")},
            {"\tGET\tk", List.of("GET", "k")},
            {"", List.of()},
            {"   ", List.of()},
            {"SET k \"a b\"", List.of("SET", "k", "a b")},
            {"SET k \"\"", List.of("SET", "k", "")},
            {"SET k ''", List.of("SET", "k", "")},
            {"\"\\n\\r\\t\\b\\a\\\\\\\"\"", List.of("\n\r\t\b\u0007\\\"")},
            {"\"\\x41\\x4a\\xzz\"", List.of("AJxzz")},
            {"\"\\q\"", List.of("q")},
            {"'it\\'s'", List.of("it's")},
            {"'a\\nb'", List.of("a\\nb")},
            {"a\"b c\"", List.of("ab c")},
            {"a'b c'", List.of("ab c")},
        };
        for (Object[] row : table) {
            assertEquals(row[1], split((String) row[0]), (String) row[0]);
        }
    }

    @Test
    void unbalancedQuotesAreAProtocolError() {
        for (String bad : new String[] {"\"abc", "'abc", "\"a\"b", "'a'b", "SET k \"v", "\"\\"}) {
            assertThrows(QuotingSplitter.UnbalancedQuotesException.class, () -> split(bad), bad);
            ProtocolException e = assertThrows(
                    ProtocolException.class,
                    () -> new RequestParser(RespLimits.defaults())
                            .feed((bad + "\r\n").getBytes(StandardCharsets.ISO_8859_1), 0, bad.length() + 2, r -> true),
                    bad);
            assertEquals("unbalanced quotes in request", e.getMessage());
        }
    }

    @Test
    void nulEndsTheLineAndWhatFollowsIsIgnored() throws Exception {
        assertEquals(List.of("GET", "a"), split("GET a\0b c"));
        assertEquals(List.of("GET"), split("GET \0 k"));
        assertEquals(List.of(), split("\0GET k"));
        assertEquals(List.of("a"), split("\"a\"\0glued"));
        assertEquals(List.of("a"), split("'a'\0\"unclosed"));
    }

    @Test
    void nulInsideQuotesLeavesThemUnclosed() {
        for (String bad : new String[] {"\"a\0b\"", "'a\0b'", "\"a\\\0\"", "\"\\x4\0\"", "x\"\0\""}) {
            assertThrows(QuotingSplitter.UnbalancedQuotesException.class, () -> split(bad), bad);
        }
    }

    @Test
    void verticalTabAndFormFeedSeparateWordsOnlyBeforeOne() throws Exception {
        assertEquals(List.of("a\u000bb\fc"), split("a\u000bb\fc"));
        assertEquals(List.of("GET", "k\u000b"), split("\u000b\fGET \fk\u000b"));
        assertEquals(List.of("a", "b"), split("\"a\"\fb"));
        assertEquals(List.of("a", "b"), split("'a'\u000bb"));
    }

    @Test
    void splitsOnlyTheGivenLength() throws Exception {
        byte[] line = "GET k \"unclosed".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(List.of("GET", "k"), strings(QuotingSplitter.split(line, 5)));
        assertThrows(IndexOutOfBoundsException.class, () -> QuotingSplitter.split(line, line.length + 1));
        assertThrows(IndexOutOfBoundsException.class, () -> QuotingSplitter.split(line, -1));
    }

    @Test
    void stringLinesAreSplitAsUtf8() throws Exception {
        List<byte[]> words = QuotingSplitter.split("get 日本 \"\\xff\"");
        assertEquals("日本", new String(words.get(1), StandardCharsets.UTF_8));
        assertEquals(1, words.get(2).length);
        assertEquals((byte) 0xff, words.get(2)[0]);
    }

    /**
     * Seeded fuzz over the bytes the rules care about: a line splits or is refused, never anything else,
     * and it means what its text up to the first NUL means.
     */
    @Test
    void randomLinesSplitOrAreRefusedAndStopAtTheFirstNul() {
        byte[] alphabet = {'a', 'x', '4', ' ', '\t', '\r', '\n', 0x0b, '\f', '"', '\'', '\\', 0, (byte) 0xff};
        Random random = new Random(2222L);
        int split = 0;
        int refused = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] line = new byte[random.nextInt(24)];
            for (int i = 0; i < line.length; i++) {
                line[i] = alphabet[random.nextInt(alphabet.length)];
            }
            int nul = 0;
            while (nul < line.length && line[nul] != 0) {
                nul++;
            }
            String whole = outcome(line, line.length);
            assertEquals(outcome(Arrays.copyOf(line, nul), nul), whole, Arrays.toString(line));
            if (whole.equals("refused")) {
                refused++;
            } else {
                split++;
            }
        }
        assertTrue(split > 1000 && refused > 1000, "split " + split + ", refused " + refused);
    }

    private static String outcome(byte[] line, int length) {
        try {
            return strings(QuotingSplitter.split(line, length)).toString();
        } catch (QuotingSplitter.UnbalancedQuotesException e) {
            return "refused";
        }
    }
}
