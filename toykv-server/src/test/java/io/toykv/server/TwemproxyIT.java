package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/twemproxy/demo.sh as a test: three servers from the packaged jar behind nutcracker, 100,000
 * keys written, spread, read back, one server stopped (exactly its keys fail) and restarted (every key
 * reads back). Skipped when nutcracker is not installed.
 */
class TwemproxyIT {
    static final Pattern SPREAD = Pattern.compile("spread: toykv1=(\\d+) toykv2=(\\d+) toykv3=(\\d+) total=(\\d+)");
    static final int KEYS = 100_000;

    @TempDir
    Path dir;

    static Path repoRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("deploy")) ? here : here.getParent();
    }

    static boolean nutcrackerInstalled() {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin";
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "nutcracker"))) {
                return true;
            }
        }
        return false;
    }

    /** A base port whose proxy, three server and stats ports (base, +1..+3, +9) are free now. */
    static int freeBasePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            if (free(base) && free(base + 1) && free(base + 2) && free(base + 3) && free(base + 9)) {
                return base;
            }
        }
        throw new IOException("no free range of ports found between 20000 and 30009");
    }

    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void demoScriptPassesThroughThreeServersAndAnOutage() throws Exception {
        assumeTrue(
                nutcrackerInstalled(),
                "SKIPPED: nutcracker (twemproxy) is not installed; apt-get install -y nutcracker to run TwemproxyIT");
        Path script = repoRoot().resolve("deploy/twemproxy/demo.sh");
        Path log = dir.resolve("demo.log");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), Integer.toString(freeBasePort()))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("TOYKV_DEMO_KEYS", Integer.toString(KEYS));
        pb.environment().put("TMPDIR", dir.toString());
        Process p = pb.start();
        boolean exited = p.waitFor(5, TimeUnit.MINUTES);
        if (!exited) {
            p.destroy(); // SIGTERM: the script's trap stops what it started
            p.waitFor(30, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(exited, "demo.sh did not finish within 5 minutes:\n" + out);
        assertEquals(0, p.exitValue(), "demo.sh failed:\n" + out);
        assertTrue(!out.contains("SKIPPED"), "nutcracker is installed, yet demo.sh skipped:\n" + out);
        assertTrue(out.contains("OK wrote " + KEYS + " keys through the proxy"), out);
        Matcher m = SPREAD.matcher(out);
        assertTrue(m.find(), out);
        assertEquals(KEYS, Integer.parseInt(m.group(4)), out);
        for (int server = 1; server <= 3; server++) {
            int n = Integer.parseInt(m.group(server));
            assertTrue(
                    n > KEYS / 5 && n < KEYS / 2,
                    "toykv" + server + " holds " + n + " keys, not about a third:\n" + out);
        }
        assertTrue(out.contains("OK read back " + KEYS + " keys with GET"), out);
        assertTrue(out.contains("MGETs split over the servers, every value as written"), out);
        assertTrue(out.contains("OK with toykv2 down: " + m.group(2) + " GETs (its keys) answered '-ERR"), out);
        assertTrue(out.contains("OK after the restart every one of the " + KEYS + " keys reads back"), out);
        assertTrue(out.strip().endsWith("PASSED"), out);
    }
}
