package io.toykv.cli;

import java.util.List;
import java.util.Locale;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion: command names in the first word; in key positions of get, put, del and scan, keys
 * this session has already seen ({@link KnownKeys}), so Tab never costs a round trip.
 */
final class CommandCompleter implements Completer {
    private final KnownKeys knownKeys;

    CommandCompleter(KnownKeys knownKeys) {
        this.knownKeys = knownKeys;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        if (line.wordIndex() == 0) {
            String typed = line.word().toLowerCase(Locale.ROOT);
            for (CommandSpec spec : CommandSpec.values()) {
                if (spec.commandName().startsWith(typed)) {
                    candidates.add(new Candidate(spec.commandName(), spec.commandName(), null, spec.summary(),
                            null, null, true));
                }
            }
            return;
        }
        if (!isKeyPosition(line.words().get(0), line.wordIndex())) {
            return;
        }
        for (String key : knownKeys.snapshot()) {
            String typed = quoteIfNeeded(key);
            candidates.add(new Candidate(typed, typed, null, null, null, null, true));
        }
    }

    /** Whether the argument at {@code index} (1-based after the command) names a key. */
    static boolean isKeyPosition(String command, int index) {
        CommandSpec spec = CommandSpec.lookup(command);
        if (spec == null) {
            return false;
        }
        switch (spec) {
            case GET:
            case PUT:
                return index == 1;
            case DEL:
                return index >= 1;
            case SCAN:
                return index == 1 || index == 2;
            default:
                return false;
        }
    }

    /** How a key must be typed so that {@link ArgumentSplitter} gives it back unchanged. */
    static String quoteIfNeeded(String key) {
        boolean plain = !key.isEmpty() && key.chars().allMatch(c -> c > ' ' && c != '"' && c != '\'' && c != 0x7f);
        if (plain) {
            return key;
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < ' ' || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }
}
