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
 * 4  4  format version (1)
 * 8  4  shard count
 * 12 4  crc32c of bytes 0..12
 * </pre>
 *
 * Written once, as a temp file that is forced, renamed into place, and followed by a force of the
 * directory, so a crash leaves either no manifest (an empty new store) or a whole one.
 */
final class StoreManifest {
    static final int MAGIC = 0x4D564B54;
    static final int VERSION = 1;
    static final int SIZE = 16;

    private StoreManifest() {
    }

    /** The shard count of the store in {@code dir}, or -1 if it has no manifest yet. */
    static int readShards(Path dir) throws IOException {
        Path file = dir.resolve(FileNames.MANIFEST);
        if (!Files.exists(file)) {
            return -1;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != SIZE) {
            throw new CorruptionException(file, 0, "manifest has " + bytes.length + " bytes, expected " + SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != MAGIC) {
            throw new CorruptionException(file, 0, "not a toykv store manifest (bad magic)");
        }
        if (b.getInt(4) != VERSION) {
            throw new CorruptionException(file, 4, "unsupported store format version " + b.getInt(4));
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
        return shards;
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
