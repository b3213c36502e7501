package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pager against a fake terminal: a given size, keys from a byte array, the screen as bytes. The
 * more prompt and its erasure appear in the output exactly as the terminal receives them.
 */
class PagerTest {
    private static final String ERASE = "\r\u001b[K";

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final AtomicInteger stops = new AtomicInteger();
    private Terminal terminal;

    @AfterEach
    void close() throws IOException {
        if (terminal != null) {
            terminal.close();
        }
    }

    /** A pager on a terminal {@code columns} by {@code rows} whose keyboard sends {@code keys}. */
    private Pager pager(int columns, int rows, String keys) throws IOException {
        terminal = new DumbTerminal(
                "test",
                "xterm-256color",
                new ByteArrayInputStream(keys.getBytes(StandardCharsets.ISO_8859_1)),
                screen,
                StandardCharsets.UTF_8);
        terminal.setSize(new Size(columns, rows));
        Pager pager = new Pager(terminal, true);
        pager.onStop(stops::incrementAndGet);
        pager.startReply();
        return pager;
    }

    private static String lines(int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i <= to; i++) {
            out.append("line ").append(i).append('\n');
        }
        return out.toString();
    }

    private static String more(long shown, long of) {
        return String.format(java.util.Locale.ROOT, Pager.MORE, shown, of);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private String shown() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    @Test
    void rowsCountWrappingAtTheWidth() {
        assertEquals(1, Pager.rowsOf("", 10));
        assertEquals(1, Pager.rowsOf("abc", 10));
        assertEquals(1, Pager.rowsOf("0123456789", 10));
        assertEquals(2, Pager.rowsOf("0123456789a", 10));
        assertEquals(3, Pager.rowsOf("x".repeat(25), 10));
        assertEquals(1, Pager.rowsOf("x".repeat(500), 0), "no known width: one row");
    }

    @Test
    void colourCodesTakeNoColumnsAndWideCharactersTwo() {
        String green = TerminalPrinter.GREEN + "0123456789" + TerminalPrinter.RESET;
        assertEquals(1, Pager.rowsOf(green, 10));
        assertEquals(1, Pager.rowsOf("日本語日本", 10));
        assertEquals(2, Pager.rowsOf("日本語日本語", 10));
    }

    @Test
    void aReplyThatFitsIsPrintedAsItIsWithoutAPrompt() throws IOException {
        Pager pager = pager(80, 10, "");
        pager.write(bytes(lines(1, 9)));
        pager.endReply();
        assertEquals(lines(1, 9), shown());
        assertFalse(pager.wasStopped());
    }

    @Test
    void spaceShowsTheNextPageEnterOneLineAndQStops() throws IOException {
        Pager pager = pager(80, 10, " \rq");
        pager.write(bytes(lines(1, 30)));
        pager.endReply();
        assertEquals(
                lines(1, 9)
                        + more(9, 30)
                        + ERASE
                        + lines(10, 18)
                        + more(18, 30)
                        + ERASE
                        + lines(19, 19)
                        + more(19, 30)
                        + ERASE,
                shown());
        assertTrue(pager.wasStopped());
        assertEquals(1, stops.get());
    }

    @Test
    void theRestOfAStoppedReplyIsDroppedAndTheNextReplyStartsAfresh() throws IOException {
        Pager pager = pager(80, 4, "q");
        pager.write(bytes(lines(1, 5)));
        pager.write(bytes(lines(6, 7)));
        pager.endReply();
        assertEquals(lines(1, 3) + more(3, 5) + ERASE, shown());
        screen.reset();
        pager.startReply();
        pager.write(bytes(lines(1, 2)));
        pager.endReply();
        assertEquals(lines(1, 2), shown());
        assertFalse(pager.wasStopped());
    }

    @Test
    void ctrlCAndTheEndOfInputStopAsQDoes() throws IOException {
        Pager pager = pager(80, 3, "\u0003");
        pager.write(bytes(lines(1, 3)));
        assertEquals(lines(1, 2) + more(2, 3) + ERASE, shown());
        assertTrue(pager.wasStopped());

        screen.reset();
        pager.startReply();
        pager.write(bytes(lines(1, 3)));
        assertEquals(lines(1, 2) + more(2, 3) + ERASE, shown(), "no keys left: stops");
        assertEquals(2, stops.get());
    }

    @Test
    void otherKeysAndMalformedBytesAreIgnored() throws IOException {
        Pager pager = pager(80, 3, "x\u001b[A\u00ff\u00c3 q");
        pager.write(bytes(lines(1, 6)));
        assertEquals(lines(1, 2) + more(2, 6) + ERASE + lines(3, 4) + more(4, 6) + ERASE, shown());
    }

    @Test
    void wrappedLinesFillThePageByTheirRows() throws IOException {
        String wide = "w".repeat(25) + "\n";
        Pager pager = pager(10, 5, "  ");
        pager.write(bytes("a\n" + wide + wide + "b\n"));
        pager.endReply();
        // 4 rows a page: "a" and a wide line (3 rows); then a wide line and "b".
        assertEquals("a\n" + wide + more(2, 4) + ERASE + wide + "b\n", shown());
    }

    @Test
    void aLineTallerThanTheScreenStillShowsWholeOnItsPage() throws IOException {
        String tall = "t".repeat(100) + "\n";
        Pager pager = pager(10, 4, " ");
        pager.write(bytes("a\n" + tall));
        assertEquals("a\n" + more(1, 2) + ERASE + tall, shown());
    }

    @Test
    void aLineSplitAcrossWritesIsMeasuredWhole() throws IOException {
        Pager pager = pager(10, 3, "q");
        pager.write(bytes("a\nbbbbbb"));
        pager.write(bytes("bbbbbb\nc\n"));
        pager.endReply();
        assertEquals("a\n" + more(1, 3) + ERASE, shown());
    }

    @Test
    void offItPassesEverythingThrough() throws IOException {
        Pager pager = pager(80, 3, "");
        pager.setEnabled(false);
        pager.write(bytes(lines(1, 10)));
        pager.write(bytes("no newline"));
        pager.endReply();
        assertEquals(lines(1, 10) + "no newline", shown());
    }

    @Test
    void aLastLineWithoutANewlineIsWrittenAtTheEnd() throws IOException {
        Pager pager = pager(80, 10, "");
        pager.write(bytes("a\nb"));
        assertEquals("a\n", shown());
        pager.endReply();
        assertEquals("a\nb", shown());
    }

    @Test
    void pagerSettingTogglesAndReports() throws IOException {
        Pager pager = pager(80, 3, "");
        try (ClientSession session = new ClientSession(
                new ServerAddress("127.0.0.1", 1),
                null,
                new RawPrinter(),
                new ByteArrayOutputStream(),
                new java.io.PrintStream(new ByteArrayOutputStream()),
                new KnownKeys())) {
            assertEquals("pager is on\n", Repl.clientSetting(session, pager, ":pager"));
            assertEquals("pager is off\n", Repl.clientSetting(session, pager, ":pager OFF"));
            assertFalse(pager.isEnabled());
            assertEquals("usage: :pager [on|off]\n", Repl.clientSetting(session, pager, ":pager 2"));
            assertEquals("pager is on\n", Repl.clientSetting(session, pager, ":pager on"));
            assertTrue(pager.isEnabled());
            assertEquals(
                    "pager is off: it needs a terminal that can read single keys (TERM is dumb)\n",
                    Repl.clientSetting(session, null, ":pager on"));
            assertEquals("pager is off\n", Repl.clientSetting(session, null, ":pager"));
        }
    }

    @Test
    void theTerminalIsRawWithoutSignalsOnlyWhileAKeyIsAwaited() throws IOException {
        AtomicInteger rawReads = new AtomicInteger();
        terminal = new KeyWatchingTerminal(" ", screen, rawReads);
        terminal.setSize(new Size(80, 2));
        Attributes before = new Attributes(terminal.getAttributes());
        Pager pager = new Pager(terminal, true);
        pager.write(bytes(lines(1, 2)));
        assertEquals(lines(1, 1) + more(1, 2) + ERASE + lines(2, 2), shown());
        assertEquals(1, rawReads.get());
        assertEquals(before.getLocalFlags(), terminal.getAttributes().getLocalFlags());
    }

    /** Counts the reads made while Ctrl-C comes as a byte (ISIG off) and keys come one at a time (ICANON off). */
    private static final class KeyWatchingTerminal extends DumbTerminal {
        private final AtomicInteger rawReads;

        KeyWatchingTerminal(String keys, ByteArrayOutputStream screen, AtomicInteger rawReads) throws IOException {
            super(
                    "watch",
                    "xterm-256color",
                    new ByteArrayInputStream(keys.getBytes(StandardCharsets.ISO_8859_1)),
                    screen,
                    StandardCharsets.UTF_8);
            this.rawReads = rawReads;
        }

        @Override
        public org.jline.utils.NonBlockingReader reader() {
            Attributes now = getAttributes();
            if (!now.getLocalFlag(Attributes.LocalFlag.ISIG) && !now.getLocalFlag(Attributes.LocalFlag.ICANON)) {
                rawReads.incrementAndGet();
            }
            return super.reader();
        }
    }
}
