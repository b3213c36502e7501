package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shaded jar run as a process with piped stdin: exact stdout, exact stderr, exit status.
 * The server runs in this JVM: the real toykv-server when it is on the classpath, else the fake
 * ({@link TestServer}).
 */
class CliIT {
    private static TestServer server;
    private static Path data;

    @TempDir
    Path home;

    record Run(int status, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("toykv-cli-it");
        server = TestServer.start(data.resolve("db"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        try (var paths = Files.walk(data)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    private Run run(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(System.getProperty("toykv.cli.jar", "target/toykv-cli.jar"));
        command.addAll(List.of(args));
        return exec(command, stdin);
    }

    private Run exec(List<String> command, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("HOME", home.toString());
        pb.environment().put(Cli.HISTORY_ENV, home.resolve("history").toString());
        pb.environment().remove(Cli.PASSWORD_ENV);
        Process p = pb.start();
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("client did not finish: " + command);
        }
        return new Run(
                p.exitValue(),
                new String(out.get(), StandardCharsets.UTF_8),
                new String(err.get(), StandardCharsets.UTF_8));
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                in.transferTo(all);
                return all.toByteArray();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void scriptSucceeds() throws Exception {
        Run r = run(
                "# a script\nput it:1 one\nput it:2 \"two words\"\n\nget it:1\nget it:2\nget it:none\n"
                        + "scan it: it:~\ndel it:1 it:2 it:3\nping\n",
                server.address());
        assertEquals(new Run(0, "OK\nOK\none\ntwo words\n\nit:1\none\nit:2\ntwo words\n2\nPONG\n", ""), r);
        assertEquals(false, Files.exists(home.resolve("history")), "a script never touches the history file");
    }

    @Test
    void scriptFailureExitsOne() throws Exception {
        Run r = run("put f:1 v\nnosuchcommand\nget f:1\nput f:2 'open\n", server.address());
        assertEquals(
                new Run(
                        1,
                        "OK\nv\n",
                        "line 2: ERR unknown command 'nosuchcommand', with args beginning with: \nline 4: Invalid argument(s)\n"),
                r);
    }

    @Test
    void stopOnErrorStopsThere() throws Exception {
        Run r = run("put e:1 v\nnosuchcommand\nput e:2 v\n", "-e", server.address());
        assertEquals(
                new Run(1, "OK\n", "line 2: ERR unknown command 'nosuchcommand', with args beginning with: \n"), r);
        assertEquals(new Run(0, "\n", ""), run("", server.address(), "get", "e:2"));
    }

    @Test
    void oneCommandFromTheArguments() throws Exception {
        assertEquals(new Run(0, "OK\n", ""), run("", server.address(), "put", "o:1", "-x"));
        assertEquals(new Run(0, "-x\n", ""), run("", server.address(), "get", "o:1"));
    }

    /** scan with a cursor is the server's SCAN: a Redis user's first call lists keys, not every pair. */
    @Test
    void scanWithACursorReachesTheServersScan() throws Exception {
        assertEquals(new Run(0, "OK\n", ""), run("", server.address(), "put", "sc:1", "v"));
        Run r = run("", server.address(), "scan", "0", "match", "sc:*", "count", "1000");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertEquals(
                true,
                r.out().matches("\\d+\n(.*\n)*")
                        && r.out().contains("\nsc:1\n")
                        && !r.out().contains("\nv\n"),
                r.out());
    }

    @Test
    void scanListsMatchingKeysAcrossPages() throws Exception {
        for (String k : List.of("ks:1", "ks:2", "ks:3", "other:ks")) {
            assertEquals(new Run(0, "OK\n", ""), run("", server.address(), "put", k, "value"));
        }
        Run r = run("", "--scan", "--pattern", "ks:*", "--count", "1", server.address());
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("ks:1", "ks:2", "ks:3"), r.out().lines().sorted().toList());
        assertEquals("", r.err());
    }

    @Test
    void scanWithAPrefixListsKeysInOrderWithoutValues() throws Exception {
        for (String k : List.of("kp:b", "kp:a", "kp;", "kq")) {
            assertEquals(new Run(0, "OK\n", ""), run("", server.address(), "put", k, "value"));
        }
        assertEquals(new Run(0, "kp:a\nkp:b\n", ""), run("", "--scan", "--prefix", "kp:", server.address()));
        assertEquals(new Run(0, "", ""), run("", "--scan", "--prefix", "nothing-here:", server.address()));
    }

    @Test
    void scanOptionsThatDoNotFit() throws Exception {
        assertEquals(new Run(2, "", "--pattern needs --scan\n"), run("", "--pattern", "a*", server.address()));
        assertEquals(
                new Run(2, "", "--scan takes no command, got 'get'\n"),
                run("", "--scan", server.address(), "get", "k"));
        assertEquals(
                new Run(
                        2,
                        "",
                        "--prefix lists in key order with RANGE: it does not combine with --pattern or --count\n"),
                run("", "--scan", "--prefix", "a", "--pattern", "a*", server.address()));
        assertEquals(
                new Run(1, "", "Could not connect to 127.0.0.1:1: Connection refused\n"),
                run("", "--scan", "127.0.0.1:1"));
    }

    /** A server that accepts and then never answers: -t turns a hang into a failure. */
    @Test
    void timeoutEndsAWaitOnASilentServer() throws Exception {
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            String address = "127.0.0.1:" + silent.getLocalPort();
            long started = System.nanoTime();
            assertEquals(new Run(1, "", "Error: Read timed out\n"), run("", "-t", "0.5", address, "ping"));
            assertEquals(new Run(1, "", "Error: Read timed out\n"), run("", "-t", "0.5", "--scan", address));
            assertEquals(new Run(1, "", "Error: Read timed out\n"), run("ping\n", "-t", "0.5", address));
            assertEquals(
                    true, System.nanoTime() - started < TimeUnit.SECONDS.toNanos(30), "three runs, each bounded by -t");
            silent.close();
            for (java.net.Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void badTimeoutIsAUsageError() throws Exception {
        assertEquals(
                new Run(2, "", "-t must be 0 or more seconds, got -1.0\n"),
                run("", "-t", "-1", server.address(), "ping"));
    }

    @Test
    void lastArgumentFromStdinReachesTheServerByteForByte() throws Exception {
        assertEquals(new Run(0, "OK\n", ""), run("line one\nline two\n", "-x", server.address(), "put", "x:1"));
        assertEquals(new Run(0, "18\n", ""), run("", server.address(), "strlen", "x:1"));
    }

    /** help for a server command comes from the real server's COMMAND DOCS. */
    @Test
    void helpDescribesServerCommandsFromTheirDocs() throws Exception {
        Run set = run("", server.address(), "help", "strlen");
        assertEquals(
                new Run(
                        0,
                        "strlen\n  Returns the length of a key's value (0 if absent).\n  group: string  since: 2.2.0\n",
                        ""),
                set);
        Run group = run("", server.address(), "help", "@string");
        assertEquals(0, group.status());
        assertEquals(
                List.of(
                        "append",
                        "decr",
                        "decrby",
                        "get",
                        "getdel",
                        "getex",
                        "getrange",
                        "getset",
                        "incr",
                        "incrby",
                        "incrbyfloat",
                        "lcs",
                        "mget",
                        "mset",
                        "msetnx",
                        "psetex",
                        "put",
                        "set",
                        "setex",
                        "setnx",
                        "setrange",
                        "strlen",
                        "substr"),
                group.out().lines().map(l -> l.split(" ")[0]).toList(),
                group.out());
    }

    @Test
    void jsonAndCsvForScripts() throws Exception {
        assertEquals(new Run(0, "\"OK\"\n", ""), run("", "--json", server.address(), "put", "j:1", "say \"hi\""));
        assertEquals(
                new Run(
                        1,
                        "\"say \\\"hi\\\"\"\nnull\n[\"say \\\"hi\\\"\",null]\n",
                        "line 4: ERR unknown command 'nosuchcommand', with args beginning with: \n"),
                run("get j:1\nget j:none\nmget j:1 j:none\nnosuchcommand\n", "--json", server.address()));
        assertEquals(
                new Run(0, "\"say \"\"hi\"\"\",NULL\n", ""),
                run("", "--csv", server.address(), "mget", "j:1", "j:none"));
        assertEquals(
                new Run(2, "", "choose one of --json, --csv, --raw and --no-raw\n"),
                run("", "--json", "--csv", server.address(), "ping"));
    }

    @Test
    void timingPrintsTheRoundTripToStderr() throws Exception {
        Run r = run("", "--timing", "-r", "2", server.address(), "ping");
        assertEquals(0, r.status());
        assertEquals("PONG\nPONG\n", r.out());
        assertEquals(true, r.err().matches("(\\(\\d+\\.\\d\\d ms\\)\n){2}"), r.err());
    }

    @Test
    void urlNamesTheServerAndADatabase() throws Exception {
        String url = "redis://127.0.0.1:" + server.port();
        assertEquals(new Run(0, "PONG\n", ""), run("", "-u", url, "ping"));
        assertEquals(new Run(0, "PONG\n", ""), run("", "-u", url + "/0", "ping"));
        assertEquals(new Run(0, "OK\n", ""), run("", "-u", url + "/3", "set", "in3", "v"));
        assertEquals(new Run(0, "v\n", ""), run("", "-u", url + "/3", "get", "in3"));
        assertEquals(new Run(0, "\n", ""), run("", "-u", url, "get", "in3"), "absent from database 0");
        assertEquals(
                new Run(
                        1,
                        "",
                        "Could not connect to 127.0.0.1:" + server.port()
                                + ": database 16 refused (ERR DB index is out of range)\n"),
                run("", "-u", url + "/16", "ping"));
        assertEquals(
                new Run(2, "", "-u http://x: expected redis://[[user]:password@]host[:port][/db]\n"),
                run("", "-u", "http://x", "ping"));
    }

    /** -n selects a database on connecting; our server has only 0, and says so for any other. */
    @Test
    void databaseOptionSelectsOnConnecting() throws Exception {
        assertEquals(new Run(0, "PONG\n", ""), run("", "-n", "0", server.address(), "ping"));
        assertEquals(new Run(0, "PONG\n", ""), run("", "-n", "2", server.address(), "ping"));
        assertEquals(
                new Run(
                        1,
                        "",
                        "Could not connect to " + server.address()
                                + ": database 16 refused (ERR DB index is out of range)\n"),
                run("", "-n", "16", server.address(), "ping"));
        assertEquals(new Run(2, "", "-n must be 0 or more, got -1\n"), run("", "-n", "-1", server.address(), "ping"));
    }

    @Test
    void latencyPrintsOneLineAReport() throws Exception {
        Run r = run("", "--latency", "-r", "2", "-i", "0.1", server.address());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertEquals(
                true,
                r.out().matches("(min: \\d+\\.\\d\\d, max: \\d+\\.\\d\\d, avg: \\d+\\.\\d\\d \\(\\d+ samples\\)\n){2}"),
                r.out());
    }

    @Test
    void statPrintsTitlesThenALineOfInfoFigures() throws Exception {
        Run r = run("", "--stat", "-r", "2", "-i", "0.1", server.address());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertEquals(Monitors.STAT_TITLES, lines.get(0));
        assertEquals(true, lines.get(2).matches("\\d+ +\\d.*\\d+ \\(\\+\\d+\\) +\\d+"), lines.get(2));
    }

    @Test
    void bigKeysListsTheLargestValueFirst() throws Exception {
        assertEquals(new Run(0, "OK\n", ""), run("", server.address(), "put", "big:1", "v".repeat(200)));
        Run r = run("", "--bigkeys", server.address());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(true, lines.get(0).matches("\\d+ keys, .+ of values; the largest:"), lines.get(0));
        assertEquals("  200  big:1", lines.get(1));
        assertEquals(
                new Run(2, "", "--bigkeys takes neither -r nor -i\n"),
                run("", "--bigkeys", "-r", "2", server.address()));
        assertEquals(
                new Run(2, "", "choose one of --latency, --stat, --bigkeys and --scan\n"),
                run("", "--stat", "--latency", server.address()));
    }

    /** With -3 the server's maps arrive as maps: COMMAND DOCS prints as a JSON object, not an array. */
    @Test
    void resp3BringsMaps() throws Exception {
        String docs = "{\"get\":{\"summary\":\"Returns the value of a key.\",\"since\":\"1.0.0\",\"group\":\"string\","
                + "\"arguments\":[{\"name\":\"key\",\"type\":\"key\"}]}}\n";
        assertEquals(new Run(0, docs, ""), run("", "-3", "--json", server.address(), "command", "docs", "get"));
        assertEquals(new Run(0, docs, ""), run("command docs get\n", "-3", "--json", server.address()));
        Run resp2 = run("", "--json", server.address(), "command", "docs", "get");
        assertEquals(
                new Run(
                        0,
                        "[\"get\",[\"summary\",\"Returns the value of a key.\",\"since\",\"1.0.0\",\"group\",\"string\","
                                + "\"arguments\",[[\"name\",\"key\",\"type\",\"key\"]]]]\n",
                        ""),
                resp2);
    }

    @Test
    void colourOnlyWhenAskedForOnAPipe() throws Exception {
        assertEquals(new Run(0, "(nil)\n", ""), run("", "--no-raw", server.address(), "get", "c:none"));
        assertEquals(
                new Run(0, "\u001b[2m(nil)\u001b[0m\n", ""),
                run("", "--no-raw", "--color", server.address(), "get", "c:none"));
        assertEquals(
                new Run(0, "\n", ""), run("", "--color", server.address(), "get", "c:none"), "raw style has no colour");
    }

    /**
     * SHUTDOWN against the real server (its own, not the shared one): the server closing the connection
     * is the command succeeding, as redis-cli takes it; the server then stops listening.
     */
    @Test
    void shutdownStopsTheServerAndExitsZero() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(server.real, "needs the real toykv-server");
        try (TestServer doomed = TestServer.start(data.resolve("shutdown-one-shot"))) {
            assertEquals(new Run(0, "", ""), run("", doomed.address(), "shutdown"));
            assertEquals(true, stopsListening(doomed.port()), "the server stopped");
        }
        try (TestServer doomed = TestServer.start(data.resolve("shutdown-script"))) {
            assertEquals(new Run(0, "OK\n", ""), run("put sd:1 v\nshutdown\nget sd:1\n", doomed.address()));
            assertEquals(true, stopsListening(doomed.port()), "the server stopped");
        }
    }

    /** Whether connecting to the port is refused within ten seconds. */
    private static boolean stopsListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                Thread.sleep(50);
            } catch (IOException refused) {
                return true;
            }
        }
        return false;
    }

    @Test
    void hostAndPortOptionsAndABareHostReachTheServer() throws Exception {
        String port = Integer.toString(server.port());
        assertEquals(new Run(0, "PONG\n", ""), run("", "-h", "127.0.0.1", "-p", port, "ping"));
        assertEquals(new Run(0, "PONG\n", ""), run("", "-p", port, "127.0.0.1", "ping"), "a bare IP takes -p");
        assertEquals(
                new Run(2, "", "127.0.0.1:99999: port must be 1..65535, got 99999\n"),
                run("", "127.0.0.1:99999", "ping"));
    }

    /** -a sends AUTH first; our server has no password, so it refuses, and the command still runs. */
    @Test
    void passwordIsSentWithAuthAndARefusalIsReported() throws Exception {
        assertEquals(
                new Run(
                        0,
                        "PONG\n",
                        "AUTH failed: ERR AUTH <password> called without any password configured for "
                                + "the default user. Are you sure your configuration is correct?\n"),
                run("", "-a", "secret", server.address(), "ping"));
    }

    @Test
    void versionAndHelpComeFromTheJar() throws Exception {
        String version;
        try (java.util.jar.JarFile jar =
                new java.util.jar.JarFile(System.getProperty("toykv.cli.jar", "target/toykv-cli.jar"))) {
            version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
        assertEquals(new Run(0, "toykv-cli " + version + "\n", ""), run("", "--version"));
        assertEquals(new Run(0, Cli.commandLine().getUsageMessage(), ""), run("", "--help"));
    }

    @Test
    void rawAndNoColourStylesOnAPipe() throws Exception {
        assertEquals(new Run(0, "\n", ""), run("", "--raw", server.address(), "get", "style:none"));
        assertEquals(
                new Run(0, "(nil)\n", ""), run("", "--no-raw", "--no-color", server.address(), "get", "style:none"));
        assertEquals(
                new Run(1, "", "ERR unknown command 'style', with args beginning with: \n"),
                run("", "--raw", server.address(), "style"));
    }

    @Test
    void repeatWithAnIntervalRunsTheCommandAgain() throws Exception {
        assertEquals(new Run(0, "PONG\nPONG\nPONG\n", ""), run("", "-r", "3", "-i", "0.05", server.address(), "ping"));
        assertEquals(new Run(2, "", "-i needs -r\n"), run("", "-i", "1", server.address(), "ping"));
    }

    @Test
    void unreachableServer() throws Exception {
        assertEquals(
                new Run(1, "", "Could not connect to 127.0.0.1:1: Connection refused\n"), run("ping\n", "127.0.0.1:1"));
    }

    @Test
    void infoComesFromTheServerUnderTest() throws Exception {
        Run r = run("", server.address(), "info");
        System.out.println("server under test: " + (server.real ? "toykv-server" : "FakeRespServer"));
        assertEquals(0, r.status());
        assertEquals(true, r.out().contains(server.real ? "toykv_version:" : "fake_server:1"), r.out());
    }

    @Test
    void launcherScriptRunsTheJarFromAnywhere() throws Exception {
        String launcher = System.getProperty("toykv.cli.launcher", "../bin/toykv-cli");
        List<String> command =
                List.of("bash", Path.of(launcher).toAbsolutePath().toString(), server.address(), "ping");
        assertEquals(new Run(0, "PONG\n", ""), exec(command, ""));
    }

    /** The first launcher run after a build writes the class-data archive; the output is the same. */
    @Test
    void launcherWritesTheClassDataArchiveOnceAndKeepsOutputClean() throws Exception {
        String launcher = Path.of(System.getProperty("toykv.cli.launcher", "../bin/toykv-cli"))
                .toAbsolutePath()
                .toString();
        Path jar = Path.of(System.getProperty("toykv.cli.jar", "target/toykv-cli.jar"))
                .toAbsolutePath();
        Path sessionArchive = jar.resolveSibling("toykv-cli.jsa");
        Path commandArchive = jar.resolveSibling("toykv-cli-command.jsa");
        Files.deleteIfExists(sessionArchive);
        Files.deleteIfExists(commandArchive);
        List<String> command = List.of("bash", launcher, server.address(), "ping");
        assertEquals(new Run(0, "PONG\n", ""), exec(command, ""));
        assertEquals(true, Files.size(commandArchive) > 0, "a one-shot writes the command archive");
        assertEquals(false, Files.exists(sessionArchive), "only a session on a terminal writes the session archive");
        try (var dir = Files.list(jar.getParent())) {
            assertEquals(
                    List.of(), dir.filter(p -> p.toString().endsWith(".tmp")).toList(), "no partial archive left");
        }
        assertEquals(new Run(0, "PONG\n", ""), exec(command, ""));
    }

    /**
     * A launcher ended by SIGTERM or SIGHUP while its JVM runs (and would write the archive as it exits)
     * exits with the signal's status once the JVM has ended, leaving no partial archive behind.
     */
    @ParameterizedTest
    @CsvSource({"TERM, 143", "HUP, 129"})
    void launcherEndedBySignalWhileWritingTheArchiveLeavesNoPartialArchive(String signal, int status) throws Exception {
        String launcher = Path.of(System.getProperty("toykv.cli.launcher", "../bin/toykv-cli"))
                .toAbsolutePath()
                .toString();
        Path jar = Path.of(System.getProperty("toykv.cli.jar", "target/toykv-cli.jar"))
                .toAbsolutePath();
        Files.deleteIfExists(jar.resolveSibling("toykv-cli.jsa"));
        Files.deleteIfExists(jar.resolveSibling("toykv-cli-command.jsa"));
        try (var dir = Files.list(jar.getParent())) {
            for (Path leftover : dir.filter(f -> f.toString().endsWith(".tmp")).toList()) {
                Files.delete(leftover);
            }
        }
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            // env resets the signals to their defaults: a run under nohup inherits SIGHUP ignored, and
            // a signal ignored when bash starts can be neither trapped nor reset by it.
            Process p = new ProcessBuilder(
                            "env",
                            "--default-signal=HUP,TERM",
                            "bash",
                            launcher,
                            "-t",
                            "2",
                            "127.0.0.1:" + silent.getLocalPort(),
                            "ping")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (java.net.Socket client = silent.accept()) {
                // The JVM is connected and waits for a reply that never comes (up to -t).
                List<ProcessHandle> jvm = p.descendants().toList();
                new ProcessBuilder("kill", "-s", signal, Long.toString(p.pid()))
                        .inheritIO()
                        .start()
                        .waitFor();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("the launcher did not end after SIG" + signal);
                }
                for (ProcessHandle h : jvm) {
                    h.onExit().get(60, TimeUnit.SECONDS);
                }
                assertEquals(status, p.exitValue());
            }
        }
        try (var dir = Files.list(jar.getParent())) {
            assertEquals(
                    List.of(), dir.filter(f -> f.toString().endsWith(".tmp")).toList(), "no partial archive left");
        }
    }

    /** Partial archives more than a day old are removed by the next run; a younger one may be in the making. */
    @Test
    void launcherRemovesPartialArchivesOlderThanADay() throws Exception {
        String launcher = Path.of(System.getProperty("toykv.cli.launcher", "../bin/toykv-cli"))
                .toAbsolutePath()
                .toString();
        Path jar = Path.of(System.getProperty("toykv.cli.jar", "target/toykv-cli.jar"))
                .toAbsolutePath();
        Path stale = Files.writeString(jar.resolveSibling("toykv-cli-command.jsa.1.tmp"), "torn");
        Path young = Files.writeString(jar.resolveSibling("toykv-cli.jsa.2.tmp"), "being written");
        try {
            Files.setLastModifiedTime(
                    stale,
                    java.nio.file.attribute.FileTime.fromMillis(
                            System.currentTimeMillis() - TimeUnit.HOURS.toMillis(25)));
            Files.setLastModifiedTime(
                    young,
                    java.nio.file.attribute.FileTime.fromMillis(
                            System.currentTimeMillis() - TimeUnit.HOURS.toMillis(23)));
            assertEquals(new Run(0, "PONG\n", ""), exec(List.of("bash", launcher, server.address(), "ping"), ""));
            assertEquals(false, Files.exists(stale), "the stale partial archive is removed");
            assertEquals(true, Files.exists(young), "a partial archive less than a day old is kept");
        } finally {
            Files.deleteIfExists(stale);
            Files.deleteIfExists(young);
        }
    }
}
