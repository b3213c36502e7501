package io.toykv.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab on a dumb terminal ({@code TERM=dumb}). The tty stays in line mode there, so the client sees a
 * Tab only when Enter sends the line: the text before the Tab is completed (the one candidate, else
 * the candidates' longest common start, with the candidates listed) and offered as the next line's
 * start, to be finished and sent with another Enter.
 */
final class DumbCompletion {
    /** The next line's start, and the candidates to list first (empty unless there are several). */
    record Result(String line, List<String> listed) {}

    private DumbCompletion() {}

    static Result complete(LineReader reader, CommandCompleter completer, String text) {
        ParsedLine parsed = new LineParser().parse(text, text.length(), null);
        List<Candidate> found = new ArrayList<>();
        completer.complete(reader, parsed, found);
        String word = parsed.word();
        String typed = word.toLowerCase(Locale.ROOT);
        List<String> matches = found.stream()
                .map(Candidate::value)
                .filter(v -> v.toLowerCase(Locale.ROOT).startsWith(typed))
                .sorted()
                .toList();
        String start = text.substring(0, text.length() - word.length());
        if (matches.isEmpty()) {
            return new Result(text, List.of());
        }
        if (matches.size() == 1) {
            return new Result(start + matches.get(0) + " ", List.of());
        }
        String common = matches.get(0);
        for (String m : matches) {
            int i = 0;
            while (i < common.length()
                    && i < m.length()
                    && Character.toLowerCase(common.charAt(i)) == Character.toLowerCase(m.charAt(i))) {
                i++;
            }
            common = common.substring(0, i);
        }
        return new Result(start + (common.length() > word.length() ? common : word), matches);
    }
}
