package io.toykv.core.engine;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.Directories;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import io.toykv.core.log.KeysFile;
import io.toykv.core.log.KeysLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * {@code shard-NNN/shard.meta}: which store and which shard a shard directory's files belong to, and
 * which keys files its keys log is made of. Forty-four bytes, little-endian:
 *
 * <pre>
 * 0  4  magic 0x53564B54 ("TKVS" little-endian)
 * 4  4  format version (1)
 * 8  8  store id, as in toykv.meta
 * 16 4  shard index (the NNN of the directory it belongs in)
 * 20 4  shard count of the store
 * 24 8  number of the first keys file of the keys log
 * 32 8  number of the last keys file of the keys log
 * 40 4  crc32c of bytes 0..40
 * </pre>
 *
 * <p>Every keys file numbered from the first to the last must exist: the open refuses the store if one
 * is missing. Files past the last may exist after a crash (a roll's new file, made before this file
 * was rewritten to name it; a keys-log rewrite's files, named before it was rewritten to name them:
 * see {@link KeysLog}). Files before the first are the leftovers of a rewrite whose deletes a crash
 * cut short; the first file starts with a CLEAR record, so replay ignores them.
 *
 * <p>Rewritten (temp file, force, atomic rename, force of the directory) when the shard is created,
 * when the keys log rolls to a new file or finishes a rewrite, and at open when what the open found
 * differs from what it says. Written under the shard's write lock, or during the open.
 */
public final class ShardManifest implements KeysLog.Chain {
    public static final String NAME = "shard.meta";
    public static final int MAGIC = 0x53564B54;
    public static final int VERSION = 1;
    public static final int SIZE = 44;

    /** What a shard manifest says. */
    public record Contents(long storeId, int shard, int shards, long firstKeysFile, long lastKeysFile) {}

    private final Path dir;
    private final long storeId;
    private final int shard;
    private final int shards;
    /** What the file said at open, or null when the shard had none (new, or upgraded from version 3). */
    private final Contents recorded;

    public ShardManifest(Path dir, long storeId, int shard, int shards, Contents recorded) {
        this.dir = dir;
        this.storeId = storeId;
        this.shard = shard;
        this.shards = shards;
        this.recorded = recorded;
    }

    /**
     * The shard manifests of a store being created in {@code dir}: makes each shard directory and forces
     * {@code dir}. The caller opens the shards (each makes its files and records its shard manifest,
     * durably) and writes the store manifest last, so that a crash at any point of the creation leaves
     * a directory without a store manifest whose shard directories hold no key record: the next open
     * finishes the creation over them (with a new store id; their values files, which no key record
     * points at, are reused as they are).
     *
     * @throws CorruptionException the directory holds a shard directory that is not such a leftover (it
     *     holds key records, or files a creation does not make, or it is not one of the store's {@code
     *     shards}): a store whose manifest is missing
     */
    public static ShardManifest[] forNewStore(Path dir, int shards) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String name = p.getFileName().toString();
                if (!name.startsWith("shard-")) {
                    continue;
                }
                String problem = notALeftoverOfCreation(dir, p, shards);
                if (problem != null) {
                    throw new CorruptionException(
                            dir.resolve(FileNames.MANIFEST),
                            0,
                            "the store manifest is missing, but " + dir + " holds shard directories (" + name + " "
                                    + problem + ")");
                }
            }
        }
        long storeId = StoreManifest.newStoreId();
        ShardManifest[] m = new ShardManifest[shards];
        for (int i = 0; i < shards; i++) {
            Path shardDir = FileNames.shardDir(dir, i);
            FileIo.of(shardDir).createDirectories(shardDir);
            m[i] = new ShardManifest(shardDir, storeId, i, shards, null);
        }
        // The shard directories before their files and the store manifest: a power loss must not keep
        // the manifest of a store whose directories it lost.
        Directories.force(dir);
        return m;
    }

    /**
     * Why {@code p}, a {@code shard-*} entry of {@code dir}, which has no store manifest, is not what a
     * creation of a store of {@code shards} shards cut short leaves; null if it is. Such a directory
     * holds at most a buffer, segments, temp files, a shard manifest and keys file 1 with no record
     * (nothing past its header but zeros): no key record, so nothing a put acknowledged.
     */
    private static String notALeftoverOfCreation(Path dir, Path p, int shards) throws IOException {
        if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return "is not a directory";
        }
        boolean ours = false;
        for (int i = 0; i < shards && !ours; i++) {
            ours = p.equals(FileNames.shardDir(dir, i));
        }
        if (!ours) {
            return "is not one of the " + shards + " shard directories of a new store";
        }
        try (java.util.stream.Stream<Path> s = Files.list(p)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                String name = f.getFileName().toString();
                long keysFile = FileNames.parseKeysFile(name);
                if (keysFile > 1) {
                    return "holds keys file " + keysFile;
                }
                if (keysFile == 1) {
                    if (!holdsNoRecord(f)) {
                        return "holds key records";
                    }
                } else if (!name.equals(NAME)
                        && !name.equals(FileNames.BUFFER)
                        && FileNames.parseSegment(name) <= 0
                        && !name.endsWith(FileNames.TEMP_SUFFIX)) {
                    return "holds " + name;
                }
            }
        }
        return null;
    }

    /** Whether the keys file {@code f} is all zeros past its header: made, never appended to. */
    private static boolean holdsNoRecord(Path f) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f)) {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            long pos = KeysFile.HEADER_SIZE;
            while (true) {
                b.clear();
                int n = ch.read(b, pos);
                if (n < 0) {
                    return true;
                }
                for (int i = 0; i < n; i++) {
                    if (b.get(i) != 0) {
                        return false;
                    }
                }
                pos += n;
            }
        }
    }

    /**
     * The shard manifests of the store in {@code dir}, as {@code stored} describes it, each checked: it
     * must be there and name this store and its place. A store older than the shard manifests gets a new
     * id (recorded in its manifest once the shards opened) and its shards' manifests at open; one an
     * earlier, failed open left is checked for its place only (its range of keys files is not trusted).
     *
     * @throws CorruptionException a shard directory or its manifest is missing, damaged, or misplaced
     */
    public static ShardManifest[] forExistingStore(Path dir, StoreManifest.Contents stored) throws IOException {
        int shards = stored.shards();
        boolean upgrade = stored.version() < StoreManifest.FIRST_WITH_ID;
        long storeId = upgrade ? StoreManifest.newStoreId() : stored.storeId();
        ShardManifest[] m = new ShardManifest[shards];
        for (int i = 0; i < shards; i++) {
            Path shardDir = FileNames.shardDir(dir, i);
            Contents c;
            if (upgrade) {
                Contents left = Files.isDirectory(shardDir) ? read(shardDir) : null;
                if (left != null) {
                    checkPlace(shardDir, left, i, shards);
                }
                // Left by an earlier upgrade that failed, its range may be stale: an older build may
                // have opened the store since and rewritten its keys log, and trusting the range would
                // delete the rewrite's files as if a crash had cut it short. The open rebuilds the
                // range from the files found, as for a store that never had one, and records it with
                // the new id; it deletes no keys file.
                c = null;
            } else if (!Files.isDirectory(shardDir)) {
                throw new CorruptionException(
                        shardDir,
                        0,
                        "shard directory " + shardDir.getFileName() + " is missing (the store has " + shards
                                + " shards)");
            } else {
                c = check(shardDir, storeId, i, shards);
            }
            m[i] = new ShardManifest(shardDir, storeId, i, shards, c);
        }
        return m;
    }

    public long storeId() {
        return storeId;
    }

    public static Path file(Path shardDir) {
        return shardDir.resolve(NAME);
    }

    /**
     * The shard manifest in {@code shardDir}, or null if it has none.
     *
     * @throws CorruptionException it is truncated, not a shard manifest, of an unknown version, or fails its checksum
     */
    public static Contents read(Path shardDir) throws IOException {
        Path file = file(shardDir);
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 4 || b.getInt(0) != MAGIC) {
            throw new CorruptionException(file, 0, "not a toykv shard manifest (bad magic)");
        }
        if (bytes.length != SIZE) {
            throw new CorruptionException(file, 0, "shard manifest has " + bytes.length + " bytes, expected " + SIZE);
        }
        if (b.getInt(4) != VERSION) {
            throw new CorruptionException(file, 4, "unsupported shard manifest version " + b.getInt(4));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, SIZE - 4);
        if ((int) crc.getValue() != b.getInt(SIZE - 4)) {
            throw new CorruptionException(file, SIZE - 4, "shard manifest checksum mismatch");
        }
        Contents c = new Contents(b.getLong(8), b.getInt(16), b.getInt(20), b.getLong(24), b.getLong(32));
        if (c.shard() < 0 || c.shard() >= c.shards() || c.firstKeysFile() < 1 || c.lastKeysFile() < c.firstKeysFile()) {
            throw new CorruptionException(file, 16, "impossible shard manifest " + c);
        }
        return c;
    }

    public static void write(Path shardDir, Contents c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC)
                .putInt(4, VERSION)
                .putLong(8, c.storeId())
                .putInt(16, c.shard())
                .putInt(20, c.shards())
                .putLong(24, c.firstKeysFile())
                .putLong(32, c.lastKeysFile());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, SIZE - 4);
        b.putInt(SIZE - 4, (int) crc.getValue());
        StoreManifest.writeDurably(file(shardDir), b);
    }

    /**
     * Checks that {@code shardDir}'s manifest says it is shard {@code shard} of {@code shards} in the
     * store {@code storeId}; returns what it says.
     *
     * @throws CorruptionException it is missing, damaged, or belongs to another shard or store
     */
    public static Contents check(Path shardDir, long storeId, int shard, int shards) throws IOException {
        Contents c = read(shardDir);
        if (c == null) {
            throw new CorruptionException(file(shardDir), 0, "shard manifest is missing");
        }
        checkPlace(shardDir, c, shard, shards);
        if (c.storeId() != storeId) {
            throw new CorruptionException(
                    file(shardDir),
                    8,
                    "shard directory " + shardDir.getFileName()
                            + " belongs to another store (store id " + Long.toHexString(c.storeId())
                            + ", this store's is "
                            + Long.toHexString(storeId) + ")");
        }
        return c;
    }

    /** Checks that {@code c}, read from {@code shardDir}, is of shard {@code shard} of {@code shards}. */
    public static void checkPlace(Path shardDir, Contents c, int shard, int shards) throws CorruptionException {
        if (c.shard() != shard) {
            throw new CorruptionException(
                    file(shardDir),
                    16,
                    "shard directory " + shardDir.getFileName() + " holds the files of shard " + c.shard()
                            + " (shard directories swapped or renamed?)");
        }
        if (c.shards() != shards) {
            throw new CorruptionException(
                    file(shardDir),
                    20,
                    "shard directory " + shardDir.getFileName() + " belongs to a store of " + c.shards()
                            + " shards, this one has " + shards);
        }
    }

    @Override
    public long recordedFirst() {
        return recorded == null ? 0 : recorded.firstKeysFile();
    }

    @Override
    public long recordedLast() {
        return recorded == null ? 0 : recorded.lastKeysFile();
    }

    @Override
    public void record(long first, long last) throws IOException {
        write(dir, new Contents(storeId, shard, shards, first, last));
    }
}
