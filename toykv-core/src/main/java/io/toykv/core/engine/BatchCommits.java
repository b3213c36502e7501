package io.toykv.core.engine;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * {@code batches.log}: the commit records of atomic batches, one file for the store. An atomic batch
 * counts (its ATOMIC_PART records in the shards' keys logs are replayed) only if its id is here.
 * Little-endian:
 *
 * <pre>
 * header (16 bytes):
 * 0   4  magic 0x43564B54 ("TKVC" little-endian)
 * 4   4  version, 1
 * 8   4  reserved, 0
 * 12  4  crc32c of bytes 0..12
 * then commit records, 12 bytes each, packed:
 * 0   8  batch id (at least 1)
 * 8   4  crc32c of bytes 0..8
 * </pre>
 *
 * A commit record is appended, and the file forced, only once every part of its batch is durable in its
 * shard's keys log, so a commit here means every part survives. Records are in commit order, which is not
 * id order (batches on different shards commit concurrently). A short or bad last record is a torn write
 * (a power loss during the append, never acknowledged): it is cut off. A bad record before the last is
 * corruption. The file is created whole (temp file, force, rename, directory force).
 */
public final class BatchCommits implements AutoCloseable {
    public static final int MAGIC = 0x43564B54;
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 16;
    public static final int RECORD_SIZE = 12;

    private final Path path;
    private final FileChannel channel;
    /** The committed ids, sorted; guarded by this. */
    private long[] ids;

    private int count;
    private long maxId;
    private long end;

    private BatchCommits(Path path, FileChannel channel, long[] ids, int count, long end) {
        this.path = path;
        this.channel = channel;
        this.ids = ids;
        this.count = count;
        this.end = end;
        for (int i = 0; i < count; i++) {
            maxId = Math.max(maxId, ids[i]);
        }
    }

    /**
     * Opens the store's commit file, creating it (empty) if it is missing and {@code mayCreate}.
     *
     * @throws CorruptionException the file is missing (and may not be created), or damaged
     */
    public static BatchCommits open(Path storeDir, boolean mayCreate) throws IOException {
        Path path = FileNames.batchCommits(storeDir);
        if (!Files.exists(path)) {
            if (!mayCreate) {
                throw new CorruptionException(path, 0, "the atomic batch commit file is missing");
            }
            create(path);
        }
        FileChannel channel = FileIo.of(path).open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            return read(path, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void create(Path path) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putInt(VERSION).putInt(0).putInt(crc(header.array(), 0, 12));
        header.flip();
        StoreManifest.writeDurably(path, header);
    }

    private static BatchCommits read(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < HEADER_SIZE) {
            throw new CorruptionException(path, 0, "atomic batch commit file of " + size + " bytes has no header");
        }
        if (size > Integer.MAX_VALUE) {
            throw new CorruptionException(path, 0, "atomic batch commit file of " + size + " bytes is too large");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && channel.read(b, b.position()) >= 0) {
            // read until full
        }
        byte[] bytes = b.array();
        if (b.getInt(0) != MAGIC) {
            throw new CorruptionException(path, 0, "bad magic in atomic batch commit file");
        }
        if (b.getInt(4) != VERSION) {
            throw new CorruptionException(path, 4, "unsupported atomic batch commit file version " + b.getInt(4));
        }
        if (b.getInt(12) != crc(bytes, 0, 12)) {
            throw new CorruptionException(path, 12, "atomic batch commit file header checksum mismatch");
        }
        int n = (int) ((size - HEADER_SIZE) / RECORD_SIZE);
        long[] ids = new long[Math.max(16, n)];
        int count = 0;
        for (int i = 0; i < n; i++) {
            int pos = HEADER_SIZE + i * RECORD_SIZE;
            long id = b.getLong(pos);
            if (b.getInt(pos + 8) != crc(bytes, pos, 8) || id < 1) {
                if (i < n - 1) {
                    throw new CorruptionException(path, pos, "bad atomic batch commit record");
                }
                n = i; // a torn last record
                break;
            }
            ids[count++] = id;
        }
        // A torn last record past the end is left where it is: the next commit overwrites it, and until
        // then every open stops before it in the same way.
        long end = HEADER_SIZE + (long) n * RECORD_SIZE;
        Arrays.sort(ids, 0, count);
        return new BatchCommits(path, channel, ids, count, end);
    }

    /** Whether batch {@code id} committed. */
    public synchronized boolean committed(long id) {
        return Arrays.binarySearch(ids, 0, count, id) >= 0;
    }

    /** The committed ids, sorted. */
    public synchronized long[] ids() {
        return Arrays.copyOf(ids, count);
    }

    /** The highest committed id, 0 for none. */
    public synchronized long maxId() {
        return maxId;
    }

    /** Appends the commit record of batch {@code id} and forces the file: from here the batch counts. */
    public synchronized void commit(long id) throws IOException {
        ByteBuffer r = ByteBuffer.allocate(RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        r.putLong(id).putInt(crc(r.array(), 0, 8));
        r.flip();
        long at = end;
        FileIo io = FileIo.of(path);
        while (r.hasRemaining()) {
            at += io.write(channel, path, r, at);
        }
        io.force(channel, path, false);
        end = at;
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
        }
        // Ids are handed out in order and usually commit so: insertion keeps the array sorted cheaply.
        int i = count;
        while (i > 0 && ids[i - 1] > id) {
            ids[i] = ids[i - 1];
            i--;
        }
        ids[i] = id;
        count++;
        maxId = Math.max(maxId, id);
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    Path path() {
        return path;
    }
}
