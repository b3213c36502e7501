package io.toykv.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The commands this client knows by name: their arguments as help shows them, a one-line summary, and
 * how many arguments they take. Any other word goes to the server untouched.
 */
enum KnownCommand {
    GET("key", "Get the value stored under a key", 1, 1),
    PUT("key value", "Store a value under a key (sent as SET)", 2, 2),
    DEL("key [key ...]", "Delete keys; replies with how many existed", 1, Integer.MAX_VALUE),
    SCAN(
            "[start [end]] [LIMIT n]",
            "List keys and values in key order, start inclusive, end exclusive",
            0,
            Integer.MAX_VALUE),
    PING("[message]", "Check that the server answers", 0, 1),
    DBSIZE("", "Count the keys", 0, 0),
    INFO("[section ...]", "Show what the server reports about itself", 0, Integer.MAX_VALUE),
    HELP("[command]", "Show this help, or one command's", 0, 1),
    CLEAR("", "Clear the screen", 0, 0),
    QUIT("", "End the session", 0, 0),
    EXIT("", "End the session", 0, 0);

    /** Built with a loop, not a stream: every one-shot command reads this, and a stream's lambdas cost start-up. */
    private static final Map<String, KnownCommand> BY_NAME = byName();

    private static Map<String, KnownCommand> byName() {
        Map<String, KnownCommand> map = new java.util.HashMap<>();
        for (KnownCommand spec : values()) {
            map.put(spec.commandName(), spec);
        }
        return Map.copyOf(map);
    }

    /** How the two scans are told apart, for help. */
    private static final String SCAN_FORMS =
            "scan CURSOR [MATCH pattern] [COUNT n] [TYPE type] is the server's SCAN, sent as typed\n"
                    + "  (a number alone, or followed by MATCH, COUNT or TYPE); a range from a numeric key names its end:\n"
                    + "  scan 0 \"\" lists every pair from key \"0\" on.\n";

    private final String arguments;
    private final String summary;
    private final int minArguments;
    private final int maxArguments;

    KnownCommand(String arguments, String summary, int minArguments, int maxArguments) {
        this.arguments = arguments;
        this.summary = summary;
        this.minArguments = minArguments;
        this.maxArguments = maxArguments;
    }

    /** The name as typed, lower case. */
    String commandName() {
        return name().toLowerCase(Locale.ROOT);
    }

    String arguments() {
        return arguments;
    }

    String summary() {
        return summary;
    }

    String usage() {
        return arguments.isEmpty() ? commandName() : commandName() + " " + arguments;
    }

    boolean acceptsArgumentCount(int n) {
        return n >= minArguments && n <= maxArguments;
    }

    /** The command a word names, ignoring case, or null for a word that goes to the server as it is. */
    static KnownCommand lookup(String word) {
        return BY_NAME.get(word.toLowerCase(Locale.ROOT));
    }

    /**
     * The command a whole line of words is, or null when it goes to the server as typed: as
     * {@link #lookup} on the first word, except that {@code scan CURSOR [MATCH|COUNT|TYPE ...]} is the
     * server's SCAN ({@link ScanRequest#isServerScan}).
     */
    static KnownCommand of(List<byte[]> words) {
        KnownCommand spec = lookup(new String(words.get(0), java.nio.charset.StandardCharsets.UTF_8));
        if (spec == SCAN && ScanRequest.isServerScan(words.subList(1, words.size()))) {
            return null;
        }
        return spec;
    }

    static List<String> names() {
        return java.util.Arrays.stream(values())
                .map(KnownCommand::commandName)
                .sorted()
                .collect(Collectors.toList());
    }

    /** The text of {@code help}, or of {@code help NAME}. */
    static String helpText(String name) {
        if (name != null) {
            KnownCommand spec = lookup(name);
            if (spec == null) {
                return name + " is not a toykv-cli command; it is sent to the server as it is.\n";
            }
            return spec.usage() + "\n  " + spec.summary() + "\n" + (spec == SCAN ? SCAN_FORMS : "");
        }
        int width = java.util.Arrays.stream(values())
                .mapToInt(s -> s.usage().length())
                .max()
                .orElse(0);
        StringBuilder out = new StringBuilder();
        for (KnownCommand spec : values()) {
            out.append(spec.usage())
                    .append(" ".repeat(width - spec.usage().length() + 2))
                    .append(spec.summary())
                    .append('\n');
        }
        out.append(SCAN_FORMS);
        out.append("Command names ignore case. Any other command is sent to the server as typed.\n");
        out.append("Quote with \"...\" (escapes \\n \\t \\\" \\\\ \\xHH) or '...'.\n");
        return out.toString();
    }
}
