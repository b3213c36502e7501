package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.Parser.ParseContext;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Completion and hints through JLine's own API, on a terminal over in-memory streams. */
class CompletionAndHintsTest {
    private final KnownKeys keys = new KnownKeys();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private Terminal terminal(String typed) throws IOException {
        // JLine's own reader tests use this: a dumb terminal object whose type is a capable one.
        Terminal terminal = new DumbTerminal(
                "test",
                "ansi",
                new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)),
                screen,
                StandardCharsets.UTF_8);
        terminal.setSize(new Size(160, 80));
        return terminal;
    }

    private List<String> candidates(String line) throws IOException {
        return candidates(line, new CommandCompleter(keys));
    }

    private List<String> candidates(String line, CommandCompleter completer) throws IOException {
        try (Terminal terminal = terminal("")) {
            LineReader reader = Repl.newReader(terminal, new SessionHistory(null, null), keys);
            List<Candidate> found = new ArrayList<>();
            completer.complete(reader, new LineParser().parse(line, line.length(), ParseContext.COMPLETE), found);
            return found.stream().map(Candidate::value).sorted().collect(Collectors.toList());
        }
    }

    private String typeAndAccept(String typed) throws IOException {
        try (Terminal terminal = terminal(typed)) {
            return Repl.newReader(terminal, new SessionHistory(null, null), keys)
                    .readLine("> ");
        }
    }

    /**
     * Types each chunk once the reader has drawn the one before: keys that arrive together are typed
     * ahead, and the reader draws only after the last of them.
     */
    private String typeSlowlyAndAccept(String... chunks) throws Exception {
        java.io.PipedOutputStream keyboard = new java.io.PipedOutputStream();
        java.io.PipedInputStream in = new java.io.PipedInputStream(keyboard);
        try (Terminal terminal = new DumbTerminal("test", "ansi", in, screen, StandardCharsets.UTF_8)) {
            terminal.setSize(new Size(160, 80));
            LineReader reader = Repl.newReader(terminal, new SessionHistory(null, null), keys);
            java.util.concurrent.CompletableFuture<String> line =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> reader.readLine("> "));
            for (String chunk : chunks) {
                Thread.sleep(300);
                keyboard.write(chunk.getBytes(StandardCharsets.UTF_8));
                keyboard.flush();
            }
            return line.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void firstWordCompletesCommandNames() throws IOException {
        assertEquals(List.of("dbsize", "del"), candidates("d"));
        assertEquals(List.of("get"), candidates("GE"));
        assertEquals(KnownCommand.names(), candidates(""));
    }

    @Test
    void keyPositionsCompleteKeysSeenInReplies() throws IOException {
        keys.add(b("user:1"));
        keys.add(b("user:2"));
        keys.add(b("with space"));
        assertEquals(List.of("\"with space\"", "user:1", "user:2"), candidates("get "));
        assertEquals(List.of("\"with space\"", "user:1", "user:2"), candidates("del user:1 "));
        assertEquals(List.of(), candidates("put user:1 "));
        assertEquals(List.of(), candidates("ping "));
        assertEquals(List.of(), candidates("frobnicate "));
    }

    /** A key that is not valid UTF-8 is offered as the splitter reads it back: invalid bytes as \\xHH. */
    @Test
    void keysThatAreNotUtf8CompleteWithEscapes() throws Exception {
        byte[] odd = {'k', (byte) 0xff, ' ', (byte) 0xc3, (byte) 0xa9, '"'};
        keys.add(odd);
        assertEquals(List.of("\"k\\xff é\\\"\""), candidates("get "));
        assertTrue(java.util.Arrays.equals(
                odd, ArgumentSplitter.split("get " + candidates("get ").get(0)).get(1)));
        keys.remove(odd);
        assertEquals(List.of(), candidates("get "));
    }

    @Test
    void tabCompletesInTheEditor() throws IOException {
        keys.add(b("k1"));
        assertEquals("get k1 ", typeAndAccept("ge\tk\t\n"));
    }

    @Test
    void forgottenKeysAreNotOffered() throws IOException {
        keys.add(b("gone"));
        keys.remove(b("gone"));
        assertEquals(List.of(), candidates("get "));
    }

    @ParameterizedTest(name = "[{0}] hints [{1}]")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "put             | ` key value`",
                "`put `          | key value",
                "`PUT `          | key value",
                "`put k1 `       | value",
                "`put k1 v1 `    | ``",
                "`put k`         | ``",
                "`get `          | key",
                "`del `          | key [key ...]",
                "`del a b `      | [key ...]",
                "`scan `         | [start [end]] [LIMIT n]",
                "`scan a `       | [end] [LIMIT n]",
                "`scan a b `     | [LIMIT n]",
                "`scan 0 `       | [end] [LIMIT n] or [MATCH pattern] [COUNT n] [TYPE type]",
                "`scan 0 match ` | ``",
                "`scan limit `   | n",
                "`scan LIMIT 5 ` | ``",
                "`dbsize `       | ``",
                "`frobnicate `   | ``",
                "`put \"a b\" `  | value",
            })
    void hintsShowTheArgumentsStillToCome(String line, String hint) {
        assertEquals(hint == null ? "" : hint, ArgumentHints.hint(line));
    }

    /** The hint runs on every key press: on a long line it must not read the line (typing would be quadratic). */
    @Test
    void hintWorkIsBoundedOnALongLine() {
        CharSequence longLine = new CharSequence() {
            @Override
            public int length() {
                return 100_000;
            }

            @Override
            public char charAt(int index) {
                if (index >= ArgumentHints.MAX_LINE) {
                    throw new AssertionError("read char " + index);
                }
                return index < 4 ? "put ".charAt(index) : 'a';
            }

            @Override
            public CharSequence subSequence(int start, int end) {
                throw new AssertionError("copied " + start + ".." + end);
            }

            @Override
            public String toString() {
                throw new AssertionError("copied the whole line");
            }
        };
        assertEquals("", ArgumentHints.hint(longLine));
        assertEquals("value", ArgumentHints.hint("put k" + "a".repeat(ArgumentHints.MAX_LINE - 7) + " "));
    }

    @Test
    void hintIsDrawnFaintWhileTyping() throws Exception {
        assertEquals("put k v", typeSlowlyAndAccept("put ", "k v\n"));
        String drawn = screen.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.contains("key value"), drawn);
        assertTrue(drawn.contains("\u001b[2m"), "faint: " + drawn);
    }

    @Test
    void unbalancedQuoteStillAcceptsTheLine() throws IOException {
        assertEquals("put k \"open", typeAndAccept("put k \"open\n"));
    }

    @Test
    void exclamationMarksAreNotHistoryExpansion() throws IOException {
        assertEquals("put k hi!!", typeAndAccept("put k hi!!\n"));
    }

    @Test
    void commandNamesIncludeTheServersFromItsDocs() throws IOException {
        CommandCompleter completer = new CommandCompleter(keys, () -> ServerDocsTest.DOCS, prefix -> List.of());
        assertEquals(List.of("scan", "set", "strlen"), candidates("s", completer));
        assertEquals(List.of("ping"), candidates("PI", completer));
    }

    @Test
    void helpCompletesCommandsAndGroups() throws IOException {
        CommandCompleter completer = new CommandCompleter(keys, () -> ServerDocsTest.DOCS, prefix -> List.of());
        assertEquals(List.of("@connection"), candidates("help @c", completer));
        assertEquals(List.of("strlen"), candidates("help str", completer));
    }

    @Test
    void keyPositionsMergeTheServersKeysWithTheSeenOnes() throws IOException {
        keys.add("user:1".getBytes(StandardCharsets.UTF_8));
        List<String> asked = new ArrayList<>();
        CommandCompleter completer = new CommandCompleter(keys, () -> ServerDocs.NONE, prefix -> {
            asked.add(prefix);
            return List.of("user:1".getBytes(StandardCharsets.UTF_8), "user:2 x".getBytes(StandardCharsets.UTF_8));
        });
        assertEquals(List.of("\"user:2 x\"", "user:1"), candidates("get user", completer));
        assertEquals(List.of("user"), asked);
        assertEquals(List.of(), candidates("ping user", completer));
        assertEquals(List.of("user"), asked, "only key positions ask the server");
    }

    @Test
    void optionWordsCompleteWhereTheServerTakesThem() throws IOException {
        assertEquals(List.of("GET", "NX", "XX"), candidates("set k v "));
        assertEquals(List.of(), candidates("set k "), "the value comes first");
        assertEquals(List.of("COUNT", "LIMIT", "MATCH", "TYPE"), candidates("scan 0 "));
    }

    @Test
    void optionWordsComeFromTheServersDocsWhenItGivesThem() throws IOException {
        CommandCompleter completer = new CommandCompleter(keys, () -> ServerDocsTest.WITH_ARGUMENTS, p -> List.of());
        assertEquals(List.of("GET", "KEEPTTL", "NX", "XX"), candidates("set k v ", completer));
        assertEquals(List.of(), candidates("set k ", completer), "the value comes first");
        assertEquals(
                List.of("COUNT", "LIMIT", "MATCH", "TYPE"),
                candidates("scan 0 ", completer),
                "the server's SCAN options, then our own it lacks (LIMIT of the client's range scan)");
        assertEquals(List.of("LIMIT"), candidates("range a b ", completer), "no docs for RANGE: our own table");
    }

    @Test
    void optionWordsFromTheDocsAreHighlighted() {
        LineHighlighter highlighter = new LineHighlighter(() -> ServerDocsTest.WITH_ARGUMENTS);
        org.jline.utils.AttributedString line = highlighter.highlight(null, "set k v KEEPTTL");
        assertEquals(LineHighlighter.OPTION, line.styleAt(8));
        assertEquals(
                org.jline.utils.AttributedStyle.DEFAULT,
                new LineHighlighter(() -> ServerDocs.NONE)
                        .highlight(null, "set k v KEEPTTL")
                        .styleAt(8),
                "KEEPTTL is not in our own table");
    }

    @Test
    void aServerCommandHintsTheArgumentsStillToComeFromItsDocs() {
        assertEquals(
                "key value [NX | XX] [GET] [KEEPTTL]", ArgumentHints.serverHint("set ", ServerDocsTest.WITH_ARGUMENTS));
        assertEquals(
                "value [NX | XX] [GET] [KEEPTTL]", ArgumentHints.serverHint("SET k ", ServerDocsTest.WITH_ARGUMENTS));
        assertEquals("[key value ...]", ArgumentHints.serverHint("mset a 1 ", ServerDocsTest.WITH_ARGUMENTS));
        assertEquals("", ArgumentHints.serverHint("set k", ServerDocsTest.WITH_ARGUMENTS), "in the middle of a word");
    }

    @Test
    void aBareServerCommandHintsItsSummary() {
        assertEquals("  Returns the length of a value.", ArgumentHints.serverHint("strlen", ServerDocsTest.DOCS));
        assertEquals("  Returns the length of a value.", ArgumentHints.serverHint("  STRLEN", ServerDocsTest.DOCS));
        assertEquals(
                "", ArgumentHints.serverHint("strlen ", ServerDocsTest.DOCS), "arguments are not in our server's docs");
        assertEquals(
                "", ArgumentHints.serverHint("get", ServerDocsTest.DOCS), "the client's own commands keep their hints");
        assertEquals("", ArgumentHints.serverHint("frob", ServerDocsTest.DOCS));
        assertEquals("", ArgumentHints.serverHint("strlen", ServerDocs.NONE));
    }
}
