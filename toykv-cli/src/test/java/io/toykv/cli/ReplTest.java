package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The interactive loop on a terminal over in-memory streams, against {@link FakeRespServer}. */
class ReplTest {
    private static final String PASTE_BEGIN = "\u001b[200~";
    private static final String PASTE_END = "\u001b[201~";

    private FakeRespServer server;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = new FakeRespServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** Runs a session on a terminal of {@code type} that receives {@code typed}; returns the screen. */
    private String session(String type, String typed) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Terminal terminal = new DumbTerminal(
                "test",
                type,
                new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)),
                screen,
                StandardCharsets.UTF_8)) {
            terminal.setSize(new Size(160, 80));
            KnownKeys keys = new KnownKeys();
            try (ClientSession session = new ClientSession(
                    new ServerAddress("127.0.0.1", server.port()),
                    null,
                    new TerminalPrinter(),
                    terminal.output(),
                    new PrintStream(err, true, StandardCharsets.UTF_8),
                    keys)) {
                assertEquals(0, new Repl(terminal, session, new SessionHistory(null, null), keys).run());
            }
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        return screen.toString(StandardCharsets.UTF_8)
                .replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "")
                .replace("\r", "");
    }

    /** With TERM=dumb input comes a line at a time: a Tab in it asks for completion, offered on the next line. */
    @Test
    void tabOnADumbTerminalCompletesOnTheNextLine() throws IOException {
        server.data.put("user:1", new byte[] {'x'});
        String shown = session("dumb", "ge\t\nus\t\n\nd\t\nbsize\n");
        assertEquals(null, server.commandCounts.get("GE"), "a line with a Tab is not sent");
        // The key is the server's, never seen in this session: Tab found it with SCAN MATCH us*.
        assertTrue(shown.contains("> get user:1 \n\"x\"\n"), shown);
        assertEquals(1, server.commandCounts.get("SCAN").sum());
        assertEquals(1, server.commandCounts.get("GET").sum());
        assertTrue(shown.contains("\ndbsize  del\n"), shown);
        assertTrue(shown.contains("> dbsize\n(integer) 1\n"), shown);
    }

    /**
     * On a dumb terminal the tty stays cooked, so Ctrl-C reaches the process as SIGINT: it must clear the
     * line (the tty drops it) or stop the command, never end the client.
     */
    @Test
    void sigintOnADumbTerminalDoesNotEndTheSession() throws Exception {
        java.io.PipedOutputStream keyboard = new java.io.PipedOutputStream();
        java.io.PipedInputStream in = new java.io.PipedInputStream(keyboard);
        try (Terminal terminal = new DumbTerminal("test", Terminal.TYPE_DUMB, in, screen, StandardCharsets.UTF_8)) {
            KnownKeys keys = new KnownKeys();
            try (ClientSession session = new ClientSession(
                    new ServerAddress("127.0.0.1", server.port()),
                    null,
                    new TerminalPrinter(),
                    terminal.output(),
                    System.err,
                    keys)) {
                java.util.concurrent.CompletableFuture<Integer> run =
                        java.util.concurrent.CompletableFuture.supplyAsync(
                                () -> new Repl(terminal, session, new SessionHistory(null, null), keys).run());
                keyboard.write("sleep 5000\n".getBytes(StandardCharsets.UTF_8));
                keyboard.flush();
                Thread.sleep(1000);
                sigint();
                Thread.sleep(300);
                keyboard.write("put k v\n".getBytes(StandardCharsets.UTF_8));
                keyboard.close();
                assertEquals(0, run.get(4, java.util.concurrent.TimeUnit.SECONDS));
            }
        }
        assertEquals(1, server.commandCounts.get("SET").sum());
    }

    private static void sigint() throws Exception {
        Process kill = new ProcessBuilder(
                        "kill", "-INT", Long.toString(ProcessHandle.current().pid()))
                .start();
        assertEquals(0, kill.waitFor());
    }

    /** A pasted block runs line by line; each reply follows its own command, shown again with the prompt. */
    @Test
    void eachPastedCommandIsShownBeforeItsReply() throws IOException {
        String prompt = "127.0.0.1:" + server.port() + "> ";
        String shown = session("ansi", PASTE_BEGIN + "put a 1\nget a\n\nget b" + PASTE_END + "\n");
        assertTrue(
                shown.contains(prompt + "put a 1\nOK\n" + prompt + "get a\n\"1\"\n" + prompt + "get b\n(nil)\n"),
                shown);
    }
}
