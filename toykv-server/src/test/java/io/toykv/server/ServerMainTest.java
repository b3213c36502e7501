package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: every option reaches the configuration, and a bad value is a usage error naming it. */
class ServerMainTest {

    @TempDir
    Path dir;

    /** Each case fails before the store opens; were one to start a server, the timeout ends the test. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aValueTheStoreOrServerRefusesIsAUsageErrorNamingItsOption() {
        List<List<String>> bad = List.of(
                List.of("--shards", "0"),
                List.of("--max-key-size", "-3"),
                List.of("--max-value-size", "-1"),
                List.of("--segment-size", "0"),
                List.of("--segment-size", "4096"),
                List.of("--segment-size", "1"),
                List.of("--gc-space-target", "0.5"),
                List.of("--gc-space-target", "many"),
                List.of("--gc-threads", "0"),
                List.of("--gc-threads", "257"),
                List.of("--port", "70000"),
                List.of("--max-clients", "0"),
                List.of("--timeout", "-1"),
                List.of("--max-output-buffer", "0"),
                List.of("--threads", "bogus"),
                List.of("--carrier-threads", "0"));
        for (List<String> args : bad) {
            StringWriter err = new StringWriter();
            CommandLine cl = ServerMain.commandLine();
            cl.setErr(new PrintWriter(err));
            List<String> all =
                    new ArrayList<>(List.of("--dir", dir.resolve("never").toString()));
            if (!args.get(0).equals("--port")) {
                all.addAll(List.of("--port", "0"));
            }
            all.addAll(args);
            int code = cl.execute(all.toArray(String[]::new));
            String message = err.toString();
            assertEquals(2, code, args + ": " + message);
            assertTrue(message.contains(args.get(0)), args + ": " + message);
            assertTrue(message.contains(args.get(1)), args + " (the value is quoted): " + message);
            assertFalse(message.contains("Exception") || message.contains("\tat "), args + ": " + message);
            assertTrue(Files.notExists(dir.resolve("never")), args + ": no store is opened");
        }
    }

    @Test
    void storeOptionsComeFromTheCommandLine() {
        CommandLine cl = ServerMain.commandLine();
        cl.parseArgs(
                "--shards",
                "8",
                "--segment-size",
                "64",
                "--gc-space-target",
                "1.5",
                "--gc-threads",
                "3",
                "--no-auto-gc",
                "--max-key-size",
                "100",
                "--sync",
                "always",
                "--threads",
                "PLATFORM",
                "--port",
                "0");
        ServerConfig config = ((ServerMain) cl.getCommand()).config();
        StoreOptions o = config.storeOptions();
        assertEquals(8, o.shards());
        assertEquals(64L << 20, o.segmentSize());
        assertEquals(1.5, o.gcSpaceTarget());
        assertEquals(3, o.gcThreads());
        assertFalse(o.autoCompaction());
        assertEquals(100, o.maxKeySize());
        assertEquals(io.toykv.core.SyncMode.ALWAYS, o.syncMode());
        assertEquals(ServerConfig.Threading.PLATFORM, config.threading());
        assertEquals(0, config.port());
    }

    @Test
    void oneMibSegmentsNeedValuesThatFitInThem() throws IOException {
        CommandLine cl = ServerMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("--port", "0", "--dir", dir.resolve("never").toString(), "--segment-size", "1"));
        assertTrue(
                err.toString()
                        .contains("Invalid value for option '--segment-size': 1 MiB is smaller than the staging "
                                + "buffer (1052672 bytes, to hold a value of 1048576 bytes); use at least 2 MiB"),
                err.toString());

        cl.parseArgs("--segment-size", "1", "--max-value-size", "1048568");
        StoreOptions o = ((ServerMain) cl.getCommand()).config().storeOptions();
        assertEquals(1L << 20, o.segmentSize());
        assertEquals(1 << 20, o.bufferSize());
        try (Store store = Store.open(dir.resolve("small-segments"), o)) {
            store.put("k".getBytes(StandardCharsets.UTF_8), new byte[1048568]);
        }
    }

    @Test
    void withoutOptionsTheStoreDefaultsHold() {
        CommandLine cl = ServerMain.commandLine();
        cl.parseArgs();
        StoreOptions o = ((ServerMain) cl.getCommand()).config().storeOptions();
        StoreOptions defaults = StoreOptions.defaults();
        assertEquals(defaults.segmentSize(), o.segmentSize());
        assertEquals(defaults.gcSpaceTarget(), o.gcSpaceTarget());
        assertEquals(defaults.gcThreads(), o.gcThreads());
        assertTrue(o.autoCompaction());
        assertEquals(io.toykv.core.SyncMode.EVERY_SECOND, o.syncMode());
    }

    private static ServerMain parse(Map<String, String> environment, String... args) {
        CommandLine cl = ServerMain.commandLine();
        ServerMain main = cl.getCommand();
        main.env = environment::get;
        cl.parseArgs(args);
        return main;
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void theConfigFileSetsOptionsAndTheCommandLineWinsOverIt() throws IOException {
        Path conf = file(
                "toykv.conf",
                "# redis.conf names\nport 6380\nBIND 0.0.0.0\ndir \"" + dir.resolve("d  ata")
                        + "\"\nmaxclients 7\ntimeout 30\nappendfsync always\n# toykv's own\nsegment-size 16\nverbose yes\n"
                        + "threads platform\nno-auto-gc no\nmax-clients 9\n");
        ServerConfig c = parse(Map.of(), "--config", conf.toString(), "--port", "0", "--timeout", "5")
                .config();
        assertEquals(0, c.port(), "the command line wins");
        assertEquals(5, c.timeoutSeconds(), "the command line wins");
        assertEquals("0.0.0.0", c.bind());
        assertEquals(dir.resolve("d  ata"), c.dir());
        assertEquals(9, c.maxClients(), "the later line wins");
        assertEquals(SyncMode.ALWAYS, c.storeOptions().syncMode());
        assertEquals(16L << 20, c.storeOptions().segmentSize());
        assertTrue(c.verbose());
        assertTrue(c.storeOptions().autoCompaction());
        assertEquals(ServerConfig.Threading.PLATFORM, c.threading());
        assertEquals(1024, c.storeOptions().maxKeySize(), "what the file does not set keeps its default");
        assertEquals(null, c.requirePass());
    }

    @Test
    void maxOutputBufferOnTheCommandLineWinsOverTheFilesClientOutputBufferLimit() throws IOException {
        Path conf = file("toykv.conf", "client-output-buffer-limit 64mb\n");
        assertEquals(
                64L << 20, parse(Map.of(), "--config", conf.toString()).config().maxOutputBuffer());
        assertEquals(
                8L << 20,
                parse(Map.of(), "--config", conf.toString(), "--max-output-buffer", "8")
                        .config()
                        .maxOutputBuffer(),
                "the option wins over the file");
        assertEquals(
                1L << 20,
                parse(
                                Map.of(),
                                "--config",
                                conf.toString(),
                                "--max-output-buffer",
                                "8",
                                "--client-output-buffer-limit",
                                "1mb")
                        .config()
                        .maxOutputBuffer(),
                "both as options: the Redis name wins");
    }

    @Test
    void theExampleConfigFileGivesTheDefaults() {
        ServerConfig c = parse(
                        Map.of(),
                        "--config",
                        Path.of("..", "deploy", "toykv.conf").toString())
                .config();
        assertEquals(ServerConfig.DEFAULT_PORT, c.port());
        assertEquals(Path.of("./toydb"), c.dir());
        assertEquals(SyncMode.EVERY_SECOND, c.storeOptions().syncMode());
        assertEquals(null, c.requirePass());
    }

    @Test
    void valuesFromTheFileAreTakenLiterally() throws IOException {
        Path conf = file("toykv.conf", "requirepass \"${env:HOME}$x\"\ndir '${DEFAULT-VALUE}'\n");
        ServerConfig c = parse(Map.of(), "--config", conf.toString()).config();
        assertEquals("${env:HOME}$x", c.requirePass());
        assertEquals(Path.of("${DEFAULT-VALUE}"), c.dir());
    }

    @Test
    void passwordPrecedenceIsOptionThenFileOptionThenEnvironmentThenConfigFile() throws IOException {
        Path conf = file("toykv.conf", "requirepass from-config\n");
        Path pass = file("pass", "from-file\n");
        Map<String, String> env = Map.of(ServerMain.PASSWORD_VARIABLE, "from-env");
        assertEquals(
                "from-config",
                parse(Map.of(), "--config", conf.toString()).config().requirePass());
        assertEquals(
                "from-config",
                parse(Map.of(ServerMain.PASSWORD_VARIABLE, ""), "--config", conf.toString())
                        .config()
                        .requirePass(),
                "an empty variable is no password");
        assertEquals(
                "from-env", parse(env, "--config", conf.toString()).config().requirePass());
        assertEquals("from-env", parse(env).config().requirePass());
        assertEquals(
                "from-file",
                parse(env, "--config", conf.toString(), "--requirepass-file", pass.toString())
                        .config()
                        .requirePass());
        assertEquals(
                "from-option",
                parse(env, "--config", conf.toString(), "--requirepass", "from-option")
                        .config()
                        .requirePass());
        assertEquals(null, parse(Map.of()).config().requirePass());
    }

    @Test
    void aPasswordFileOthersMayReadIsAWarning() throws IOException {
        Path pass = file("pass", "s3cret\n");
        Assumptions.assumeTrue(
                pass.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        ServerMain main = parse(Map.of(), "--requirepass-file", pass.toString());
        assertEquals("s3cret", main.config().requirePass());
        assertEquals(List.of(), main.warnings);
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-r--r--"));
        main = parse(Map.of(), "--requirepass-file", pass.toString());
        assertEquals("s3cret", main.config().requirePass());
        assertEquals(
                List.of("the password file " + pass + " may be read by other users (chmod 600 it)"), main.warnings);
    }

    /** Each case fails before the store opens, with one message naming the file and line or the option. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBadConfigFileOrPasswordFileIsAUsageErrorNamingFileAndLine() throws IOException {
        Path conf = dir.resolve("toykv.conf");
        Path pass = dir.resolve("pass");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(
                "port 6380\ninclude other.conf\n",
                "Bad configuration file " + conf + ", line 2: unknown directive 'include'");
        cases.put("\n\nconfig other.conf\n", "Bad configuration file " + conf + ", line 3: unknown directive 'config'");
        cases.put("requirepass-file /etc/passwd\n", "line 1: unknown directive 'requirepass-file'");
        cases.put("help yes\n", "line 1: unknown directive 'help'");
        cases.put("--port 1\n", "line 1: unknown directive '--port'");
        cases.put("save 900 1\n", "line 1: unknown directive 'save'");
        cases.put("bind 127.0.0.1 ::1\n", "line 1: 'bind' takes one argument, not 2");
        cases.put("port\n", "line 1: 'port' takes one argument, not 0");
        cases.put("port abc\n", "line 1: Invalid value for option '--port': 'abc' is not an int");
        cases.put("port 99999999999\n", "line 1: Invalid value for option '--port'");
        cases.put("appendfsync sometimes\n", "line 1: Invalid value for option '--sync'");
        cases.put("verbose maybe\n", "line 1: 'verbose' takes yes or no, not 'maybe'");
        cases.put(
                "# ok\nmaxclients 0\n",
                "Invalid value for option '--max-clients': maxClients must be positive, was 0 (" + conf + ", line 2)");
        cases.put(
                "segment-size 1\n",
                "Invalid value for option '--segment-size': 1 MiB is smaller than the staging buffer");
        cases.put(
                "requirepass \"unterminated\n",
                "Invalid value for option '--config': " + conf + ", line 1: unbalanced quotes");
        cases.put(
                "\u00ff\u00fe garbage \u0001\n",
                "Invalid value for option '--config': " + conf + ", line 1: control character 0x01");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(conf, c.getKey());
            assertUsageError(c.getValue(), "--config", conf.toString());
        }
        Files.write(conf, new byte[] {'p', 'o', 'r', 't', ' ', (byte) 0x80, '\n'});
        assertUsageError(conf + ", line 1: not UTF-8 text", "--config", conf.toString());
        assertUsageError(
                "Invalid value for option '--config': cannot read configuration file " + dir.resolve("none")
                        + ": no such file",
                "--config",
                dir.resolve("none").toString());

        Files.writeString(pass, "\n");
        assertUsageError(
                "Invalid value for option '--requirepass-file': password file " + pass
                        + " is empty or its first line is",
                "--requirepass-file",
                pass.toString());
        assertUsageError(
                "Invalid value for option '--requirepass-file': cannot read password file " + dir.resolve("none")
                        + ": no such file",
                "--requirepass-file",
                dir.resolve("none").toString());
        Files.writeString(pass, "s3cret\n");
        assertUsageError(
                "Give either --requirepass or --requirepass-file, not both",
                "--requirepass",
                "x",
                "--requirepass-file",
                pass.toString());
    }

    private void assertUsageError(String expected, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = ServerMain.commandLine();
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("--dir", dir.resolve("never").toString(), "--port", "0"));
        all.addAll(List.of(args));
        int code = cl.execute(all.toArray(String[]::new));
        String message = err.toString();
        assertEquals(2, code, message);
        assertTrue(message.contains(expected), "expected " + expected + " in: " + message);
        assertFalse(message.contains("Exception") || message.contains("\tat "), message);
        assertTrue(Files.notExists(dir.resolve("never")), "no store is opened");
    }

    @Test
    void bufferLimitsComeFromTheCommandLineInRedisUnits() {
        CommandLine cl = ServerMain.commandLine();
        cl.parseArgs(
                "--max-value-size",
                "1048576",
                "--client-query-buffer-limit",
                "64mb",
                "--client-output-buffer-limit",
                "8mb",
                "--maxmemory-clients",
                "10%");
        ServerConfig config = ((ServerMain) cl.getCommand()).config();
        assertEquals(64L << 20, config.limits().maxRequestBytes());
        assertEquals(8L << 20, config.maxOutputBuffer());
        assertEquals((long) (Runtime.getRuntime().maxMemory() * 0.1), config.maxMemoryClients());
        CommandLine defaults = ServerMain.commandLine();
        defaults.parseArgs();
        ServerConfig d = ((ServerMain) defaults.getCommand()).config();
        assertEquals((long) (Runtime.getRuntime().maxMemory() * 0.125), d.maxMemoryClients());
        assertEquals(512L << 20, d.limits().maxBulkLength());
        assertEquals((512L << 20) + 1024, d.maxOutputBuffer(), "one reply of the largest value fits");
        assertEquals((1L << 30) + 1024, d.limits().maxRequestBytes(), "a SET of the largest key and value fits");
    }
}
