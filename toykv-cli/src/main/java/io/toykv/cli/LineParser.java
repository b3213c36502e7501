package io.toykv.cli;

import java.util.ArrayList;
import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * Tells JLine where the words of the line being edited are, for completion and hints. It never
 * rejects a line (an unclosed quote is {@link ArgumentSplitter}'s to report when the line runs) and
 * never rewrites a completion: candidates arrive already quoted as the splitter wants them.
 */
final class LineParser implements Parser {

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        List<String> words = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        int wordIndex = -1;
        int wordCursor = 0;
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int start = i;
            char quote = 0;
            while (i < n && (quote != 0 || !Character.isWhitespace(line.charAt(i)))) {
                char c = line.charAt(i);
                if (quote != 0 && c == '\\' && i + 1 < n) {
                    i += 2;
                    continue;
                }
                if (quote == 0 && (c == '"' || c == '\'')) {
                    quote = c;
                } else if (c == quote) {
                    quote = 0;
                }
                i++;
            }
            if (cursor >= start && cursor <= i) {
                wordIndex = words.size();
                wordCursor = cursor - start;
            }
            words.add(line.substring(start, i));
            ends.add(i);
        }
        if (wordIndex < 0) {
            // The cursor is on blank space: completion starts a new, empty word there.
            int before = 0;
            while (before < ends.size() && ends.get(before) <= cursor) {
                before++;
            }
            words.add(before, "");
            wordIndex = before;
            wordCursor = 0;
        }
        return new Parsed(line, cursor, words, wordIndex, wordCursor);
    }

    private record Parsed(String line, int cursor, List<String> words, int wordIndex, int wordCursor)
            implements CompletingParsedLine {
        @Override
        public String word() {
            return words.get(wordIndex);
        }

        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate;
        }

        @Override
        public int rawWordCursor() {
            return wordCursor;
        }

        @Override
        public int rawWordLength() {
            return word().length();
        }
    }
}
