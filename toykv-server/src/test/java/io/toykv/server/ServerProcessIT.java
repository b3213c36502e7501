package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as a process: SIGTERM during writes exits 0 and loses no acknowledged write;
 * kill -9 loses none either; SHUTDOWN exits 0; SERVER_PORT and DB_DIR work; the launcher script runs.
 */
class ServerProcessIT {
    static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+)");
    static final int WRITERS = 4;

    @TempDir
    Path dir;

    final List<Process> started = new ArrayList<>();

    /** A started server process and the port it reported. */
    record Server(Process process, int port, Path logFile) {
        String log() {
            try {
                return Files.readString(logFile);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    @AfterEach
    void killLeftovers() {
        for (Process p : started) {
            p.destroyForcibly();
        }
    }

    static Path jar() {
        return Path.of(System.getProperty("toykv.server.jar", "target/toykv-server.jar"));
    }

    Server start(List<String> command, java.util.Map<String, String> env) throws IOException, InterruptedException {
        Path logFile = Files.createTempFile(dir, "server", ".log");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        Server server = new Server(p, 0, logFile);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(server.log());
            if (m.find()) {
                return new Server(p, Integer.parseInt(m.group(1)), logFile);
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("server did not start: " + server.log());
    }

    Server startJar(Path data, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(
                List.of(javaBin(), "-jar", jar().toString(), "--port", "0", "--dir", data.toString(), "--shards", "2"));
        cmd.addAll(List.of(extra));
        return start(cmd, java.util.Map.of());
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Writers that record each key whose SET was acknowledged, until the server goes away. */
    static Set<String> writeUntilGone(int port, AtomicBoolean stop, List<Thread> threads) {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                try (RespClient c = new RespClient(port, 10_000)) {
                    for (int i = 0; i < 5_000_000 && !stop.get(); i++) {
                        String key = "w" + writer + ":" + i;
                        if (!c.call("SET", key, "value-" + i).equals("+OK\r\n")) {
                            return;
                        }
                        acked.add(key);
                    }
                } catch (IOException e) {
                    // The server stopped: the last unacknowledged write may or may not be there.
                }
            });
            t.start();
            threads.add(t);
        }
        return acked;
    }

    /** Whether the log shows the text within a few seconds (the pump thread may lag the exit). */
    static boolean logShows(Server server, String text) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            if (server.log().contains(text)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    void assertAllPresent(Set<String> acked) throws IOException, InterruptedException {
        Server again = startJar(dir);
        try (RespClient c = new RespClient(again.port(), 30_000)) {
            int checked = 0;
            for (String key : acked) {
                String i = key.substring(key.indexOf(':') + 1);
                String want = "$" + ("value-" + i).length() + "\r\nvalue-" + i + "\r\n";
                assertEquals(want, c.call("GET", key), key);
                checked++;
            }
            assertTrue(checked > 100, "too few writes to be meaningful: " + checked);
        }
        again.process().destroy();
        assertTrue(again.process().waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void sigtermDuringWritesExitsZeroAndLosesNothingAcknowledged() throws Exception {
        Server server = startJar(dir);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        Set<String> acked = writeUntilGone(server.port(), stop, writers);
        Thread.sleep(1500);
        server.process().destroy(); // SIGTERM
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS), "no exit after SIGTERM");
        assertEquals(0, server.process().exitValue());
        stop.set(true);
        for (Thread t : writers) {
            t.join(10_000);
        }
        assertTrue(logShows(server, "server stopped; store closed"), server.log());
        assertAllPresent(acked);
    }

    @Test
    void killNineDuringWritesLosesNothingAcknowledged() throws Exception {
        Server server = startJar(dir);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        Set<String> acked = writeUntilGone(server.port(), stop, writers);
        Thread.sleep(1500);
        server.process().destroyForcibly(); // SIGKILL
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
        stop.set(true);
        for (Thread t : writers) {
            t.join(10_000);
        }
        assertAllPresent(acked);
    }

    /**
     * Expiry against the real jar and the real clock: a key set with PX goes away, and neither it nor
     * a key whose time passed while the server was down comes back after a kill -9 and a restart;
     * the expiry of a key that has not expired survives. Waits poll for the outcome, never a fixed sleep.
     */
    @Test
    void expiredKeysStayGoneAfterKillNine() throws Exception {
        Server server = startJar(dir);
        long downExpiresAt;
        try (RespClient c = new RespClient(server.port(), 10_000)) {
            assertEquals("+OK\r\n", c.call("SET", "short", "v", "PX", "300"));
            assertEquals("+OK\r\n", c.call("SET", "long", "v", "PX", "600000"));
            assertEquals("+OK\r\n", c.call("SET", "plain", "v"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!c.call("GET", "short").equals("$-1\r\n")) {
                assertTrue(System.nanoTime() < deadline, "a key set with PX 300 is still there after 30 s");
                Thread.sleep(50);
            }
            assertEquals(":-2\r\n", c.call("PTTL", "short"));
            assertEquals("+OK\r\n", c.call("SET", "down", "v", "PX", "1000"));
            String pexpiretime = c.call("PEXPIRETIME", "down");
            downExpiresAt = Long.parseLong(pexpiretime.substring(1, pexpiretime.length() - 2));
        }
        server.process().destroyForcibly(); // SIGKILL
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
        while (System.currentTimeMillis() <= downExpiresAt) {
            Thread.sleep(50); // until "down" has expired while no server ran
        }
        Server again = startJar(dir);
        try (RespClient c = new RespClient(again.port(), 10_000)) {
            assertEquals("$-1\r\n", c.call("GET", "short"));
            assertEquals("$-1\r\n", c.call("GET", "down"));
            assertEquals(":0\r\n", c.call("EXISTS", "short", "down"));
            String pttl = c.call("PTTL", "long");
            long left = Long.parseLong(pttl.substring(1, pttl.length() - 2));
            assertTrue(left > 0 && left <= 600_000, pttl);
            assertEquals(":-1\r\n", c.call("TTL", "plain"));
            assertEquals(":2\r\n", c.call("DBSIZE"));
        }
        again.process().destroy();
        assertTrue(again.process().waitFor(30, TimeUnit.SECONDS));
    }

    /**
     * EXECs that each set eight keys (in different shards) to one counter value, killed with SIGKILL
     * mid-stream: after the restart the eight keys hold one value, at least the last acknowledged one.
     */
    @Test
    void anExecIsWhollyPresentOrWhollyAbsentAfterKillNine() throws Exception {
        Server server = startJar(dir);
        String[] keys = {"tx:a", "tx:b", "tx:c", "tx:d", "tx:e", "tx:f", "tx:g", "tx:h"};
        java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> {
            try (RespClient c = new RespClient(server.port(), 10_000)) {
                for (long n = 1; ; n++) {
                    c.call("MULTI");
                    for (String k : keys) {
                        c.call("SET", k, Long.toString(n));
                    }
                    if (!c.call("EXEC").startsWith("*8\r\n")) {
                        return;
                    }
                    acknowledged.set(n);
                }
            } catch (IOException | RuntimeException e) {
                // the kill ends the connection
            }
        });
        writer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.get() < 200 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        server.process().destroyForcibly(); // SIGKILL
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
        writer.join(30_000);
        long last = acknowledged.get();
        assertTrue(last > 0, "no EXEC was acknowledged");
        Server again = startJar(dir);
        try (RespClient c = new RespClient(again.port(), 10_000)) {
            String first = c.call("GET", keys[0]);
            for (String k : keys) {
                assertEquals(first, c.call("GET", k), "key " + k + " after the kill");
            }
            long value = Long.parseLong(first.substring(first.indexOf("\r\n") + 2, first.length() - 2));
            assertTrue(value >= last, "EXEC " + last + " was acknowledged, the keys hold " + value);
        }
        again.process().destroy();
        assertTrue(again.process().waitFor(30, TimeUnit.SECONDS));
    }

    /**
     * MOVEs of ten keys back and forth between databases 0 and 1, and EXECs that set a key in each
     * database to one counter value, killed with SIGKILL mid-stream: after the restart every key is in
     * exactly one database (where its last acknowledged move put it, or where the one in flight did),
     * and the two keys of the EXECs hold one value, at least the last acknowledged one.
     */
    @Test
    void movesAndExecsAcrossDatabasesAreWholeAfterKillNine() throws Exception {
        Server server = startJar(dir);
        int keys = 10;
        try (RespClient c = new RespClient(server.port(), 10_000)) {
            for (int i = 0; i < keys; i++) {
                assertEquals("+OK\r\n", c.call("SET", "mv" + i, "v" + i));
            }
        }
        int[] acked = new int[keys]; // the database of each key after its last acknowledged move
        int[] inFlight = {-1};
        java.util.concurrent.atomic.AtomicLong execs = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> {
            int[] at = new int[keys];
            try (RespClient c = new RespClient(server.port(), 10_000)) {
                for (long n = 1; ; n++) {
                    int i = (int) (n % keys);
                    c.call("SELECT", Integer.toString(at[i]));
                    synchronized (acked) {
                        inFlight[0] = i;
                    }
                    if (!c.call("MOVE", "mv" + i, Integer.toString(1 - at[i])).equals(":1\r\n")) {
                        return;
                    }
                    at[i] = 1 - at[i];
                    synchronized (acked) {
                        acked[i] = at[i];
                        inFlight[0] = -1;
                    }
                    String value = Long.toString(n);
                    if (!execOf(
                            c,
                            List.of("SELECT", "0"),
                            List.of("SET", "x:a", value),
                            List.of("SELECT", "1"),
                            List.of("SET", "x:b", value))) {
                        return;
                    }
                    execs.set(n);
                }
            } catch (IOException | RuntimeException e) {
                // the kill ends the connection
            }
        });
        killOnceExecsPass(server, writer, execs);
        long last = execs.get();
        assertTrue(last > 0, "no EXEC was acknowledged");
        Server again = startJar(dir);
        try (RespClient c = new RespClient(again.port(), 10_000)) {
            for (int i = 0; i < keys; i++) {
                c.call("SELECT", "0");
                boolean in0 = c.call("EXISTS", "mv" + i).equals(":1\r\n");
                c.call("SELECT", "1");
                boolean in1 = c.call("EXISTS", "mv" + i).equals(":1\r\n");
                assertTrue(in0 != in1, "key mv" + i + " in database 0: " + in0 + ", in 1: " + in1);
                synchronized (acked) {
                    if (inFlight[0] != i) {
                        assertEquals(acked[i] == 1, in1, "key mv" + i + " is not where its last move put it");
                    }
                }
            }
            c.call("SELECT", "0");
            String a = c.call("GET", "x:a");
            c.call("SELECT", "1");
            assertEquals(a, c.call("GET", "x:b"), "the two keys of one EXEC after the kill");
            long value = Long.parseLong(a.substring(a.indexOf("\r\n") + 2, a.length() - 2));
            assertTrue(value >= last, "EXEC " + last + " was acknowledged, the keys hold " + value);
        }
        again.process().destroy();
        assertTrue(again.process().waitFor(30, TimeUnit.SECONDS));
    }

    /**
     * EXEC n (from 1) writes tag=n to database 0, swaps 0 and 1, writes tag2=n to database 0 (the keys
     * that were 1's): once whole, database 1 holds tag=n and database 0 tag2=n, and the databases have
     * swapped n times (their name keys say which is where). A kill -9 must leave the last EXEC whole or
     * absent: its writes without its swap, or its swap without its writes, break one of these.
     */
    @Test
    void execsWithSwapdbAreWholeAfterKillNine() throws Exception {
        Server server = startJar(dir);
        try (RespClient c = new RespClient(server.port(), 10_000)) {
            assertEquals("+OK\r\n", c.call("SET", "name", "A"));
            c.call("SELECT", "1");
            assertEquals("+OK\r\n", c.call("SET", "name", "B"));
        }
        java.util.concurrent.atomic.AtomicLong execs = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> {
            try (RespClient c = new RespClient(server.port(), 10_000)) {
                for (long n = 1; ; n++) {
                    String value = Long.toString(n);
                    if (!execOf(
                            c,
                            List.of("SELECT", "0"),
                            List.of("SET", "tag", value),
                            List.of("SWAPDB", "0", "1"),
                            List.of("SET", "tag2", value))) {
                        return;
                    }
                    execs.set(n);
                }
            } catch (IOException | RuntimeException e) {
                // the kill ends the connection
            }
        });
        killOnceExecsPass(server, writer, execs);
        long last = execs.get();
        assertTrue(last > 1, "too few EXECs were acknowledged: " + last);
        Server again = startJar(dir);
        try (RespClient c = new RespClient(again.port(), 10_000)) {
            c.call("SELECT", "0");
            long m = number(c.call("GET", "tag2"));
            long tag0 = number(c.call("GET", "tag"));
            String name0 = c.call("GET", "name");
            c.call("SELECT", "1");
            long tag1 = number(c.call("GET", "tag"));
            long tag2of1 = number(c.call("GET", "tag2"));
            String name1 = c.call("GET", "name");
            String state = "after EXEC " + m + ": database 0 tag " + tag0 + " tag2 " + m + " " + name0
                    + ", database 1 tag " + tag1 + " tag2 " + tag2of1 + " " + name1;
            assertTrue(m >= last, "EXEC " + last + " was acknowledged; " + state);
            assertEquals(m, tag1, state);
            assertEquals(m - 1, tag0, state);
            assertEquals(m - 1, tag2of1, state);
            assertEquals(m % 2 == 1 ? "$1\r\nB\r\n" : "$1\r\nA\r\n", name0, state);
            assertEquals(m % 2 == 1 ? "$1\r\nA\r\n" : "$1\r\nB\r\n", name1, state);
        }
        again.process().destroy();
        assertTrue(again.process().waitFor(30, TimeUnit.SECONDS));
    }

    /**
     * Starts {@code writer}, waits until it counts 200 acknowledged EXECs in {@code execs} (or a minute
     * passes), then kills the server with SIGKILL and waits for the writer to see it.
     */
    private static void killOnceExecsPass(Server server, Thread writer, java.util.concurrent.atomic.AtomicLong execs)
            throws InterruptedException {
        writer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (execs.get() < 200 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        server.process().destroyForcibly(); // SIGKILL
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
        writer.join(30_000);
    }

    /** Runs {@code commands} in MULTI/EXEC; returns whether EXEC replied with a reply for each. */
    @SafeVarargs
    private static boolean execOf(RespClient c, List<String>... commands) throws IOException {
        c.call("MULTI");
        for (List<String> command : commands) {
            c.call(command.toArray(String[]::new));
        }
        return c.call("EXEC").startsWith("*" + commands.length + "\r\n");
    }

    /** A bulk string reply's number; 0 for nil. */
    private static long number(String reply) {
        return reply.equals("$-1\r\n")
                ? 0
                : Long.parseLong(reply.substring(reply.indexOf("\r\n") + 2, reply.length() - 2));
    }

    @Test
    void shutdownCommandExitsZero() throws Exception {
        Server server = startJar(dir);
        try (RespClient c = new RespClient(server.port())) {
            assertEquals("+OK\r\n", c.call("SET", "k", "v"));
            c.send(RespClient.encode("SHUTDOWN"));
            assertTrue(c.closedByServer());
        }
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, server.process().exitValue());
    }

    @Test
    void environmentGivesPortAndDirectoryAndOptionsWin() throws Exception {
        Path envDir = dir.resolve("from-env");
        Server server = start(
                List.of(javaBin(), "-jar", jar().toString(), "--shards", "2"),
                java.util.Map.of("SERVER_PORT", "0", "DB_DIR", envDir.toString()));
        assertTrue(Files.isDirectory(envDir), "DB_DIR used");
        server.process().destroy();
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
        Path optionDir = dir.resolve("from-option");
        Server second = start(
                List.of(javaBin(), "-jar", jar().toString(), "--shards", "2", "--dir", optionDir.toString()),
                java.util.Map.of(
                        "SERVER_PORT", "0", "DB_DIR", envDir.resolve("no").toString()));
        assertTrue(Files.isDirectory(optionDir), "--dir wins over DB_DIR");
        second.process().destroy();
        assertTrue(second.process().waitFor(30, TimeUnit.SECONDS));
    }

    /** The password comes from a file, so the command line (ps) does not show it; the rest from --config. */
    @Test
    void configFileAndPasswordFileKeepThePasswordOffTheCommandLine() throws Exception {
        Path pass = Files.writeString(dir.resolve("pass"), "from file\n");
        Path conf = Files.writeString(
                dir.resolve("toykv.conf"),
                "# test\nport 0\ndir \"" + dir.resolve("conf data")
                        + "\"\nappendfsync always\nrequirepass \"from conf\"\nshards 2\n");
        if (pass.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(pass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        Server server = start(
                List.of(
                        javaBin(),
                        "-jar",
                        jar().toString(),
                        "--config",
                        conf.toString(),
                        "--requirepass-file",
                        pass.toString()),
                java.util.Map.of());
        assertTrue(Files.isDirectory(dir.resolve("conf data")), server.log());
        String commandLine = server.process().info().commandLine().orElse("");
        assertTrue(!commandLine.contains("from file") && !commandLine.contains("from conf"), commandLine);
        try (RespClient c = new RespClient(server.port())) {
            assertTrue(c.call("AUTH", "from conf").startsWith("-WRONGPASS"), "--requirepass-file wins over the file");
            assertEquals("+OK\r\n", c.call("AUTH", "from file"));
            assertEquals("*2\r\n$11\r\nappendfsync\r\n$6\r\nalways\r\n", c.call("CONFIG", "GET", "appendfsync"));
        }
        assertTrue(logShows(server, "wrong password (AUTH)"), server.log());
        assertTrue(!server.log().contains("WARNING the password file"), server.log());
        server.process().destroy();
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void launcherScriptRunsTheJar() throws Exception {
        Path script = Path.of("..", "bin", "toykv-server").toAbsolutePath().normalize();
        Process p = new ProcessBuilder(script.toString(), "--version")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("toykv-server "), out);
    }

    @Test
    void carrierThreadsBelowOneIsRefusedBeforeStarting() throws Exception {
        refusedBeforeStarting(
                "--carrier-threads", "0", "Invalid value for option '--carrier-threads': must be at least 1, was 0");
    }

    /** The jar as a user runs it: a bad store option is one line naming it (exit 2), no stack trace, no store. */
    @Test
    void aBadStoreOptionIsRefusedBeforeStarting() throws Exception {
        refusedBeforeStarting(
                "--shards", "0", "Invalid value for option '--shards': shards must be between 1 and 256, was 0");
    }

    private void refusedBeforeStarting(String option, String value, String message) throws Exception {
        Process p = new ProcessBuilder(
                        javaBin(),
                        "-jar",
                        jar().toString(),
                        "--port",
                        "0",
                        "--dir",
                        dir.resolve("never").toString(),
                        option,
                        value)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains(message), out);
        assertTrue(!out.contains("Exception") && !out.contains("\tat "), out);
        assertTrue(Files.notExists(dir.resolve("never")), "no store is opened");
    }

    @Test
    void startLineNamesTheThreadModelAndCarrierCount() throws Exception {
        Server server = startJar(dir.resolve("carriers"), "--carrier-threads", "1");
        String expected = Runtime.version().feature() >= 21 ? "virtual threads (carriers: 1)" : "platform threads";
        assertTrue(server.log().contains(expected), server.log());
        server.process().destroy();
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
    }
}
