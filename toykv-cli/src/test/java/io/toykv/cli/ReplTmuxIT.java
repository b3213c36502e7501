package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.cli.resp.ServerConnection;
import io.toykv.resp.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar's interactive session on a real terminal: tmux runs it, types into it and reads its
 * screen, against the real server (or, to interrupt a command that never ends, a server that never
 * answers). Each step waits until the screen shows what it expects; nothing is timed. Skipped, saying
 * so, when tmux cannot run here (.ci/run installs it).
 */
class ReplTmuxIT {
    private static TestServer server;
    private static Path data;

    @TempDir
    Path home;

    @BeforeAll
    static void start() throws Exception {
        String tmux = TmuxSession.version();
        Assumptions.assumeTrue(
                tmux != null,
                "tmux is not installed: the REPL's terminal tests (Tab, Ctrl-C, Ctrl-R, paste, long line, TERM=dumb) "
                        + "are skipped; install tmux to run them (.ci/run does)");
        System.out.println("driving the REPL with " + tmux);
        data = Files.createTempDirectory("toykv-cli-tmux");
        server = TestServer.start(data.resolve("db"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (data != null) {
            try (var paths = Files.walk(data)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The client in a new tmux window on {@code address}, with a terminal of type {@code term}, once its
     * first prompt shows.
     */
    private TmuxSession client(String name, String term, String address) throws IOException, InterruptedException {
        return client(name, term, address, 50);
    }

    /** As {@link #client(String, String, String)} in a window {@code rows} rows high. */
    private TmuxSession client(String name, String term, String address, int rows)
            throws IOException, InterruptedException {
        List<String> env = List.of("TERM=" + term, "HOME=" + home, Cli.HISTORY_ENV + "=" + home.resolve("history"));
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of(System.getProperty("toykv.cli.jar", "target/toykv-cli.jar"))
                        .toAbsolutePath()
                        .toString(),
                address);
        TmuxSession session = TmuxSession.start(name, env, command, 200, rows);
        try {
            session.awaitCount(prompt(address).strip(), 1);
        } catch (AssertionError | IOException e) {
            session.close();
            throw e;
        }
        return session;
    }

    /** The prompt; a line with the prompt alone ends in "{@code >}", tmux dropping the blank after it. */
    private static String prompt(String address) {
        return address + "> ";
    }

    /** Stores a key straight through the protocol, so that the session has never seen it. */
    private static void store(String key, String value) throws IOException {
        try (ServerConnection c = ServerConnection.open("127.0.0.1", server.port())) {
            Reply reply = c.call(List.of(
                    "SET".getBytes(StandardCharsets.UTF_8),
                    key.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8)));
            assertEquals(new Reply.Status("OK"), reply);
        }
    }

    /** Stores {@code count} keys {@code prefix000}, {@code prefix001}... over one connection. */
    private static void storeMany(String prefix, int count) throws IOException {
        try (ServerConnection c = ServerConnection.open("127.0.0.1", server.port())) {
            for (int i = 0; i < count; i++) {
                Reply reply = c.call(List.of(
                        "SET".getBytes(StandardCharsets.UTF_8),
                        String.format("%s%03d", prefix, i).getBytes(StandardCharsets.UTF_8),
                        new byte[] {'v'}));
                assertEquals(new Reply.Status("OK"), reply);
            }
        }
    }

    private static byte[] valueOf(String key) throws IOException {
        try (ServerConnection c = ServerConnection.open("127.0.0.1", server.port())) {
            Reply reply = c.call(List.of("GET".getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8)));
            return reply instanceof Reply.Bulk b ? b.bytes() : null;
        }
    }

    private static boolean hasLine(String screen, String line) {
        return screen.lines().anyMatch(line::equals);
    }

    @Test
    void tabCompletesACommandNameAndAKeyOnlyTheServerKnows() throws Exception {
        store("tab:only-on-the-server", "v1");
        String prompt = prompt(server.address());
        try (TmuxSession t = client("tab", "xterm-256color", server.address())) {
            t.type("dbsi");
            t.press("Tab");
            t.await("dbsi completed", s -> s.contains(prompt + "dbsize"));
            t.press("Enter");
            t.await("dbsize's reply", s -> s.contains("(integer) "));
            t.type("get tab:only-on-");
            t.press("Tab");
            t.await("the server's key completed", s -> s.contains(prompt + "get tab:only-on-the-server"));
            t.press("Enter");
            t.await("its value", s -> hasLine(s, "\"v1\""));
        }
    }

    /**
     * Against a server that never answers, a command runs until Ctrl-C: the prompt comes back on a new
     * connection; Ctrl-C at the prompt clears the line typed; neither ends the session.
     */
    @Test
    void ctrlCInterruptsARunningCommandAndClearsTheLineButNeverEndsTheSession() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            AtomicInteger bytesReceived = new AtomicInteger();
            Thread acceptor = new Thread(() -> acceptAndNeverAnswer(silent, accepted, bytesReceived), "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            String address = "127.0.0.1:" + silent.getLocalPort();
            String prompt = prompt(address);
            try (TmuxSession t = client("ctrlc", "xterm-256color", address)) {
                t.typeLine("ping");
                waitFor("the PING to reach the server", () -> bytesReceived.get() > 0);
                t.press("C-c");
                t.awaitCount(prompt.strip(), 2);
                assertEquals(2, accepted.size(), "a new connection after the interrupted command");
                t.type("get abc");
                t.press("C-c");
                t.awaitCount(prompt.strip(), 3);
                t.typeLine("quit");
                String screen = t.await("the client to end", s -> s.contains(TmuxSession.EXITED));
                // Had Ctrl-C not cleared 'get abc', the line would be 'get abcquit' and the session would go on.
                assertEquals(true, screen.contains(TmuxSession.EXITED + "0]"), screen);
                assertEquals(false, screen.contains("get abcquit"), screen);
            } finally {
                silent.close();
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    private static void acceptAndNeverAnswer(ServerSocket silent, List<Socket> accepted, AtomicInteger bytesReceived) {
        try {
            while (true) {
                Socket s = silent.accept();
                accepted.add(s);
                Thread reader = new Thread(() -> {
                    try (InputStream in = s.getInputStream()) {
                        byte[] buf = new byte[4096];
                        for (int n; (n = in.read(buf)) > 0; ) {
                            bytesReceived.addAndGet(n);
                        }
                    } catch (IOException closed) {
                        // the client dropped this connection
                    }
                });
                reader.setDaemon(true);
                reader.start();
            }
        } catch (IOException closed) {
            // the test is over
        }
    }

    private static void waitFor(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(TmuxSession.WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + TmuxSession.WAIT_SECONDS + " s for " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * A reply of 300 lines in a 24-row window: 23 lines and the more prompt; space shows 23 more; q
     * drops the rest and erases the prompt; the session goes on. Ctrl-C at the prompt does as q.
     */
    @Test
    void aReplyTallerThanTheScreenIsPagedUntilQ() throws Exception {
        storeMany("page:", 300);
        String prompt = prompt(server.address());
        try (TmuxSession t = client("pager", "xterm-256color", server.address(), 24)) {
            t.typeLine("keys page:*");
            String first = t.await("the first page", s -> s.contains(String.format(Pager.MORE, 23, 300)));
            assertEquals(true, hasLine(first, " 23) \"page:022\""), first);
            assertEquals(false, first.contains(" 24) "), first);
            t.type(" ");
            String second = t.await("the second page", s -> s.contains(String.format(Pager.MORE, 46, 300)));
            assertEquals(true, hasLine(second, " 46) \"page:045\""), second);
            assertEquals(false, second.contains(String.format(Pager.MORE, 23, 300)), "answered prompts are erased");
            t.type("q");
            t.awaitCount(prompt.strip(), 2);
            t.typeLine("dbsize");
            String after = t.await("the next command's reply", s -> s.contains("(integer) "));
            assertEquals(false, after.contains("-- more"), after);
            assertEquals(false, after.contains(" 47) "), after);
            // Ctrl-C at the more prompt stops as q does, and the client lives on.
            t.typeLine("keys page:*");
            t.await("the first page again", s -> s.contains(String.format(Pager.MORE, 23, 300)));
            t.press("C-c");
            t.awaitCount(prompt.strip(), 4);
            t.typeLine("ping");
            String last = t.await("PONG", s -> hasLine(s, "PONG"));
            assertEquals(false, last.contains("-- more"), last);
        }
    }

    @Test
    void ctrlRFindsAnEarlierCommandAndEnterRunsIt() throws Exception {
        String prompt = prompt(server.address());
        try (TmuxSession t = client("ctrlr", "xterm-256color", server.address())) {
            t.typeLine("put hist:1 first");
            t.await("OK", s -> hasLine(s, "OK"));
            t.typeLine("get hist:1");
            t.awaitCount("\"first\"", 1);
            t.typeLine("ping");
            t.awaitCount("PONG", 1);
            t.press("C-r");
            t.type("get hi");
            t.await("the search", s -> s.contains("i-search: get hi"));
            t.press("Enter");
            t.awaitCount("\"first\"", 2);
            assertEquals(2, TmuxSession.count(t.screen(), prompt + "get hist:1"), t.screen());
        }
    }

    /** Bracketed paste of three lines, then Enter: each command shows after the prompt, then its reply. */
    @Test
    void aPastedBlockShowsEachCommandBeforeItsReply() throws Exception {
        String prompt = prompt(server.address());
        try (TmuxSession t = client("paste", "xterm-256color", server.address())) {
            t.paste("put paste:1 one\nget paste:1\nget paste:none\n");
            t.await("the pasted block", s -> s.contains("get paste:none"));
            t.press("Enter");
            String screen = t.await("the last reply", s -> hasLine(s, "(nil)"));
            List<String> lines = screen.lines().toList();
            int first = lines.lastIndexOf(prompt + "put paste:1 one");
            assertEquals(true, first >= 0, screen);
            assertEquals(
                    List.of(
                            prompt + "put paste:1 one",
                            "OK",
                            prompt + "get paste:1",
                            "\"one\"",
                            prompt + "get paste:none",
                            "(nil)"),
                    lines.subList(first, Math.min(lines.size(), first + 6)),
                    screen);
        }
    }

    /** 100 KB typed key by key (no bracketed paste) is taken whole: the server stores every character. */
    @Test
    void aLongTypedLineIsSentIntact() throws Exception {
        StringBuilder value = new StringBuilder();
        for (int i = 0; value.length() < 100_000; i++) {
            value.append(i % 10 == 9 ? '-' : (char) ('a' + i % 26));
        }
        String prompt = prompt(server.address());
        try (TmuxSession t = client("long", "xterm-256color", server.address())) {
            t.typeLine("put long:typed " + value);
            t.await("OK after the long line", s -> hasLine(s, "OK"));
            t.typeLine("strlen long:typed");
            t.await("its length", s -> hasLine(s, "(integer) 100000"));
        }
        assertEquals(value.toString(), new String(valueOf("long:typed"), StandardCharsets.UTF_8));
    }

    /**
     * TERM=dumb: the tty reads whole lines and Ctrl-C is a real SIGINT; it clears the line and the client
     * lives on. A Tab sent with the line completes it onto the next line, with no blanks inserted.
     */
    @Test
    void onADumbTerminalCtrlCKeepsTheClientAndTabCompletes() throws Exception {
        store("dumb:alpha", "a value");
        String prompt = prompt(server.address());
        try (TmuxSession t = client("dumb", "dumb", server.address())) {
            t.type("get nothing");
            t.press("C-c");
            t.awaitCount(prompt.strip(), 2);
            t.typeLine("ping");
            t.awaitCount("PONG", 1);
            t.type("get dumb:al");
            t.press("Tab", "Enter");
            t.await("the completed line", s -> s.contains(prompt + "get dumb:alpha"));
            t.press("Enter");
            String shown = t.await("the completed key's value", s -> hasLine(s, "\"a value\""));
            t.press("C-c");
            // Keys typed before the SIGINT is handled may be flushed with the line, as in any tty program.
            t.awaitCount(prompt.strip(), TmuxSession.count(shown, prompt.strip()) + 1);
            t.typeLine("quit");
            String screen = t.await("the client to end", s -> s.contains(TmuxSession.EXITED));
            assertEquals(true, screen.contains(TmuxSession.EXITED + "0]"), screen);
            assertEquals(
                    false, screen.contains("(nil)"), "no command went out with the Tab or a cleared line: " + screen);
        }
    }
}
