package io.toykv.core;

import io.toykv.core.io.Directories;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * {@code toykv.meta}: what a store is, fixed at creation. Sixteen bytes, little-endian:
 *
 * <pre>
 * 0  4  magic 0x4D564B54 ("TKVM" little-endian)
 * 4  4  format version (3; 1 and 2 are read and upgraded, below)
 * 8  4  shard count
 * 12 4  crc32c of bytes 0..12
 * </pre>
 *
 * Written as a temp file that is forced, renamed into place, and followed by a force of the
 * directory, so a crash leaves either no manifest (an empty new store) or a whole one: once at
 * creation, and once more when an older store is first opened. Version 2 value records do not
 * store their keys ({@link io.toykv.core.log.ValueRecord}); a version 1 store's records all do, and
 * are read as they are. Version 3 buffers have two halves ({@link io.toykv.core.log.ValueBuffer}); an
 * older one is written to its segment and replaced at open. Bumping the version on that first open is
 * what makes an older build refuse the store instead of failing on the new records or buffer.
 */
final class StoreManifest {
    static final int MAGIC = 0x4D564B54;
    static final int VERSION = 3;
    /** The oldest version this build opens (upgrading it to {@link #VERSION}). */
    static final int OLDEST_READABLE = 1;
    static final int SIZE = 16;

    private StoreManifest() {
    }

    /** What a manifest says: the shard count and the format version. */
    record Contents(int shards, int version) {
    }

    /** The manifest of the store in {@code dir}, or null if it has none yet. */
    static Contents read(Path dir) throws IOException {
        Path file = dir.resolve(FileNames.MANIFEST);
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != SIZE) {
            throw new CorruptionException(file, 0, "manifest has " + bytes.length + " bytes, expected " + SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != MAGIC) {
            throw new CorruptionException(file, 0, "not a toykv store manifest (bad magic)");
        }
        int version = b.getInt(4);
        if (version < OLDEST_READABLE || version > VERSION) {
            throw new CorruptionException(file, 4, "unsupported store format version " + version
                    + (version > VERSION ? " (written by a newer toykv)" : ""));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 12);
        if ((int) crc.getValue() != b.getInt(12)) {
            throw new CorruptionException(file, 12, "manifest checksum mismatch");
        }
        int shards = b.getInt(8);
        if (shards < 1 || shards > StoreOptions.MAX_SHARDS) {
            throw new CorruptionException(file, 8, "impossible shard count " + shards);
        }
        return new Contents(shards, version);
    }

    static void write(Path dir, int shards) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, shards);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 12);
        b.putInt(12, (int) crc.getValue());
        Path file = dir.resolve(FileNames.MANIFEST);
        Path temp = FileNames.temp(file);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        Directories.force(dir);
    }
}
