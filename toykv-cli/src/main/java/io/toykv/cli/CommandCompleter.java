package io.toykv.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion: command names in the first word (this client's, then the server's from its COMMAND
 * DOCS, each with its summary); after {@code help}, command names and {@code @group}s; a command's
 * option words where they may come, from the tokens of its COMMAND DOCS arguments, else from
 * {@link #OPTION_WORDS}; in the key
 * positions of get, put, del and scan, the keys this session has already seen ({@link KnownKeys}) merged
 * with the server's keys that start with the typed word (a SCAN bounded to about 100 ms).
 */
final class CommandCompleter implements Completer {
    /** A command's option words and the first argument position (1-based) they may take. */
    record OptionWords(int from, List<String> words) {}

    /**
     * Option words by command, for Tab and highlighting, as our server accepts them: SET key value
     * [NX | XX] [GET], SCAN cursor [MATCH p] [COUNT n] [TYPE t] (and our range scan's LIMIT), RANGE
     * start end LIMIT n. Used when the server's COMMAND DOCS gives no tokens ({@link #optionWords}).
     */
    static final java.util.Map<String, OptionWords> OPTION_WORDS = java.util.Map.of(
            "set", new OptionWords(3, List.of("NX", "XX", "GET")),
            "put", new OptionWords(3, List.of("NX", "XX", "GET")),
            "scan", new OptionWords(2, List.of("MATCH", "COUNT", "TYPE", "LIMIT")),
            "range", new OptionWords(3, List.of("LIMIT")));

    private final KnownKeys knownKeys;
    private final java.util.function.Supplier<ServerDocs> docs;
    /** The server's keys with a prefix ({@link ClientSession#keysStartingWith}); merged with the seen keys. */
    private final java.util.function.Function<String, List<byte[]>> serverKeys;

    CommandCompleter(KnownKeys knownKeys) {
        this(knownKeys, () -> ServerDocs.NONE, prefix -> List.of());
    }

    CommandCompleter(
            KnownKeys knownKeys,
            java.util.function.Supplier<ServerDocs> docs,
            java.util.function.Function<String, List<byte[]>> serverKeys) {
        this.knownKeys = knownKeys;
        this.docs = docs;
        this.serverKeys = serverKeys;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        boolean helpTopic =
                line.wordIndex() == 1 && KnownCommand.lookup(line.words().get(0)) == KnownCommand.HELP;
        if (line.wordIndex() == 0 || helpTopic) {
            String typed = line.word().toLowerCase(Locale.ROOT);
            for (KnownCommand spec : KnownCommand.values()) {
                if (spec.commandName().startsWith(typed)) {
                    candidates.add(new Candidate(
                            spec.commandName(), spec.commandName(), null, spec.summary(), null, null, true));
                }
            }
            ServerDocs server = docs.get();
            for (String name : server.names()) {
                if (name.startsWith(typed) && KnownCommand.lookup(name) == null) {
                    candidates.add(
                            new Candidate(name, name, null, server.lookup(name).summary(), null, null, true));
                }
            }
            if (helpTopic) {
                for (String group : server.groups()) {
                    if (("@" + group).startsWith(typed)) {
                        candidates.add(new Candidate("@" + group, "@" + group, null, null, null, null, true));
                    }
                }
            }
            return;
        }
        OptionWords options = optionWords(line.words().get(0), docs.get());
        if (options != null && line.wordIndex() >= options.from()) {
            for (String option : options.words()) {
                candidates.add(new Candidate(option, option, null, null, null, null, true));
            }
        }
        if (!isKeyPosition(line.words().get(0), line.wordIndex())) {
            return;
        }
        java.util.Set<String> offered = new java.util.HashSet<>();
        for (byte[] key : knownKeys.snapshot()) {
            String typed = typedForm(key);
            if (offered.add(typed)) {
                candidates.add(new Candidate(typed, typed, null, null, null, null, true));
            }
        }
        // A word typed in quotes is not a plain prefix of the key: only a plain word asks the server.
        String word =
                line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
        if (word.indexOf('"') < 0 && word.indexOf('\'') < 0 && word.indexOf('\\') < 0) {
            for (byte[] key : serverKeys.apply(word)) {
                String typed = typedForm(key);
                if (offered.add(typed)) {
                    candidates.add(new Candidate(typed, typed, null, null, null, null, true));
                }
            }
        }
    }

    /**
     * A command's option words: the tokens the server's docs give for it, then any of our own table's
     * that they lack (scan's LIMIT, which is this client's range scan); our own table alone when the
     * docs give none; null when neither knows the command.
     */
    static OptionWords optionWords(String command, ServerDocs docs) {
        String lower = command.toLowerCase(Locale.ROOT);
        OptionWords own = OPTION_WORDS.get(lower);
        ServerDocs.Doc doc = docs.lookup(lower);
        if (doc == null || doc.tokens().isEmpty()) {
            return own;
        }
        List<String> words = new java.util.ArrayList<>(doc.tokens());
        int from = doc.optionsFrom();
        if (own != null) {
            own.words().stream().filter(w -> !words.contains(w)).forEach(words::add);
            from = Math.min(from, own.from());
        }
        return new OptionWords(from, List.copyOf(words));
    }

    /** Whether the argument at {@code index} (1-based after the command) names a key. */
    static boolean isKeyPosition(String command, int index) {
        KnownCommand spec = KnownCommand.lookup(command);
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

    /**
     * How a key must be typed so that {@link ArgumentSplitter} gives its bytes back unchanged: plain,
     * or in double quotes with escapes, bytes that are not UTF-8 as {@code \xHH}.
     */
    static String typedForm(byte[] key) {
        if (Utf8.isValid(key)) {
            return quoteIfNeeded(new String(key, StandardCharsets.UTF_8));
        }
        StringBuilder out = new StringBuilder("\"");
        int i = 0;
        while (i < key.length) {
            int length = Utf8.sequenceLength(key, i);
            if (length == 0) {
                out.append(String.format("\\x%02x", key[i] & 0xff));
                i++;
            } else {
                appendEscaped(out, new String(key, i, length, StandardCharsets.UTF_8));
                i += length;
            }
        }
        return out.append('"').toString();
    }

    /** How a key must be typed so that {@link ArgumentSplitter} gives it back unchanged. */
    static String quoteIfNeeded(String key) {
        boolean plain = !key.isEmpty() && key.chars().allMatch(c -> c > ' ' && c != '"' && c != '\'' && c != 0x7f);
        if (plain) {
            return key;
        }
        StringBuilder out = new StringBuilder("\"");
        appendEscaped(out, key);
        return out.append('"').toString();
    }

    /** Appends text as it is typed inside double quotes. */
    private static void appendEscaped(StringBuilder out, String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < ' ' || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
    }
}
