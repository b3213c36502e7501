package io.toykv.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The greyed text shown after the cursor while a command is typed: the arguments still to come.
 * {@code put } shows {@code key value}, {@code put k1 } shows {@code value}, and the bare command name
 * {@code put} shows {@code  key value}. Nothing is shown in the middle of a word or for commands this
 * client does not know.
 */
final class ArgumentHints {
    private ArgumentHints() {}

    /**
     * Lines longer than this get no hint, and no more of them is read: the hint is computed on every key
     * press, so its cost must not grow with the line (typing a long value would be quadratic).
     */
    static final int MAX_LINE = 1024;

    /** The hint for a line whose cursor is at its end, or "" for none; reads at most {@link #MAX_LINE} chars. */
    static String hint(CharSequence text) {
        if (text.length() > MAX_LINE) {
            return "";
        }
        String line = text.toString();
        List<String> words = words(line);
        if (words.isEmpty()) {
            return "";
        }
        KnownCommand spec = KnownCommand.lookup(words.get(0));
        if (spec == null || spec.arguments().isEmpty()) {
            return "";
        }
        boolean atNewWord = Character.isWhitespace(line.charAt(line.length() - 1));
        if (!atNewWord) {
            return words.size() == 1 ? " " + spec.arguments() : "";
        }
        List<String> args = words.subList(1, words.size());
        return spec == KnownCommand.SCAN ? scanHint(args) : remaining(spec.arguments(), args.size());
    }

    /**
     * The hint for a server command the client does not know, from its COMMAND DOCS: its summary after
     * the bare command name (cursor at the end of the first word); after a blank, the arguments still to
     * come from the docs' usage ({@code set k } shows {@code value [NX | XX] [GET]}); "" otherwise.
     */
    static String serverHint(String line, ServerDocs docs) {
        if (line.isEmpty() || line.length() > MAX_LINE || docs.isEmpty()) {
            return "";
        }
        String word = line.stripLeading();
        if (word.isEmpty()) {
            return "";
        }
        if (word.chars().anyMatch(Character::isWhitespace)) {
            List<String> words = words(line);
            ServerDocs.Doc doc = docs.lookup(words.get(0));
            boolean atNewWord = Character.isWhitespace(line.charAt(line.length() - 1));
            if (doc == null || doc.usage().isEmpty() || !atNewWord || KnownCommand.lookup(words.get(0)) != null) {
                return "";
            }
            return remaining(doc.usage(), words.size() - 1);
        }
        if (KnownCommand.lookup(word) != null) {
            return "";
        }
        ServerDocs.Doc doc = docs.lookup(word);
        return doc == null || doc.summary().isEmpty() ? "" : "  " + doc.summary();
    }

    /** Drops the first {@code typed} argument names; a repeating tail ({@code [key ...]}) stays. */
    private static String remaining(String arguments, int typed) {
        List<String> slots = slots(arguments);
        if (typed < slots.size()) {
            return String.join(" ", slots.subList(typed, slots.size()));
        }
        String last = slots.get(slots.size() - 1);
        return last.endsWith("...]") ? last : "";
    }

    private static String scanHint(List<String> args) {
        int n = args.size();
        if (n > 0 && args.get(n - 1).toLowerCase(Locale.ROOT).equals("limit")) {
            return "n";
        }
        if (n >= 2 && args.get(n - 2).toLowerCase(Locale.ROOT).equals("limit")) {
            return "";
        }
        if (ScanRequest.isServerScan(
                args.stream().map(a -> a.getBytes(StandardCharsets.UTF_8)).toList())) {
            return n == 1 ? "[end] [LIMIT n] or [MATCH pattern] [COUNT n] [TYPE type]" : "";
        }
        switch (n) {
            case 0:
                return "[start [end]] [LIMIT n]";
            case 1:
                return "[end] [LIMIT n]";
            case 2:
                return "[LIMIT n]";
            default:
                return "";
        }
    }

    /** Splits {@code key [key ...]} into {@code key}, {@code [key ...]}: brackets keep their spaces. */
    private static List<String> slots(String arguments) {
        List<String> slots = new ArrayList<>();
        int depth = 0;
        StringBuilder slot = new StringBuilder();
        for (char c : arguments.toCharArray()) {
            if (c == ' ' && depth == 0) {
                slots.add(slot.toString());
                slot.setLength(0);
                continue;
            }
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            slot.append(c);
        }
        slots.add(slot.toString());
        return slots;
    }

    /** Words as the parser sees them; an unclosed quote makes one last word. */
    private static List<String> words(String line) {
        return new LineParser()
                .parse(line, line.length(), null).words().stream()
                        .filter(w -> !w.isEmpty())
                        .collect(java.util.stream.Collectors.toList());
    }
}
