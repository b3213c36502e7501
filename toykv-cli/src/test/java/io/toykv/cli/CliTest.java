package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole client in this JVM, stdin piped, against {@link FakeRespServer}: exact output and status. */
class CliTest {
    private FakeRespServer server;

    record Run(int status, String out, String err) {}

    @BeforeEach
    void start() throws IOException {
        server = new FakeRespServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        Cli cli = new Cli(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, errStream, false);
        int status = Cli.run(cli, args, java.util.Map.of());
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run runOnTerminal(boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(
                new ByteArrayInputStream(new byte[0]),
                out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                terminal);
        int status = Cli.run(cli, args, java.util.Map.of());
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** What the fake server's INFO gives --stat: no figure it knows. */
    private static final String NO_FIGURES = "-          0B         -        -                      -";

    @Test
    void statRefreshesOneLineOnATerminal() {
        assertEquals(
                new Run(0, Monitors.STAT_TITLES + "\n\r\u001b[2K" + NO_FIGURES + "\r\u001b[2K" + NO_FIGURES + "\n", ""),
                runOnTerminal(true, "--stat", "-r", "2", "-i", "0.01", server.address()));
    }

    @Test
    void statPrintsALinePerReportOnAPipe() {
        assertEquals(
                new Run(0, Monitors.STAT_TITLES + "\n" + NO_FIGURES + "\n" + NO_FIGURES + "\n", ""),
                runOnTerminal(false, "--stat", "-r", "2", "-i", "0.01", server.address()));
    }

    @Test
    void latencyRefreshesOneLineOnATerminalAndPrintsLinesOnAPipe() {
        String report = "min: \\d+\\.\\d\\d, max: \\d+\\.\\d\\d, avg: \\d+\\.\\d\\d \\(\\d+ samples\\)";
        Run terminal = runOnTerminal(true, "--latency", "-r", "2", "-i", "0.01", server.address());
        assertTrue(terminal.out().matches("\r\u001b\\[2K" + report + "\r\u001b\\[2K" + report + "\n"), terminal.out());
        Run pipe = runOnTerminal(false, "--latency", "-r", "2", "-i", "0.01", server.address());
        assertTrue(pipe.out().matches(report + "\n" + report + "\n"), pipe.out());
    }

    @Test
    void scriptPrintsRawRepliesOneALine() {
        Run r = run(
                "put k1 v1\nget k1\nget nope\n\n# a comment\n  # indented comment\ndel k1 k2\nping\ndbsize\nput k2 \"a b\"\nget k2",
                server.address());
        assertEquals(new Run(0, "OK\nv1\n\n1\nPONG\n0\nOK\na b\n", ""), r);
    }

    @Test
    void scriptFailureSetsStatusAndReportsTheLine() {
        Run r = run("put k1 v1\nfrobnicate\nget k1\nput k \"open\nget\n", server.address());
        assertEquals(
                new Run(
                        1,
                        "OK\nv1\n",
                        "line 2: ERR unknown command 'frobnicate', with args beginning with: \n"
                                + "line 4: Invalid argument(s)\n"
                                + "line 5: wrong number of arguments for 'get', usage: get key\n"),
                r);
    }

    @Test
    void stopOnErrorStopsAtTheFirstFailure() {
        Run r = run("put k1 v1\nfrobnicate\nput k2 v2\n", "-e", server.address());
        assertEquals(new Run(1, "OK\n", "line 2: ERR unknown command 'frobnicate', with args beginning with: \n"), r);
        assertEquals(null, server.data.get("k2"));
    }

    @Test
    void quitEndsTheScript() {
        Run r = run("put k1 v1\nquit\nput k2 v2\n", server.address());
        assertEquals(new Run(0, "OK\n", ""), r);
        assertEquals(null, server.data.get("k2"));
    }

    @Test
    void scanPagesThroughTheRangeInKeyOrder() {
        StringBuilder script = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 2500; i++) {
            script.append("put k")
                    .append(String.format("%05d", i))
                    .append(" v")
                    .append(i)
                    .append('\n');
            expected.append("OK\n");
        }
        script.append("scan k00998 k01002\nscan \"\" \"\" LIMIT 2\nscan k02498\nscan z\nget k00001\nscan\n");
        expected.append("k00998\nv998\nk00999\nv999\nk01000\nv1000\nk01001\nv1001\n");
        expected.append("k00000\nv0\nk00001\nv1\n");
        expected.append("k02498\nv2498\nk02499\nv2499\n");
        expected.append("v1\n");
        for (int i = 0; i < 2500; i++) {
            expected.append("k")
                    .append(String.format("%05d", i))
                    .append("\nv")
                    .append(i)
                    .append('\n');
        }
        Run r = run(script.toString(), server.address());
        assertEquals(new Run(0, expected.toString(), ""), r);
        assertTrue(server.commandCounts.get("RANGE").sum() >= 3 + 3, "paged");
    }

    /**
     * A cursor alone, or followed by MATCH, COUNT or TYPE, is the server's SCAN (what a Redis user types
     * first); anything else is the client's range scan, a numeric start included when an end follows.
     */
    @Test
    void scanWithACursorIsTheServersScan() {
        Run r = run(
                "put 0 a\nput 1 b\nscan 0\nscan 0 match 'key:*' COUNT 10 type string\nscan 0 \"\"\nscan 0 1\nscan 1 LIMIT 1\n",
                server.address());
        assertEquals(new Run(0, "OK\nOK\n0\n0\n1\n0\n0\n1\n0\na\n1\nb\n0\na\n1\nb\n", ""), r);
        assertEquals(2, server.commandCounts.get("SCAN").sum());
        assertEquals(
                new Run(0, "1) \"0\"\n2) 1) \"0\"\n   2) \"1\"\n", ""),
                run("", "--no-raw", server.address(), "scan", "0"));
    }

    @Test
    void scanInTerminalStyleNumbersPairs() {
        Run r = run("put a 1\nput b 2\nscan\nscan x\n", "--no-raw", server.address());
        assertEquals(new Run(0, "OK\nOK\n1) \"a\" => \"1\"\n2) \"b\" => \"2\"\n(empty range)\n", ""), r);
    }

    @Test
    void noRawGivesTerminalStyleOnAPipe() {
        Run r = run("put k1 v1\nget k1\nget none\ndel k1\nnope\n", "--no-raw", server.address());
        assertEquals(
                new Run(
                        1,
                        "OK\n\"v1\"\n(nil)\n(integer) 1\n",
                        "line 5: ERR unknown command 'nope', with args beginning with: \n"),
                r);
    }

    @Test
    void oneShotCommandTakesArgumentsLiterally() {
        assertEquals(new Run(0, "OK\n", ""), run("", server.address(), "put", "k", "-x"));
        assertEquals(new Run(0, "OK\n", ""), run("", server.address(), "put", "k2", "@file"));
        assertEquals(new Run(0, "-x\n", ""), run("", server.address(), "get", "k"));
        assertEquals(new Run(0, "@file\n", ""), run("", server.address(), "GET", "k2"));
        assertEquals(new Run(0, "\"-x\"\n", ""), run("", "--no-raw", server.address(), "get", "k"));
    }

    @Test
    void infoIsShownAsTextInEveryStyle() {
        assertEquals(
                new Run(0, "# Server\nfake_server:1\nkeys:0\n", ""), run("", "--no-raw", server.address(), "info"));
        assertEquals(new Run(0, "# Server\nfake_server:1\nkeys:0\n", ""), run("", server.address(), "info"));
    }

    /** The server takes several sections; the client's own arity check must not refuse them. */
    @Test
    void infoTakesSeveralSections() {
        assertEquals(
                new Run(0, "# Server\nfake_server:1\nkeys:0\n", ""),
                run("", server.address(), "info", "server", "clients"));
        Run script = run("info server clients\n", server.address());
        assertEquals(0, script.status(), script.err());
        assertEquals(1, server.commandCounts.get("INFO").sum() - 1, "both reached the server");
    }

    /** A host without a port is the server at the default port, never a command sent to 127.0.0.1:8888. */
    @Test
    void aHostWithoutAPortUsesTheDefaultPort() {
        assertEquals(new ServerAddress("10.0.0.5", 8888), ServerAddress.parse("10.0.0.5"));
        assertEquals(new ServerAddress("::1", 8888), ServerAddress.parse("[::1]"));
        assertEquals(new ServerAddress("::1", 8888), ServerAddress.parse("::1"));
        assertEquals(new ServerAddress("fe80:0:0:0:0:0:0:1", 8888), ServerAddress.parse("fe80:0:0:0:0:0:0:1"));
        assertEquals(new ServerAddress("localhost", 8888), ServerAddress.parse("localhost"));
        assertEquals(null, ServerAddress.parse("get"));
        assertEquals(null, ServerAddress.parse("json.get"));
        assertEquals(null, ServerAddress.parse("1.5"));
        assertEquals(new ServerAddress("db.example.com", 8888), ServerAddress.parse("db.example.com"));
        assertEquals(new ServerAddress("DB-1.prod.example", 8888), ServerAddress.parse("DB-1.prod.example"));
        assertEquals(new ServerAddress("db.example.com.", 7000), ServerAddress.parse("db.example.com.", 7000));
        assertEquals(null, ServerAddress.parse("myhost.lan"), "one dot: a module command's shape (JSON.GET)");
        assertEquals(null, ServerAddress.parse("10.0.0.300"), "a top-level domain is never all digits");
        assertEquals(null, ServerAddress.parse("-db.example.com"));
        assertEquals(null, ServerAddress.parse("db..example.com"));
        assertEquals(null, ServerAddress.parse("db.exa_mple.com"));
        Run r = run("", "-p", Integer.toString(server.port()), "127.0.0.1", "ping");
        assertEquals(new Run(0, "PONG\n", ""), r);
        assertEquals(null, server.commandCounts.get("127.0.0.1"));
    }

    /** A host name with two dots is the server, looked up as such: never a command sent to 127.0.0.1:8888. */
    @Test
    void aHostNameWithoutAPortIsTheServerNotACommand() {
        Run r = run("", "-p", Integer.toString(server.port()), "db.example.invalid", "ping");
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertTrue(
                r.err()
                        .startsWith("Could not connect to db.example.invalid:" + server.port()
                                + ": unknown host db.example.invalid"),
                r.err());
        assertEquals(null, server.commandCounts.get("PING"));
        assertEquals(null, server.commandCounts.get("DB.EXAMPLE.INVALID"));
    }

    /** As redis-cli: SHUTDOWN succeeds by closing the connection, so that is no error and status 0. */
    @Test
    void shutdownClosingTheConnectionIsSuccess() {
        assertEquals(new Run(0, "", ""), run("", server.address(), "shutdown"));
        assertEquals(new Run(0, "", ""), run("", "--no-raw", server.address(), "SHUTDOWN"));
        assertEquals(
                new Run(0, "OK\n", ""), run("put k v\nshutdown\nget k\n", server.address()), "the script ends there");
        assertEquals(null, server.commandCounts.get("GET"));
        assertEquals(
                new Run(1, "", "Error: Server closed the connection\n"),
                run("", server.address(), "close"),
                "any other command's connection closing is still an error");
    }

    /** As redis-cli: reports meant to be read (INFO, CLIENT INFO/LIST ...) print as text; an empty one prints nothing. */
    @Test
    void textReportsPrintAsTextAndAnEmptyOneAsNothing() {
        assertEquals(
                new Run(0, "id=1 addr=127.0.0.1:1 name=\n", ""),
                run("", "--no-raw", server.address(), "client", "info"));
        assertEquals(
                new Run(0, "id=1 addr=127.0.0.1:1 name=\nid=2 addr=127.0.0.1:2 name=\n", ""),
                run("", "--no-raw", server.address(), "CLIENT", "list"));
        assertEquals(new Run(0, "", ""), run("", "--no-raw", server.address(), "info", "nosuch"));
        assertEquals(new Run(0, "", ""), run("", server.address(), "info", "nosuch"));
    }

    @Test
    void oneShotFailureIsStatusOne() {
        assertEquals(
                new Run(1, "", "ERR unknown command 'nope', with args beginning with: \n"),
                run("", server.address(), "nope"));
    }

    @Test
    void hostAndPortOptions() {
        assertEquals(
                new Run(0, "PONG\n", ""), run("", "-h", "127.0.0.1", "-p", Integer.toString(server.port()), "ping"));
    }

    @Test
    void unreachableServerIsOneLineAndStatusOne() {
        assertEquals(
                new Run(1, "", "Could not connect to 127.0.0.1:1: Connection refused\n"), run("ping\n", "127.0.0.1:1"));
        assertEquals(
                new Run(1, "", "Could not connect to 127.0.0.1:1: Connection refused\n"),
                run("", "127.0.0.1:1", "get", "k"));
    }

    /** An address-shaped argument with a port out of range is a mistyped address, not a command for the default server. */
    @Test
    void aPortOutOfRangeIsAUsageError() {
        assertEquals(
                new Run(2, "", "127.0.0.1:99999: port must be 1..65535, got 99999\n"),
                run("ping\n", "127.0.0.1:99999"));
        assertEquals(new Run(2, "", "db:0: port must be 1..65535, got 0\n"), run("", "db:0", "get", "k"));
    }

    @Test
    void passwordIsSentWithAuth() throws IOException {
        try (FakeRespServer locked = new FakeRespServer("s3cret")) {
            assertEquals(new Run(0, "PONG\n", ""), run("ping\n", "-a", "s3cret", locked.address()));
            assertEquals(
                    new Run(
                            1,
                            "",
                            "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n"
                                    + "line 1: NOAUTH Authentication required.\n"),
                    run("ping\n", "-a", "wrong", locked.address()));
        }
    }

    @Test
    void helpIsLocal() {
        Run r = run("help put\n", "127.0.0.1:1", "help", "put");
        assertEquals(new Run(0, "put key value\n  Store a value under a key (sent as SET)\n", ""), r);
        assertTrue(run("", "help", "scan")
                .out()
                .contains("scan CURSOR [MATCH pattern] [COUNT n] [TYPE type] is the server's SCAN"));
    }

    @Test
    void usageAndVersion() {
        Run help = run("", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("Usage: toykv-cli"), help.out());
        Run version = run("", "--version");
        assertEquals(0, version.status());
        assertTrue(version.out().startsWith("toykv-cli "), version.out());
        assertEquals(2, run("", "--bogus").status());
    }

    /**
     * picocli wraps descriptions to the width itself: a hard line break inside one leaves a short line
     * whose next line's first word would have fitted. At no width may a line be short so, or too long.
     */
    private static final int DESCRIPTION_COLUMN = 19;

    @ParameterizedTest
    @ValueSource(ints = {55, 64, 80, 100, 120, 160, 200})
    void usageWrapsEvenlyAtEveryWidth(int width) {
        String usage = Cli.commandLine(new Cli()).setUsageHelpWidth(width).getUsageMessage();
        String[] lines = usage.split("\n");
        assertTrue(
                usage.endsWith("\n  toykv-cli -u redis://:pw@h:8888   server as a URL\n\nEnvironment:\n"
                        + "  TOYKV_CLI_AUTH      the password, as -a\n  TOYKV_CLI_HISTFILE  the history file\n"
                        + "  HOME                where .toykv_cli_history is\n"
                        + "  NO_COLOR            no colour (unless --color)\n"),
                usage);
        for (int i = 0; i < lines.length; i++) {
            assertTrue(lines[i].length() <= width, width + ": too long: " + lines[i]);
            // A description line (text from column 19 on, blank just before) followed by its continuation.
            boolean continues = i + 1 < lines.length
                    && lines[i].length() > DESCRIPTION_COLUMN
                    && lines[i].substring(DESCRIPTION_COLUMN - 2, DESCRIPTION_COLUMN)
                            .isBlank()
                    && lines[i + 1].length() > DESCRIPTION_COLUMN
                    && lines[i + 1].substring(0, DESCRIPTION_COLUMN).isBlank();
            if (continues) {
                String next = lines[i + 1].strip().split(" ")[0];
                // picocli keeps the last column free.
                assertTrue(
                        lines[i].length() + 1 + next.length() >= width,
                        width + ": ragged: [" + lines[i] + "] then [" + lines[i + 1] + "]");
            }
        }
    }

    @Test
    void lastLineWithoutNewlineAndCrlfLinesRun() {
        assertEquals(new Run(0, "OK\nv\n", ""), run("put k v\r\nget k", server.address()));
    }

    @Test
    void serverClosingMidScriptIsReported() {
        Run r = run("put k v\nclose\nget k\n", server.address());
        assertEquals(1, r.status());
        assertEquals("OK\n", r.out());
        assertEquals("Error: Server closed the connection\n", r.err());
    }

    @Test
    void lastArgumentFromStdinKeepsEveryByte() {
        assertEquals(new Run(0, "OK\n", ""), run("two\nlines\n", "-x", server.address(), "put", "kx"));
        assertEquals(new Run(0, "two\nlines\n\n", ""), run("", server.address(), "get", "kx"));
    }

    @Test
    void repeatRunsTheCommandNTimes() {
        assertEquals(new Run(0, "PONG\nPONG\nPONG\n", ""), run("", "-r", "3", server.address(), "ping"));
    }

    @Test
    void repeatWithAnIntervalWaitsBetweenRuns() {
        long started = System.nanoTime();
        assertEquals(new Run(0, "PONG\nPONG\nPONG\n", ""), run("", "-r", "3", "-i", "0.2", server.address(), "ping"));
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(elapsedMillis >= 400, "two pauses of 200 ms, took " + elapsedMillis + " ms");
    }

    @Test
    void repeatFailsIfAnyRunFails() {
        Run r = run("", "-r", "2", server.address(), "frobnicate");
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals(
                2,
                r.err()
                        .lines()
                        .filter(l -> l.startsWith("ERR unknown command 'frobnicate'"))
                        .count(),
                r.err());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "-x|-x needs a command after the address",
                "-r 2|-r needs a command after the address",
                "-r 0 ping|-r must be a positive count or -1 (for ever), got 0",
                "-i 1 ping|-i needs -r",
                "-r 2 -i -1 ping|-i must be 0 or more seconds, got -1.0"
            })
    void oneShotOptionsThatDoNotFit(String argsAndMessage) {
        String[] parts = argsAndMessage.split("\\|");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(parts[0].split(" ")));
        String command = args.get(args.size() - 1).equals("ping") ? args.remove(args.size() - 1) : null;
        args.add(server.address());
        if (command != null) {
            args.add(command);
        }
        assertEquals(new Run(2, "", parts[1] + "\n"), run("", args.toArray(String[]::new)));
    }

    /** The start-up shortcut for arguments without options must read them exactly as picocli does. */
    @ParameterizedTest
    @ValueSource(strings = {"", "get k", "put k -x", "get @file", "ping -a secret --raw", "set k v -- -e"})
    void argumentsWithoutOptionsBypassPicocliWithTheSameMeaning(String line) {
        // 127.0.0.1:1 refuses, so the direct run ends at once whatever the words are.
        String[] args = ("127.0.0.1:1 " + line).strip().split(" ");
        Cli parsed = new Cli();
        Cli.commandLine(parsed).parseArgs(args);
        Cli direct = new Cli(
                new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                false);
        assertEquals(1, Cli.run(direct, args, java.util.Map.of(Cli.PASSWORD_ENV, "from-env")));
        assertEquals(parsed.words, direct.words);
        assertEquals("from-env", direct.password);
    }
}
