package io.toykv.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Redis's quoting rules (sdssplitargs), as a table. */
class QuotingSplitterTest {

    static List<String> split(String line) throws ProtocolException {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        for (byte[] a : QuotingSplitter.split(b, b.length)) {
            out.add(new String(a, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    @Test
    void splitsTheTable() throws ProtocolException {
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
            ProtocolException e = assertThrows(ProtocolException.class, () -> split(bad), bad);
            assertEquals("unbalanced quotes in request", e.getMessage());
        }
    }
}
