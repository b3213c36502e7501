package io.toykv.bench.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's {@code write_bytes} from {@code /proc/self/io}: bytes it caused to be sent to the storage
 * layer, counted by the kernel when a page is first dirtied (write(), a store through a shared mapping) or
 * written with O_DIRECT, summed over all threads including RocksDB's background ones. -1 where the file
 * does not exist (not Linux) or the kernel has no task I/O accounting.
 */
public final class ProcIo {
    private static final Path FILE = Path.of("/proc/self/io");

    private ProcIo() {}

    public static long writeBytes() {
        try {
            return parse(Files.readString(FILE), "write_bytes");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The value of {@code field} in text of {@code /proc/<pid>/io} form ({@code name: value} lines). */
    static long parse(String text, String field) {
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(field)) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        throw new IllegalArgumentException("no " + field + " in /proc/self/io");
    }
}
