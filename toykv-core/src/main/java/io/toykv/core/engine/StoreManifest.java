package io.toykv.core.engine;

import io.toykv.core.CorruptionException;
import io.toykv.core.StoreOptions;
import io.toykv.core.io.Directories;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.zip.CRC32C;

/**
 * {@code toykv.meta}: what a store is, fixed at creation. Twenty-four bytes, little-endian:
 *
 * <pre>
 * 0  4  magic 0x4D564B54 ("TKVM" little-endian)
 * 4  4  format version (8; 1 to 7 are read and upgraded, below), or'ed with {@link #CLEARING}
 * 8  4  shard count
 * 12 8  store id: random, never 0; each shard's {@link ShardManifest} repeats it
 * 20 4  crc32c of bytes 0..20
 * </pre>
 *
 * Versions 1 to 3 have no store id: sixteen bytes, the checksum at 12, of bytes 0..12.
 *
 * Written as a temp file that is forced, renamed into place, and followed by a force of the
 * directory, so a crash leaves either no manifest (a creation to finish) or a whole one: once, last, at
 * creation (see {@link ShardManifest#forNewStore}), and once more when an older store is first opened. Version 2 value records do not
 * store their keys ({@link io.toykv.core.log.ValueRecord}); a version 1 store's records all do, and
 * are read as they are. Version 3 buffers have two halves ({@link io.toykv.core.log.ValueBuffer}); an
 * older one is written to its segment and replaced at open. Version 4 gave the store an id and each
 * shard a {@link ShardManifest}, written at the upgrade before the manifest. Version 5 keys logs may
 * hold PUT_EXPIRING records and records of the empty key ({@link io.toykv.core.log.KeyRecord}); a
 * version 4 store's files are read as they are. Version 6 keys logs may hold ATOMIC_PART records, and
 * the store has a {@link BatchCommits} file (made at creation, or at the upgrade before the manifest
 * is written). Version 7 stores may have a {@link CommitJournal}; version 8 journals keep their two
 * header slots a sector apart (a version 7 journal, both slots in one sector, is read and replaced once
 * replayed, in ALWAYS mode). Bumping the version on that first open is
 * what makes an older build refuse the store instead of failing on the new records or buffer.
 *
 * <p>{@link #CLEARING} in the version word marks a {@code Store.clear} under way: written (durably)
 * before the first shard is cleared and removed (durably) once every shard's clear is forced; an open
 * that finds it clears every shard before anything reads. A build that does not know the flag
 * reads the flagged word as a version newer than its own and refuses the store, so it can neither show the half-cleared shards nor add writes that the finishing clear would
 * then remove. The flag needs no version of its own: it is only ever written by a build that knows it.
 */
public final class StoreManifest {
    public static final int MAGIC = 0x4D564B54;
    public static final int VERSION = 9;
    /**
     * The first version whose atomic batches may commit without forces ({@code batches.log} version 2),
     * so that an open drops a batch missing a part and cuts each shard's keys log at a dropped batch's
     * part ({@link IncompleteBatches}); older stores' builds forced every batch and went on writing
     * after a part without a commit record, so theirs are skipped, not cut.
     */
    public static final int FIRST_WITH_CUTS = 9;
    /** The first version that may have a commit journal ({@link CommitJournal}), replayed at open. */
    public static final int FIRST_WITH_JOURNAL = 7;
    /** The first version whose commit journal keeps its header slots in sectors of their own. */
    public static final int FIRST_WITH_SECTOR_SLOTS = 8;
    /** The first version with atomic batches: ATOMIC_PART records and the {@link BatchCommits} file. */
    public static final int FIRST_WITH_BATCHES = 6;
    /** The first version with a store id and shard manifests. */
    public static final int FIRST_WITH_ID = 4;
    /** The oldest version this build opens (upgrading it to {@link #VERSION}). */
    public static final int OLDEST_READABLE = 1;

    /**
     * Or'ed into the version word while a {@code Store.clear} is under way (see the class comment);
     * above every version number, so an older build refuses the store while it is set.
     */
    public static final int CLEARING = 1 << 16;
    /** The oldest version a manifest with {@link #CLEARING} may have (the flag is never written on an older one). */
    public static final int FIRST_WITH_CLEARING = 8;

    public static final int SIZE = 24;
    /** The size of a manifest before {@link #FIRST_WITH_ID}. */
    public static final int OLD_SIZE = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private StoreManifest() {}

    /**
     * What a manifest says: the shard count, the format version, the store id (0 before version 4), and
     * whether a clear is under way ({@link #CLEARING}).
     */
    public record Contents(int shards, int version, long storeId, boolean clearing) {
        public Contents(int shards, int version, long storeId) {
            this(shards, version, storeId, false);
        }
    }

    /** A new store id: random, so that a shard directory of another store is told apart; never 0. */
    public static long newStoreId() {
        long id;
        do {
            id = RANDOM.nextLong();
        } while (id == 0);
        return id;
    }

    /** The manifest of the store in {@code dir}, or null if it has none yet. */
    public static Contents read(Path dir) throws IOException {
        Path file = dir.resolve(FileNames.MANIFEST);
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8 || b.getInt(0) != MAGIC) {
            throw new CorruptionException(file, 0, "not a toykv store manifest (bad magic)");
        }
        int word = b.getInt(4);
        int version = word & ~CLEARING;
        boolean clearing = version != word && version >= FIRST_WITH_CLEARING;
        version = clearing ? version : word; // a flag on an older version is not one: refused below
        if (version < OLDEST_READABLE || version > VERSION) {
            throw new CorruptionException(
                    file,
                    4,
                    "unsupported store format version " + version
                            + (version > VERSION ? " (written by a newer toykv)" : ""));
        }
        int size = version >= FIRST_WITH_ID ? SIZE : OLD_SIZE;
        if (bytes.length != size) {
            throw new CorruptionException(file, 0, "manifest has " + bytes.length + " bytes, expected " + size);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, size - 4);
        if ((int) crc.getValue() != b.getInt(size - 4)) {
            throw new CorruptionException(file, size - 4, "manifest checksum mismatch");
        }
        int shards = b.getInt(8);
        if (shards < 1 || shards > StoreOptions.MAX_SHARDS) {
            throw new CorruptionException(file, 8, "impossible shard count " + shards);
        }
        long storeId = version >= FIRST_WITH_ID ? b.getLong(12) : 0;
        if (version >= FIRST_WITH_ID && storeId == 0) {
            throw new CorruptionException(file, 12, "store id 0");
        }
        return new Contents(shards, version, storeId, clearing);
    }

    public static void write(Path dir, int shards, long storeId) throws IOException {
        write(dir, shards, storeId, false);
    }

    /** Writes the current version's manifest, with {@link #CLEARING} if {@code clearing}; durably. */
    public static void write(Path dir, int shards, long storeId, boolean clearing) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC)
                .putInt(4, clearing ? VERSION | CLEARING : VERSION)
                .putInt(8, shards)
                .putLong(12, storeId);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, SIZE - 4);
        b.putInt(SIZE - 4, (int) crc.getValue());
        writeDurably(dir.resolve(FileNames.MANIFEST), b);
    }

    /**
     * Replaces {@code file} with {@code contents}: a temp file that is forced, renamed into place, and
     * the directory forced, so a crash leaves the old file or the new one, whole.
     */
    public static void writeDurably(Path file, ByteBuffer contents) throws IOException {
        Path temp = FileNames.temp(file);
        FileIo io = FileIo.of(temp);
        try (FileChannel ch = io.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            long at = 0;
            while (contents.hasRemaining()) {
                at += io.write(ch, temp, contents, at);
            }
            io.force(ch, temp, true);
        }
        FileIo.of(file).move(temp, file);
        Directories.force(file.getParent());
    }
}
