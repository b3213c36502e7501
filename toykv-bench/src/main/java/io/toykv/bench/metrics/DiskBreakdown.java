package io.toykv.bench.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a directory's bytes go, by file kind (the name's suffix: {@code .v}, {@code .k}, {@code .b}, ...):
 * file count, apparent size (the files' lengths) and allocated blocks. Uses {@code find -printf}, since
 * Java cannot read a file's block count; returns an empty breakdown where that fails.
 */
public final class DiskBreakdown {
    /** Totals for one kind of file. */
    public record Kind(int files, long apparentBytes, long allocatedBytes) {
        Kind plus(long apparent, long allocated) {
            return new Kind(files + 1, apparentBytes + apparent, allocatedBytes + allocated);
        }
    }

    private DiskBreakdown() {}

    /** Totals by suffix, in suffix order. */
    public static Map<String, Kind> of(Path dir) {
        Map<String, Kind> kinds = new TreeMap<>();
        try {
            Process p = new ProcessBuilder("find", dir.toString(), "-type", "f", "-printf", "%f %s %b\\n").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            for (String line : out.split("\n")) {
                String[] f = line.split(" ");
                if (f.length != 3) {
                    continue;
                }
                int dot = f[0].lastIndexOf('.');
                String kind = dot < 0 ? f[0] : f[0].substring(dot);
                long blocks512 = Long.parseLong(f[2]); // find's %b counts 512-byte blocks
                kinds.merge(
                        kind,
                        new Kind(1, Long.parseLong(f[1]), blocks512 * 512),
                        (a, b) -> a.plus(b.apparentBytes(), b.allocatedBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return kinds;
    }

    /** One line per kind: files, apparent and allocated MiB, allocated as a share of {@code liveBytes}. */
    public static String describe(Map<String, Kind> kinds, long liveBytes) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Kind> e : kinds.entrySet()) {
            Kind k = e.getValue();
            sb.append(String.format(
                    Locale.ROOT,
                    "%-6s %4d files, %8.1f MiB apparent, %8.1f MiB allocated (%.3f of live)%n",
                    e.getKey(),
                    k.files(),
                    k.apparentBytes() / 1048576.0,
                    k.allocatedBytes() / 1048576.0,
                    k.allocatedBytes() / (double) liveBytes));
        }
        return sb.toString();
    }
}
