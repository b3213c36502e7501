package io.toykv.core.engine;

import io.toykv.core.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * {@code databases.map}: which directory holds each numbered database of a store. Little-endian:
 *
 * <pre>
 * 0      4  magic 0x4D42444B ("KDBM" little-endian)
 * 4      4  version (1)
 * 8      4  database count n (1..{@link #MAX_DATABASES})
 * 12     4n for each database in number order, the number of the directory that holds it: 0 is the
 *           store directory itself, d the directory {@code databases/db-d}; a permutation of 0..n-1
 * 12+4n  4  crc32c of bytes 0..12+4n
 * </pre>
 *
 * Absent, database d is in directory d (so a store made without databases has its keys in database 0).
 * Written only when two databases are swapped: a temp file that is forced, renamed into place, then a
 * force of the directory, so a crash leaves the old map or the new one, never a mix.
 */
public final class DatabaseMap {
    public static final String FILE = "databases.map";
    public static final int MAX_DATABASES = 65536;
    private static final int MAGIC = 0x4D42444B;
    private static final int VERSION = 1;

    private DatabaseMap() {}

    /** The directory of database directory number {@code d} in the store at {@code storeDir}. */
    public static Path directory(Path storeDir, int d) {
        return d == 0 ? storeDir : storeDir.resolve("databases").resolve("db-" + d);
    }

    /**
     * The map of the store at {@code dir} for {@code count} databases: the stored one, extended by the
     * identity for numbers it does not cover.
     *
     * @throws CorruptionException the file is damaged or not a permutation
     */
    public static int[] read(Path dir, int count) throws IOException {
        Path file = dir.resolve(FILE);
        int[] map = new int[count];
        for (int i = 0; i < count; i++) {
            map[i] = i;
        }
        if (!Files.exists(file)) {
            return map;
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 16) {
            throw new CorruptionException(file, 0, "database map of " + bytes.length + " bytes (at least 16)");
        }
        if (b.getInt(0) != MAGIC) {
            throw new CorruptionException(file, 0, "not a database map (bad magic)");
        }
        if (b.getInt(4) != VERSION) {
            throw new CorruptionException(
                    file, 4, "database map version " + b.getInt(4) + " (this build reads " + VERSION + ")");
        }
        int n = b.getInt(8);
        if (n < 1 || n > MAX_DATABASES || bytes.length != 16 + 4L * n) {
            throw new CorruptionException(
                    file, 8, "database count " + n + " does not fit a file of " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 12 + 4 * n);
        if ((int) crc.getValue() != b.getInt(12 + 4 * n)) {
            throw new CorruptionException(file, 12 + 4L * n, "database map checksum mismatch");
        }
        int[] stored = new int[n];
        for (int i = 0; i < n; i++) {
            stored[i] = b.getInt(12 + 4 * i);
        }
        int bad = notPermuted(stored);
        if (bad >= 0) {
            throw new CorruptionException(
                    file,
                    12 + 4L * bad,
                    "database " + bad + " maps to directory " + stored[bad] + " (not a permutation of 0.." + (n - 1)
                            + ")");
        }
        if (n >= count) {
            return stored;
        }
        System.arraycopy(stored, 0, map, 0, n);
        return map;
    }

    /**
     * The first database of {@code map} whose directory makes it no permutation of 0..n-1 (out of range,
     * or a directory an earlier database has), or -1 if it is one.
     */
    public static int notPermuted(int[] map) {
        boolean[] seen = new boolean[map.length];
        for (int i = 0; i < map.length; i++) {
            int d = map[i];
            if (d < 0 || d >= map.length || seen[d]) {
                return i;
            }
            seen[d] = true;
        }
        return -1;
    }

    /** Replaces the map of the store at {@code dir} with {@code map}, durably (see the class comment). */
    public static void write(Path dir, int[] map) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + 4 * map.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putInt(map.length);
        for (int d : map) {
            b.putInt(d);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        StoreManifest.writeDurably(dir.resolve(FILE), b);
    }
}
