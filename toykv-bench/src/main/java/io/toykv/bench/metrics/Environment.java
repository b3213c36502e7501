package io.toykv.bench.metrics;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** What the figures were measured on, printed before them (as dain/leveldb's benchmark does). */
public final class Environment {
    private Environment() {}

    /** Name-value lines describing the machine, the JVM and the file system of {@code dataDir}. */
    public static Map<String, String> describe(Path dataDir) {
        Map<String, String> m = new LinkedHashMap<>();
        Runtime rt = Runtime.getRuntime();
        m.put(
                "cpu",
                firstValue(Path.of("/proc/cpuinfo"), "model name") + ", " + rt.availableProcessors()
                        + " available processors");
        m.put("memory", gib(meminfoBytes("MemTotal")) + " total, " + gib(meminfoBytes("MemAvailable")) + " available");
        m.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        m.put(
                "jvm",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vendor") + ")");
        m.put("jvm args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        m.put("max heap", gib(rt.maxMemory()));
        m.put("data dir", dataDir.toAbsolutePath().toString());
        try {
            FileStore fs = Files.getFileStore(existingAncestor(dataDir));
            m.put(
                    "file system",
                    fs.type() + " on " + fs.name() + ", " + gib(fs.getUsableSpace()) + " free" + rotational(fs.name()));
        } catch (IOException e) {
            m.put("file system", "unknown (" + e.getMessage() + ")");
        }
        m.put("assertions", assertionsEnabled() ? "ENABLED" : "disabled");
        return m;
    }

    public static void print(PrintStream out, Path dataDir) {
        describe(dataDir).forEach((k, v) -> out.printf(Locale.ROOT, "%-12s %s%n", k + ":", v));
        if (assertionsEnabled()) {
            out.println("WARNING: assertions are enabled (-ea); figures will be slower than in production");
        }
        if (ProcIo.writeBytes() < 0) {
            out.println("WARNING: /proc/self/io is unreadable; write amplification will be blank");
        }
    }

    @SuppressWarnings("AssertWithSideEffects")
    public static boolean assertionsEnabled() {
        boolean enabled = false;
        assert enabled = true;
        return enabled;
    }

    private static Path existingAncestor(Path p) {
        Path a = p.toAbsolutePath();
        while (a != null && !Files.exists(a)) {
            a = a.getParent();
        }
        return a == null ? Path.of("/") : a;
    }

    /** ", SSD" or ", rotational" for a /dev/vdX-like device whose queue says so; empty when unknown. */
    private static String rotational(String device) {
        if (!device.startsWith("/dev/")) {
            return "";
        }
        String name = device.substring(5).replaceAll("p?\\d+$", "");
        try {
            String r = Files.readString(Path.of("/sys/block", name, "queue", "rotational"))
                    .trim();
            return r.equals("0") ? ", non-rotational (SSD or virtual disk)" : ", rotational";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String firstValue(Path file, String key) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long meminfoBytes(String key) {
        String v = firstValue(Path.of("/proc/meminfo"), key);
        try {
            return Long.parseLong(v.replace("kB", "").trim()) * 1024;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String gib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
