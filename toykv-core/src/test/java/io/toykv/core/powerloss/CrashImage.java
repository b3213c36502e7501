package io.toykv.core.powerloss;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The state of a {@link SimulatedDisk} at one crash point, from which {@link #state} builds the
 * directory trees a power loss there could leave.
 */
public final class CrashImage {
    static final int SECTOR = 512;

    /** A file's (or directory's) durable bytes and its page-cache bytes. */
    record FileImage(boolean directory, byte[] durable, byte[] pageCache) {}

    /** How the unforced parts are chosen. */
    public enum Mode {
        /** Every unforced byte and directory change lost. */
        ALL_LOST,
        /** Every one kept (what a kill -9 leaves). */
        ALL_KEPT,
        /**
         * A random prefix of each directory's unforced changes; each unforced page lost, kept, or torn
         * (a random mix of its 512-byte sectors, old and new).
         */
        SAMPLED
    }

    private final Map<Path, SimulatedDisk.Inode> durableNames;
    private final Map<Path, List<SimulatedDisk.NameChange>> pending;
    private final Map<SimulatedDisk.Inode, FileImage> images;

    CrashImage(
            Map<Path, SimulatedDisk.Inode> durableNames,
            Map<Path, List<SimulatedDisk.NameChange>> pending,
            Map<SimulatedDisk.Inode, FileImage> images) {
        this.durableNames = durableNames;
        this.pending = pending;
        this.images = images;
    }

    /** Whether anything is unforced: if not, every mode gives the same state. */
    public boolean allDurable() {
        if (!pending.isEmpty()) {
            return false;
        }
        for (FileImage f : images.values()) {
            if (!Arrays.equals(f.durable, f.pageCache)) {
                return false;
            }
        }
        return true;
    }

    /** One state a power loss could leave; {@code random} picks for {@link Mode#SAMPLED}. */
    public CrashState state(Mode mode, Random random) {
        Map<Path, SimulatedDisk.Inode> names = new TreeMap<>(durableNames);
        for (List<SimulatedDisk.NameChange> changes : pending.values()) {
            int keep = switch (mode) {
                case ALL_LOST -> 0;
                case ALL_KEPT -> changes.size();
                case SAMPLED -> random.nextInt(changes.size() + 1);
            };
            changes.subList(0, keep).forEach(c -> c.applyTo(names));
        }
        List<CrashState.Entry> entries = new ArrayList<>();
        CRC32C crc = new CRC32C();
        for (Map.Entry<Path, SimulatedDisk.Inode> e : names.entrySet()) { // parents sort before children
            Path p = e.getKey();
            if (p.getParent() != null && !names.containsKey(p.getParent())) {
                continue; // its directory's entry was lost
            }
            FileImage image = images.get(e.getValue());
            byte[] bytes = image.directory ? null : contents(image, mode, random);
            entries.add(new CrashState.Entry(p, bytes));
            crc.update(p.toString().getBytes(StandardCharsets.UTF_8));
            crc.update(bytes == null ? new byte[] {1} : bytes);
            crc.update(new byte[] {0});
        }
        return new CrashState(entries, crc.getValue());
    }

    static byte[] contents(FileImage f, Mode mode, Random random) {
        byte[] old = f.durable;
        byte[] now = f.pageCache;
        if (mode == Mode.ALL_LOST || Arrays.equals(old, now)) {
            return old;
        }
        if (mode == Mode.ALL_KEPT) {
            return now;
        }
        int length = old.length;
        byte[] out = Arrays.copyOf(old, Math.max(old.length, now.length));
        for (int page = 0; page < out.length; page += SimulatedDisk.PAGE) {
            int end = Math.min(out.length, page + SimulatedDisk.PAGE);
            if (Arrays.equals(
                            old,
                            Math.min(page, old.length),
                            Math.min(end, old.length),
                            now,
                            Math.min(page, now.length),
                            Math.min(end, now.length))
                    && end <= Math.min(old.length, now.length)) {
                continue;
            }
            int choice = random.nextInt(10);
            if (choice < 4) {
                continue; // the page keeps its durable bytes
            }
            for (int sector = page; sector < end; sector += SECTOR) {
                if (choice < 8 || random.nextBoolean()) { // kept whole, or torn: some sectors new
                    int to = Math.min(end, sector + SECTOR);
                    Arrays.fill(out, sector, to, (byte) 0);
                    if (sector < now.length) {
                        System.arraycopy(now, sector, out, sector, Math.min(to, now.length) - sector);
                    }
                    if (to > length && sector < now.length) {
                        length = Math.min(to, now.length);
                    }
                }
            }
        }
        return Arrays.copyOf(out, length);
    }

    /** A directory tree a crash could leave, to be written out with {@link #writeTo}. */
    public record CrashState(List<Entry> entries, long checksum) {
        /** A file (with its bytes) or a directory (null bytes), relative to the root. */
        public record Entry(Path path, byte[] bytes) {}

        /** Writes the tree under {@code dir} (which must exist and be empty). */
        public void writeTo(Path dir) throws IOException {
            for (Entry e : entries) {
                Path p = dir.resolve(e.path.toString());
                if (e.bytes == null) {
                    Files.createDirectories(p);
                } else {
                    Files.write(p, e.bytes);
                }
            }
        }

        /** The bytes of {@code path} in this state, or null if it has no such file. */
        public byte[] file(String path) {
            for (Entry e : entries) {
                if (e.path.toString().equals(path)) {
                    return e.bytes;
                }
            }
            return null;
        }
    }
}
