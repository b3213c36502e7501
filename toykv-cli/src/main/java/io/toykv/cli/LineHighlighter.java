package io.toykv.cli;

import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jline.reader.Highlighter;
import org.jline.reader.LineReader;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * Colours the line being typed (only when colour is on): the command name bold when this client or the
 * server's COMMAND DOCS knows it and red when the docs are there and do not; keys (the key positions of
 * get, put, del and scan) green; option words (NX, XX, GET, MATCH, COUNT, TYPE, LIMIT) after the first
 * argument yellow. Words follow the quoting rules loosely (a quote keeps blanks inside the word), which is all
 * colouring needs. Lines past {@link ArgumentHints#MAX_LINE} stay plain, as they get no hint: this runs
 * on every key press.
 */
final class LineHighlighter implements Highlighter {
    static final AttributedStyle COMMAND = AttributedStyle.BOLD;
    static final AttributedStyle UNKNOWN = AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);
    static final AttributedStyle KEY = AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
    static final AttributedStyle OPTION = AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);

    private final Supplier<ServerDocs> docs;

    LineHighlighter(Supplier<ServerDocs> docs) {
        this.docs = docs;
    }

    @Override
    public AttributedString highlight(LineReader reader, String buffer) {
        if (buffer.length() > ArgumentHints.MAX_LINE) {
            return new AttributedString(buffer);
        }
        AttributedStringBuilder out = new AttributedStringBuilder(buffer.length());
        String command = null;
        CommandCompleter.OptionWords options = null;
        int index = 0;
        int i = 0;
        while (i < buffer.length()) {
            if (Character.isWhitespace(buffer.charAt(i))) {
                out.append(buffer.charAt(i));
                i++;
                continue;
            }
            int end = wordEnd(buffer, i);
            String word = buffer.substring(i, end);
            AttributedStyle style = AttributedStyle.DEFAULT;
            if (index == 0) {
                command = word;
                style = styleOfCommand(word);
                options = CommandCompleter.optionWords(word, docs.get());
            } else if (CommandCompleter.isKeyPosition(command, index)) {
                style = KEY;
            } else if (options != null
                    && index >= options.from()
                    && options.words().contains(word.toUpperCase(Locale.ROOT))) {
                style = OPTION;
            }
            out.styled(style, word);
            index++;
            i = end;
        }
        return out.toAttributedString();
    }

    private AttributedStyle styleOfCommand(String word) {
        if (KnownCommand.lookup(word) != null) {
            return COMMAND;
        }
        ServerDocs server = docs.get();
        if (server.isEmpty()) {
            return AttributedStyle.DEFAULT;
        }
        return server.lookup(word) != null ? COMMAND : UNKNOWN;
    }

    /** Where the word starting at {@code start} ends: at a blank outside quotes, or the end of the text. */
    static int wordEnd(String s, int start) {
        char quote = 0;
        int i = start;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                return i;
            }
            if (quote != 0 && c == '\\' && i + 1 < s.length()) {
                i += 2;
                continue;
            }
            if (c == '"' || c == '\'') {
                quote = quote == 0 ? c : quote == c ? 0 : quote;
            }
            i++;
        }
        return i;
    }

    @Override
    public void setErrorPattern(Pattern errorPattern) {
        // No error highlighting of our own: unknown commands are shown red above.
    }

    @Override
    public void setErrorIndex(int errorIndex) {
        // As above.
    }
}
