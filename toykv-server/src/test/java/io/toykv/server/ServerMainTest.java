package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
            List<String> all = new ArrayList<>(List.of("--dir", dir.resolve("never").toString()));
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
        cl.parseArgs("--shards", "8", "--segment-size", "64", "--gc-space-target", "1.5", "--gc-threads", "3", "--no-auto-gc",
                "--max-key-size", "100", "--sync", "always", "--threads", "PLATFORM", "--port", "0");
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

    @Test
    void bufferLimitsComeFromTheCommandLineInRedisUnits() {
        CommandLine cl = ServerMain.commandLine();
        cl.parseArgs("--client-query-buffer-limit", "64mb", "--client-output-buffer-limit", "8mb",
                "--maxmemory-clients", "10%");
        ServerConfig config = ((ServerMain) cl.getCommand()).config();
        assertEquals(64L << 20, config.limits().maxRequestBytes());
        assertEquals(8L << 20, config.maxOutputBuffer());
        assertEquals((long) (Runtime.getRuntime().maxMemory() * 0.1), config.maxMemoryClients());
        CommandLine defaults = ServerMain.commandLine();
        defaults.parseArgs();
        ServerConfig d = ((ServerMain) defaults.getCommand()).config();
        assertEquals((long) (Runtime.getRuntime().maxMemory() * 0.125), d.maxMemoryClients());
        assertEquals(256L << 20, d.maxOutputBuffer());
    }
}
