package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.junit.jupiter.api.Test;

class LineHighlighterTest {
    /** Each word of the highlighted line with the style of its first character. */
    private static List<String> styled(LineHighlighter highlighter, String line) {
        AttributedString s = highlighter.highlight(null, line);
        assertEquals(line, s.toString(), "highlighting never changes the text");
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            if (line.charAt(i) == ' ') {
                i++;
                continue;
            }
            int end = LineHighlighter.wordEnd(line, i);
            AttributedStyle style = s.styleAt(i);
            String name = style.equals(LineHighlighter.COMMAND)
                    ? "command"
                    : style.equals(LineHighlighter.UNKNOWN)
                            ? "unknown"
                            : style.equals(LineHighlighter.KEY)
                                    ? "key"
                                    : style.equals(LineHighlighter.OPTION) ? "option" : "plain";
            words.add(line.substring(i, end) + ":" + name);
            i = end;
        }
        return words;
    }

    @Test
    void commandKeyAndOptionsEachHaveAStyle() {
        LineHighlighter h = new LineHighlighter(() -> ServerDocsTest.DOCS);
        assertEquals(List.of("put:command", "\"a key\":key", "v:plain"), styled(h, "put \"a key\" v"));
        assertEquals(
                List.of("set:command", "k:plain", "v:plain", "NX:option", "get:option"), styled(h, "set k v NX get"));
        assertEquals(
                List.of("scan:command", "a:key", "b:key", "LIMIT:option", "5:plain"), styled(h, "scan a b LIMIT 5"));
        assertEquals(List.of("frob:unknown", "x:plain"), styled(h, "frob x"));
    }

    @Test
    void withoutServerDocsUnknownCommandsStayPlain() {
        LineHighlighter h = new LineHighlighter(() -> ServerDocs.NONE);
        assertEquals(List.of("frob:plain", "get:plain"), styled(h, "frob get"));
        assertEquals(List.of("GET:command", "get:key"), styled(h, "GET get"));
    }

    @Test
    void aVeryLongLineStaysPlain() {
        String line = "get " + "k".repeat(ArgumentHints.MAX_LINE);
        assertEquals(
                AttributedStyle.DEFAULT,
                new LineHighlighter(() -> ServerDocs.NONE).highlight(null, line).styleAt(0));
    }
}
