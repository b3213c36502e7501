package io.toykv.server.command;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * INFO's memory, cpu and replication sections, with Redis's field names and values from the JVM and
 * the operating system: used_memory is the heap in use, used_memory_rss the process's resident set
 * (Linux's /proc/self/statm; the committed heap elsewhere), used_memory_peak the heap pools' peak,
 * used_memory_dataset what the store holds in memory (its index and write buffers); CPU seconds from
 * /proc/self/stat (user and system), else the JVM's process CPU time as user time.
 */
final class InfoSections {
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    /** A replication id as Redis makes one at start: 40 random hex digits. */
    private final String replicationId;

    InfoSections() {
        StringBuilder sb = new StringBuilder(40);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 40; i++) {
            sb.append(Character.forDigit(random.nextInt(16), 16));
        }
        replicationId = sb.toString();
    }

    Map<String, Object> memory(Map<String, Object> store, long clientBuffers) {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        peak = Math.max(peak, used);
        long rss = residentBytes(rt.totalMemory());
        long dataset = asLong(store.get("index_bytes")) + asLong(store.get("buffer_bytes"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("used_memory", used);
        m.put("used_memory_human", human(used));
        m.put("used_memory_rss", rss);
        m.put("used_memory_rss_human", human(rss));
        m.put("used_memory_peak", peak);
        m.put("used_memory_peak_human", human(peak));
        m.put("used_memory_peak_perc", String.format(Locale.ROOT, "%.2f%%", peak == 0 ? 0.0 : 100.0 * used / peak));
        m.put("used_memory_dataset", dataset);
        m.put("total_system_memory", totalSystemMemory());
        m.put("total_system_memory_human", human(totalSystemMemory()));
        m.put("jvm_heap_max", rt.maxMemory());
        m.put("jvm_heap_committed", rt.totalMemory());
        m.put("maxmemory", 0);
        m.put("maxmemory_human", "0B");
        m.put("maxmemory_policy", "noeviction");
        m.put("mem_fragmentation_ratio", String.format(Locale.ROOT, "%.2f", used == 0 ? 0.0 : (double) rss / used));
        m.put("mem_clients_normal", clientBuffers);
        m.put("mem_clients_slaves", 0);
        m.put("mem_allocator", "jvm");
        return m;
    }

    Map<String, Object> cpu() {
        double[] userSystem = cpuSeconds();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("used_cpu_sys", seconds(userSystem[1]));
        m.put("used_cpu_user", seconds(userSystem[0]));
        m.put("used_cpu_sys_children", seconds(0));
        m.put("used_cpu_user_children", seconds(0));
        return m;
    }

    Map<String, Object> replication() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "master");
        m.put("connected_slaves", 0);
        m.put("master_failover_state", "no-failover");
        m.put("master_replid", replicationId);
        m.put("master_replid2", "0".repeat(40));
        m.put("master_repl_offset", 0);
        m.put("second_repl_offset", -1);
        m.put("repl_backlog_active", 0);
        m.put("repl_backlog_size", 1048576);
        m.put("repl_backlog_first_byte_offset", 0);
        m.put("repl_backlog_histlen", 0);
        return m;
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.6f", s);
    }

    /** Redis's bytesToHuman: 100B, 1.50K, 2.00M, 3.00G. */
    static String human(long n) {
        String[] units = {"K", "M", "G", "T", "P"};
        if (n < 1024) {
            return n + "B";
        }
        double d = n;
        int unit = -1;
        while (d >= 1024 && unit < units.length - 1) {
            d /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", d, units[unit]);
    }

    private static long asLong(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static long residentBytes(long fallback) {
        try {
            String[] fields = Files.readString(Path.of("/proc/self/statm"), StandardCharsets.US_ASCII)
                    .trim()
                    .split(" ");
            return Long.parseLong(fields[1]) * 4096;
        } catch (IOException | RuntimeException e) {
            return fallback; // not Linux: the committed heap is the nearest figure
        }
    }

    private static long totalSystemMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /** User and system CPU seconds of this process. */
    private static double[] cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
            // Fields after the command name in parentheses (which may hold spaces): utime is the 14th
            // field of the line, stime the 15th, i.e. the 12th and 13th after ") ".
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new double[] {
                Long.parseLong(f[11]) / (double) CLOCK_TICKS_PER_SECOND,
                Long.parseLong(f[12]) / (double) CLOCK_TICKS_PER_SECOND
            };
        } catch (IOException | RuntimeException e) {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return new double[] {Math.max(0, os.getProcessCpuTime()) / 1e9, 0};
            }
            return new double[] {0, 0};
        }
    }
}
