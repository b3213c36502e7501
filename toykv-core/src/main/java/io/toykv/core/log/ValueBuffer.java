package io.toykv.core.log;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.Directories;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileNames;
import io.toykv.core.io.Mappings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.StampedLock;
import java.util.zip.CRC32C;

/**
 * The staging buffer ({@code values.b}): a memory-mapped file where each value lands before its chunk
 * is written to a segment. Because it is a shared mapping, a value is in the page cache, and so
 * survives a kill -9, as soon as it is copied in.
 *
 * <pre>
 * file = header page (4096 bytes) + data region (bufferSize bytes)
 * header: two slots, at 0 and 64, each
 *   0  4  magic 0x42564B54 ("TKVB" little-endian)
 *   4  4  format version (1)
 *   8  8  slot sequence number (the valid slot with the higher one wins)
 *   16 8  base: the address of data byte 0
 *   24 4  crc32c of bytes 0..24 of the slot
 * data: value records, packed, from the base address on
 * </pre>
 *
 * A new base is written to the older slot, so a crash in the middle of a header write leaves the
 * other slot intact. The data region starts on a page boundary so a chunk can be written to a segment
 * with O_DIRECT straight from the mapping.
 *
 * <p>Concurrency: one writer (holding the shard's write lock) appends and resets; readers copy records
 * out without a lock and validate with {@link StampedLock#validate} that no reset happened meanwhile.
 */
public final class ValueBuffer {
    public static final int HEADER_SIZE = 4096;
    static final int MAGIC = 0x42564B54;
    static final int VERSION = 1;
    static final int SLOT_SIZE = 28;
    static final int[] SLOT_OFFSETS = {0, 64};

    private final Path path;
    private final MappedByteBuffer map;
    private final ByteBuffer data;
    private final int capacity;
    private final StampedLock resetLock = new StampedLock();

    /** Address of data byte 0; changed only under {@link #resetLock}'s write lock. */
    private volatile long base;
    /** Bytes appended to the data region; written by the writer only. */
    private volatile int writePosition;
    private long headerSequence;

    private ValueBuffer(Path path, MappedByteBuffer map, long base, long headerSequence) {
        this(path, map, base, headerSequence, map.capacity() - HEADER_SIZE);
    }

    private ValueBuffer(Path path, MappedByteBuffer map, long base, long headerSequence, int capacity) {
        this.path = path;
        this.map = map;
        this.capacity = capacity;
        this.data = map.slice(HEADER_SIZE, capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.base = base;
        this.headerSequence = headerSequence;
    }

    /** Opens the buffer, creating it with {@code initialBase} when the file does not exist. */
    public static ValueBuffer open(Path path, int bufferSize, long initialBase, FileAllocator allocator)
            throws IOException {
        Files.deleteIfExists(FileNames.temp(path)); // left by a crash during creation
        if (!Files.exists(path)) {
            create(path, bufferSize, initialBase, allocator);
        }
        long fileSize = Files.size(path);
        if (fileSize < HEADER_SIZE + 65536L || (fileSize - HEADER_SIZE) % 4096 != 0 || fileSize > Integer.MAX_VALUE) {
            throw new CorruptionException(path, 0, "buffer file has an impossible size " + fileSize);
        }
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            map = ch.map(FileChannel.MapMode.READ_WRITE, 0, fileSize);
        }
        map.order(ByteOrder.LITTLE_ENDIAN);
        long[] best = null;
        for (int slot : SLOT_OFFSETS) {
            long[] h = readSlot(map, slot);
            if (h != null && (best == null || h[0] > best[0])) {
                best = h;
            }
        }
        if (best == null) {
            throw new CorruptionException(path, 0, "no valid buffer header (bad magic, version or checksum)");
        }
        return new ValueBuffer(path, map, best[1], best[0]);
    }

    /**
     * Creates the buffer file whole: allocated and given its first header under a temp name, forced,
     * renamed into place, directory forced. A crash part-way leaves only the temp file.
     */
    private static void create(Path path, int bufferSize, long initialBase, FileAllocator allocator) throws IOException {
        Path temp = FileNames.temp(path);
        allocator.allocate(temp, (long) HEADER_SIZE + bufferSize);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_SIZE);
                map.order(ByteOrder.LITTLE_ENDIAN);
                new ValueBuffer(path, map, initialBase, 0, 0).writeHeader(initialBase);
                map.force();
                Mappings.unmap(map);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            Directories.force(path.getParent());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Returns {sequence, base} of a valid slot, or null. */
    private static long[] readSlot(ByteBuffer map, int at) {
        if (map.getInt(at) != MAGIC || map.getInt(at + 4) != VERSION) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(map.slice(at, 24));
        if ((int) crc.getValue() != map.getInt(at + 24)) {
            return null;
        }
        return new long[] {map.getLong(at + 8), map.getLong(at + 16)};
    }

    private void writeHeader(long newBase) {
        headerSequence++;
        int at = SLOT_OFFSETS[(int) (headerSequence & 1)];
        map.putInt(at, MAGIC);
        map.putInt(at + 4, VERSION);
        map.putLong(at + 8, headerSequence);
        map.putLong(at + 16, newBase);
        CRC32C crc = new CRC32C();
        crc.update(map.slice(at, 24));
        map.putInt(at + 24, (int) crc.getValue());
    }

    /**
     * At open, before the write position is known: copies the record of {@code dst.length} bytes at
     * {@code address} into {@code dst} if that lies in the data region under the current base. Whether
     * it is a valid record only its key can tell ({@link ValueRecord#valueIfValid}). Writer only.
     */
    public boolean readAtOpen(long address, byte[] dst) {
        long offset = address - base;
        if (!holds(base, address) || offset + dst.length > capacity) {
            return false;
        }
        data.get((int) offset, dst, 0, dst.length);
        return true;
    }

    /**
     * At open: the records end {@code end} bytes after the base (the end of the furthest record a key
     * record points at, as the replay of the keys log found). Whatever follows (a record no key record
     * names, a torn one, stale records of an earlier chunk) is overwritten by later puts.
     */
    public void recoverTo(int end) {
        writePosition = end;
    }

    public Path path() {
        return path;
    }

    public long base() {
        return base;
    }

    public int writePosition() {
        return writePosition;
    }

    public int capacity() {
        return capacity;
    }

    /** Appends a record; the caller checked that it fits. Returns its address. Writer only. */
    public long append(byte[] key, byte[] value) {
        int pos = writePosition;
        long address = base + pos;
        ValueRecord.write(data, pos, address, key, value);
        writePosition = pos + ValueRecord.size(value.length);
        return address;
    }

    /**
     * Copies the record at {@code address} into {@code dst} (its length is the record's) if the buffer
     * still holds it. Returns false when the address is not the buffer's (see {@link #holds}): the record
     * has been flushed to its segment, or lies in another one. Lock-free for readers.
     */
    public boolean read(long address, byte[] dst) {
        long stamp = resetLock.tryOptimisticRead();
        if (stamp != 0) {
            long b = base;
            if (!holds(b, address)) {
                return false;
            }
            copy(address - b, dst);
            if (resetLock.validate(stamp)) {
                return true;
            }
        }
        stamp = resetLock.readLock();
        try {
            long b = base;
            if (!holds(b, address)) {
                return false;
            }
            copy(address - b, dst);
            return true;
        } finally {
            resetLock.unlockRead(stamp);
        }
    }

    /**
     * Whether {@code address} lies at or after {@code base} in the base's segment: where the buffer's
     * data belongs. Segments that garbage collection writes take ids above the head's, so an address
     * past the base in another segment is not the buffer's.
     */
    static boolean holds(long base, long address) {
        return address >= base && Address.segment(address) == Address.segment(base);
    }

    private void copy(long offset, byte[] dst) {
        // Bounds are checked here because an optimistic reader may see a base that is already stale.
        if (offset + dst.length <= capacity) {
            data.get((int) offset, dst, 0, dst.length);
        }
    }

    /**
     * The written data rounded up to {@code alignment}, padding zeroed, as a slice of the mapping ready
     * for an O_DIRECT write. Writer only.
     */
    public ByteBuffer chunk(int alignment) {
        int len = writePosition;
        int aligned = (len + alignment - 1) / alignment * alignment;
        for (int i = len; i < aligned; i++) {
            data.put(i, (byte) 0);
        }
        return data.slice(0, aligned);
    }

    /**
     * Starts a new chunk at {@code newBase} once the old one is safely in its segment. The new header
     * is forced before any data is overwritten, so after a power loss the buffer never claims to hold
     * data it no longer has. Writer only.
     */
    public void reset(long newBase) {
        long stamp = resetLock.writeLock();
        try {
            base = newBase;
            writePosition = 0;
            writeHeader(newBase);
        } finally {
            resetLock.unlockWrite(stamp);
        }
        map.force(0, HEADER_SIZE);
    }

    /** Forces the header and the written data to the device. */
    public void force() {
        map.force(0, HEADER_SIZE + writePosition);
    }
}
