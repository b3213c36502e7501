package io.toykv.core.log;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.Directories;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import io.toykv.core.io.Mappings;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * One keys-log file ({@code NNNNNNNN.k}), allocated zero-filled at its full size and memory-mapped, so
 * an appended record is in the page cache (and survives a kill -9) as soon as it is copied in.
 *
 * <pre>
 * header page (4096 bytes):
 *   0  4  magic 0x4B4B5654 ("TVKK" little-endian)
 *   4  4  format version (2; 1 is read too)
 *   8  8  file number (the same as in the file name)
 *   16 8  synced length: records below this offset were forced to the device
 *   24 4  crc32c of bytes 0..24
 * records ({@link KeyRecord}) from offset 4096, packed; zeros after the last one
 * </pre>
 *
 * The synced length tells a torn tail from corruption at open: a bad record past it was never
 * promised to be durable and is cut off; a bad record before it is corruption and fails the open. It
 * is written after each force without a force of its own, so it lags one sync behind the truth and
 * never claims more than was forced.
 */
public final class KeysFile {
    public static final int HEADER_SIZE = 4096;
    static final int MAGIC = 0x4B4B5654;
    /**
     * Version 3 files may hold PUT_EXPIRING records and records of the empty key; version 2 added BATCH
     * records. Files of versions 1 and 2 are still read, and a store upgraded to store format 5 goes on
     * appending records of every kind to its last version 2 file (the store's version is what keeps an
     * older build away).
     */
    static final int VERSION = 3;

    private static final System.Logger LOG = System.getLogger(KeysFile.class.getName());

    private final Path path;
    private final long number;
    private final MappedByteBuffer map;
    private final int size;
    private int writePosition = HEADER_SIZE;
    private long syncedLength;

    private KeysFile(Path path, long number, MappedByteBuffer map, long syncedLength) {
        this.path = path;
        this.number = number;
        this.map = map;
        this.size = map.capacity();
        this.syncedLength = syncedLength;
    }

    /**
     * Creates a keys file whole: allocated and given its header under a temp name, forced, then renamed
     * into place and the directory forced. A crash part-way leaves only a temp file, which the next
     * open deletes; never a keys file without a header.
     */
    public static KeysFile create(Path path, long number, int size, FileAllocator allocator) throws IOException {
        Path temp = FileNames.temp(path);
        KeysFile f = new KeysFile(path, number, allocateAndMap(temp, size, allocator), HEADER_SIZE);
        f.writeHeader();
        Mappings.force(f.map, 0, HEADER_SIZE, temp);
        try {
            FileIo.of(path).move(temp, path);
            Directories.force(path.getParent());
        } catch (IOException | RuntimeException e) {
            f.unmap();
            FileIo.of(temp).deleteIfExists(temp);
            throw e;
        }
        return f;
    }

    /**
     * Creates a file for a keys-log rewrite under a temp name ({@link FileNames#keysRewriteFile}),
     * allocated and mapped, with a header numbered 0 (forced with the records, and meaningless until
     * {@link #commitAs} gives the file its number and name once its records are complete). A crash before that leaves a temp file, which
     * the next open deletes.
     */
    public static KeysFile createTemp(Path temp, int size, FileAllocator allocator) throws IOException {
        KeysFile f = new KeysFile(temp, 0, allocateAndMap(temp, size, allocator), HEADER_SIZE);
        f.writeHeader();
        return f;
    }

    /** Allocates {@code temp} (replacing any earlier one) and maps it; deletes it if the mapping fails. */
    private static MappedByteBuffer allocateAndMap(Path temp, int size, FileAllocator allocator) throws IOException {
        FileIo.of(temp).deleteIfExists(temp);
        allocator.allocate(temp, size);
        try {
            return map(temp, size);
        } catch (IOException | RuntimeException e) {
            FileIo.of(temp).deleteIfExists(temp);
            throw e;
        }
    }

    /**
     * Names a file made by {@link #createTemp}: forces its records, writes the header with
     * {@code number} and the records as synced, forces it, and renames the file to {@code path}.
     * Returns the file under its new name; this object must not be used after. The caller forces the
     * directory.
     */
    public KeysFile commitAs(Path path, long number) throws IOException {
        int end = writePosition;
        forceTo(end);
        KeysFile named = new KeysFile(path, number, map, end);
        named.writePosition = end;
        named.writeHeader();
        Mappings.force(named.map, 0, HEADER_SIZE, this.path);
        FileIo.of(path).move(this.path, path);
        return named;
    }

    public static KeysFile open(Path path, long number) throws IOException {
        long size = Files.size(path);
        if (size < HEADER_SIZE || size > Integer.MAX_VALUE) {
            throw new CorruptionException(path, 0, "keys file has an impossible size " + size);
        }
        MappedByteBuffer map = map(path, (int) size);
        CRC32C crc = new CRC32C();
        crc.update(map.slice(0, 24));
        if (map.getInt(0) != MAGIC) {
            throw new CorruptionException(path, 0, "not a keys file (bad magic)");
        }
        if (map.getInt(4) < 1 || map.getInt(4) > VERSION) {
            throw new CorruptionException(path, 4, "unsupported keys file version " + map.getInt(4));
        }
        if (map.getLong(8) != number) {
            throw new CorruptionException(
                    path, 8, "keys file numbered " + map.getLong(8) + " found as number " + number);
        }
        if ((int) crc.getValue() != map.getInt(24)) {
            // markSynced rewrites the synced length and then the checksum, in place: a kill -9 between
            // the two stores leaves this. Magic, version and number checked out, so only the synced
            // length is in doubt: take none of the records as known forced (a bad record is then a torn
            // tail, not damage), and write the header whole again.
            LOG.log(
                    System.Logger.Level.WARNING,
                    path + ": header checksum mismatch (an update of its synced"
                            + " length cut short); its records are replayed as not known to be forced");
            KeysFile f = new KeysFile(path, number, map, HEADER_SIZE);
            f.writeHeader();
            return f;
        }
        long synced = map.getLong(16);
        if (synced < HEADER_SIZE || synced > size) {
            throw new CorruptionException(path, 16, "synced length " + synced + " out of range");
        }
        return new KeysFile(path, number, map, synced);
    }

    private static MappedByteBuffer map(Path path, int size) throws IOException {
        FileIo io = FileIo.of(path);
        try (FileChannel ch = io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer m = io.mapReadWrite(ch, path, size);
            m.order(ByteOrder.LITTLE_ENDIAN);
            return m;
        }
    }

    private void writeHeader() {
        map.putInt(0, MAGIC);
        map.putInt(4, VERSION);
        map.putLong(8, number);
        map.putLong(16, syncedLength);
        CRC32C crc = new CRC32C();
        crc.update(map.slice(0, 24));
        map.putInt(24, (int) crc.getValue());
    }

    public Path path() {
        return path;
    }

    public long number() {
        return number;
    }

    /** Bytes of records in this file. */
    public long recordBytes() {
        return writePosition - HEADER_SIZE;
    }

    public boolean fits(int recordSize) {
        return writePosition + recordSize <= size;
    }

    /** Appends a record; the caller checked that it fits. Writer only. */
    public void append(byte kind, byte[] key, int valueLength, long address) {
        appendRecord(kind, key, key.length, valueLength, address, 0);
    }

    /**
     * Appends a PUT_EXPIRING record ({@code expireAt} at least 1); the caller checked that
     * {@code KeyRecord.size(PUT_EXPIRING, key.length)} fits. Writer only.
     */
    public void appendExpiring(byte[] key, int valueLength, long address, long expireAt) {
        appendRecord(KeyRecord.PUT_EXPIRING, key, key.length, valueLength, address, expireAt);
    }

    /**
     * Appends {@code batch} as one BATCH record; the caller checked that {@code KeyRecord.size(batch.length())}
     * fits and that the batch holds at least one entry. Writer only.
     */
    public void appendBatch(PutBatch batch) {
        appendRecord(KeyRecord.BATCH, batch.body(), batch.length(), batch.count(), 0, 0);
    }

    /**
     * Appends one shard's part of atomic batch {@code batchId} as one ATOMIC_PART record; the caller
     * checked that {@code KeyRecord.size(part.length())} fits and that it holds at least one entry. Writer only.
     */
    public void appendAtomicPart(long batchId, AtomicPart part) {
        appendRecord(KeyRecord.ATOMIC_PART, part.body(), part.length(), part.count(), batchId, 0);
    }

    /** Writes the record's header and its first {@code length} bytes of {@code body}, then its checksum. */
    private void appendRecord(byte kind, byte[] body, int length, int valueField, long address, long expireAt) {
        int pos = writePosition;
        int header = KeyRecord.headerSize(kind);
        map.put(pos + KeyRecord.KIND_OFFSET, kind);
        map.putShort(pos + KeyRecord.KEY_LENGTH_OFFSET, (short) length);
        map.putInt(pos + KeyRecord.VALUE_LENGTH_OFFSET, valueField);
        map.putLong(pos + KeyRecord.ADDRESS_OFFSET, address);
        if (kind == KeyRecord.PUT_EXPIRING) {
            map.putLong(pos + KeyRecord.EXPIRY_OFFSET, expireAt);
            map.putShort(pos + KeyRecord.DATABASE_OFFSET, (short) 0);
        }
        map.put(pos + header, body, 0, length);
        CRC32C crc = new CRC32C();
        crc.update(map.slice(pos + KeyRecord.KIND_OFFSET, header - KeyRecord.KIND_OFFSET + length));
        map.putInt(pos, (int) crc.getValue());
        writePosition = pos + header + length;
    }

    public int writePosition() {
        return writePosition;
    }

    /** Size of the record at {@code pos}, which must be the start of a record below the write position. */
    int recordSizeAt(int pos) {
        return KeyRecord.size(
                map.get(pos + KeyRecord.KIND_OFFSET), map.getShort(pos + KeyRecord.KEY_LENGTH_OFFSET) & 0xFFFF);
    }

    /**
     * Appends {@code length} bytes of whole records from {@code from} at {@code pos} as they are (a
     * record's checksum does not depend on where it lies); the caller checked that they fit. Writer only.
     */
    void appendCopy(KeysFile from, int pos, int length) {
        map.put(writePosition, from.map, pos, length);
        writePosition += length;
    }

    /** Forces bytes [0, end) to the device. Safe outside the write lock while the file is mapped. */
    public void forceTo(int end) {
        Mappings.force(map, 0, end, path);
    }

    /** Records in the header that [0, end) was forced; the header itself goes with the next force. */
    public void markSynced(int end) {
        if (end > syncedLength) {
            syncedLength = end;
            writeHeader();
        }
    }

    /** Forces the records written so far and marks them synced. Writer only. */
    public void force() {
        int end = writePosition;
        forceTo(end);
        markSynced(end);
    }

    /** What recovery does with each record; returning a reason rejects it as if its checksum failed. */
    public interface RecordSink {
        /** Returns null to accept the record, or why it cannot be (e.g. its value did not survive). */
        String accept(KeyRecord record, Path file, long offset) throws CorruptionException;
    }

    /**
     * Replays the records in order and sets the write position after the last good one. A bad record
     * past the synced length is a torn tail: it and everything after it are zeroed and logged. A bad
     * record before it is corruption. In the last file, bytes after the end of the records (a torn
     * page's) are zeroed too. Returns the bytes dropped.
     */
    public long recover(RecordSink sink, boolean isLast) throws IOException {
        int pos = HEADER_SIZE;
        java.nio.ByteBuffer window = map.duplicate(); // one view for every checksum: no slice per record
        CRC32C crc = new CRC32C();
        while (true) {
            if (size - pos < KeyRecord.HEADER_SIZE || isEnd(pos)) {
                writePosition = pos;
                // A power loss can tear a page by sectors, keeping bytes of later records after zeros.
                // Left there, appends would end next to them, and once this file is not the last they
                // would read as a corrupt record: zero them now.
                long dropped = isLast ? cutTail(pos) : 0;
                if (dropped > 0) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "keys log " + path + ": " + dropped + " bytes of torn records after the end at offset "
                                    + pos + " dropped");
                }
                return dropped;
            }
            String problem = checkRecord(pos, window, crc);
            if (problem == null && map.get(pos + KeyRecord.KIND_OFFSET) == KeyRecord.BATCH) {
                // Every value a batch points at was durable before the batch was written (a collection's
                // segments) or before its file was named (a rewrite): one that passes its checksum but
                // cannot be replayed is corruption, never a torn tail.
                int at = pos;
                String bad = PutBatch.decode(
                        map,
                        pos + KeyRecord.HEADER_SIZE,
                        recordSizeAt(pos) - KeyRecord.HEADER_SIZE,
                        map.getInt(pos + KeyRecord.VALUE_LENGTH_OFFSET),
                        (key, length, address) -> {
                            try {
                                return sink.accept(new KeyRecord(KeyRecord.PUT, key, length, address), path, at);
                            } catch (CorruptionException e) {
                                return e.getMessage();
                            }
                        });
                if (bad != null) {
                    throw new CorruptionException(path, pos, "batch record: " + bad);
                }
            } else if (problem == null) {
                problem = sink.accept(decode(pos), path, pos);
            }
            if (problem != null) {
                if (pos < syncedLength || !isLast) {
                    throw new CorruptionException(path, pos, problem);
                }
                long dropped = cutTail(pos);
                LOG.log(
                        System.Logger.Level.WARNING,
                        "keys log " + path + ": torn tail at offset " + pos + " (" + problem + "), dropped " + dropped
                                + " bytes");
                writePosition = pos;
                return dropped;
            }
            pos += recordSizeAt(pos);
        }
    }

    private String checkRecord(int pos, java.nio.ByteBuffer window, CRC32C crc) {
        byte kind = map.get(pos + KeyRecord.KIND_OFFSET);
        int keyLength = map.getShort(pos + KeyRecord.KEY_LENGTH_OFFSET) & 0xFFFF;
        if (kind < KeyRecord.PUT || kind > KeyRecord.ATOMIC_PART) {
            return "bad record kind " + kind;
        }
        if ((kind == KeyRecord.BATCH || kind == KeyRecord.ATOMIC_PART)
                && map.getInt(pos + KeyRecord.VALUE_LENGTH_OFFSET) < 1) {
            return "batch record with " + map.getInt(pos + KeyRecord.VALUE_LENGTH_OFFSET) + " entries";
        }
        if (kind == KeyRecord.CLEAR && keyLength != 0) { // PUT and DELETE may name the empty key
            return "bad key length " + keyLength + " for record kind " + kind;
        }
        if ((long) pos + KeyRecord.size(kind, keyLength) > size) {
            return "record of key length " + keyLength + " runs past the end of the file";
        }
        crc.reset();
        window.limit(pos + KeyRecord.size(kind, keyLength)).position(pos + KeyRecord.KIND_OFFSET);
        crc.update(window);
        if ((int) crc.getValue() != map.getInt(pos)) {
            return "record checksum mismatch";
        }
        if (kind == KeyRecord.PUT_EXPIRING && map.getLong(pos + KeyRecord.EXPIRY_OFFSET) < 1) {
            return "expiring record with expiry " + map.getLong(pos + KeyRecord.EXPIRY_OFFSET);
        }
        if (kind == KeyRecord.PUT_EXPIRING && map.getShort(pos + KeyRecord.DATABASE_OFFSET) != 0) {
            return "record of database " + (map.getShort(pos + KeyRecord.DATABASE_OFFSET) & 0xFFFF)
                    + " (this build has database 0 only)";
        }
        return null;
    }

    /** Whether the 19 bytes at {@code pos} are all zero: the end of the records. */
    private boolean isEnd(int pos) {
        return map.getLong(pos) == 0
                && map.getLong(pos + 8) == 0
                && map.getShort(pos + 16) == 0
                && map.get(pos + 18) == 0;
    }

    private KeyRecord decode(int pos) {
        int keyLength = map.getShort(pos + KeyRecord.KEY_LENGTH_OFFSET) & 0xFFFF;
        byte kind = map.get(pos + KeyRecord.KIND_OFFSET);
        byte[] key = new byte[keyLength];
        map.get(pos + KeyRecord.headerSize(kind), key);
        long expireAt = kind == KeyRecord.PUT_EXPIRING ? map.getLong(pos + KeyRecord.EXPIRY_OFFSET) : 0;
        return new KeyRecord(
                kind,
                key,
                map.getInt(pos + KeyRecord.VALUE_LENGTH_OFFSET),
                map.getLong(pos + KeyRecord.ADDRESS_OFFSET),
                expireAt);
    }

    /** Zeroes from {@code pos} to the last non-zero byte; returns how many bytes that was. */
    private long cutTail(int pos) {
        int last = size - 1;
        // Eight bytes a step over the zeros of the allocated rest of the file (most of it, at every
        // open of the last file), then byte by byte within the last word that is not all zero.
        while (last - 7 >= pos && map.getLong(last - 7) == 0) {
            last -= 8;
        }
        while (last >= pos && map.get(last) == 0) {
            last--;
        }
        if (last < pos) {
            return 0;
        }
        for (int i = pos; i <= last; i++) {
            map.put(i, (byte) 0);
        }
        Mappings.force(map, 0, size, path);
        return last + 1 - pos;
    }

    public void unmap() {
        Mappings.unmap(map);
    }
}
