package io.toykv.core.log;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.Directories;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import io.toykv.core.io.Mappings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.StampedLock;
import java.util.zip.CRC32C;

/**
 * The staging buffer ({@code values.b}): a memory-mapped file where each value lands before its chunk
 * is written to a segment. Because it is a shared mapping, a value is in the page cache, and so
 * survives a kill -9, as soon as it is copied in.
 *
 * <p>Two halves: values are appended to the active one; when it is full (or a sync asks for it) it
 * becomes the pending half, which the values log's flusher thread writes to its segment while appends
 * go on in the other ({@link #swap}). A put therefore waits for the device only when a whole half
 * fills before the one before it is written; before, every flush held the shard's write lock for a
 * write and an fdatasync.
 *
 * <pre>
 * file = header page (4096 bytes) + two halves of bufferSize bytes each
 * header: two slots, at 0 and 64, each
 *   0  4  magic 0x42564B54 ("TKVB" little-endian)
 *   4  4  format version (2)
 *   8  8  slot sequence number (the valid slot with the higher one wins)
 *   16 8  active base: the address of the active half's byte 0
 *   24 4  active half: 0 or 1
 *   28 4  pending length: bytes at the start of the other half not yet known to be in their segment (0: none)
 *   32 8  pending base: the address of the other half's byte 0 (0 when the length is)
 *   40 4  crc32c of bytes 0..40 of the slot
 * data: value records, packed, from each half's base address on
 * </pre>
 *
 * A new header is written to the older slot, so a crash in the middle of a header write leaves the
 * other slot intact. The halves start on page boundaries so a chunk can be written to a segment
 * with O_DIRECT straight from the mapping. A version 1 buffer (one data region, its slot 28 bytes:
 * magic, version, sequence, base, crc32c of bytes 0..24) is read at open as one active half with no
 * other, and replaced by a version 2 one once the open has written its records to their segment
 * ({@link ValuesLog#finishRecovery}).
 *
 * <p>Concurrency: one writer (holding the shard's write lock) appends, swaps and restarts; readers copy
 * records out without a lock and validate with {@link StampedLock#validate} that no swap or restart
 * happened meanwhile (a half is overwritten only after a swap made it active). The flusher marks the
 * pending half written ({@link #pendingWritten}); header writes are serialized on this object.
 */
public final class ValueBuffer {
    public static final int HEADER_SIZE = 4096;
    static final int MAGIC = 0x42564B54;
    static final int VERSION = 2;
    static final int VERSION_1 = 1;
    static final int SLOT_SIZE = 44;
    static final int[] SLOT_OFFSETS = {0, 64};

    private final Path path;
    private final MappedByteBuffer map;
    /** The two halves (one, the whole data region, for a version 1 buffer). */
    private final ByteBuffer[] halves;
    /** Bytes of one half. */
    private final int capacity;

    private final boolean version1;
    private final StampedLock resetLock = new StampedLock();

    /** The half appends go to; changed only under {@link #resetLock}'s write lock. */
    private volatile int active;
    /** Address of the active half's byte 0; changed only under {@link #resetLock}'s write lock. */
    private volatile long base;
    /** Bytes appended to the active half; written by the writer only. */
    private volatile int writePosition;
    /**
     * Readers find records of the other half in [pendingBase, pendingBase + pendingLength) until the
     * next swap or restart, written or not: the half is not overwritten before. Changed only under
     * {@link #resetLock}'s write lock.
     */
    private volatile long pendingBase;

    private volatile int pendingLength;
    /** Whether the header names the other half as pending: its write is not known to be done. Guarded by this. */
    private volatile boolean pendingUnwritten;
    /** Guarded by this. */
    private long headerSequence;

    private ValueBuffer(Path path, MappedByteBuffer map, Slot slot) {
        this.path = path;
        this.map = map;
        this.version1 = slot.version() == VERSION_1;
        int region = map.capacity() - HEADER_SIZE;
        this.capacity = version1 ? region : region / 2 / 4096 * 4096;
        this.halves = new ByteBuffer[version1 ? 1 : 2];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = map.slice(HEADER_SIZE + i * capacity, capacity).order(ByteOrder.LITTLE_ENDIAN);
        }
        this.headerSequence = slot.sequence();
        this.active = slot.active();
        this.base = slot.base();
        this.pendingBase = slot.pendingBase();
        this.pendingLength = slot.pendingLength();
        this.pendingUnwritten = slot.pendingLength() > 0;
    }

    /** What a header slot says. */
    record Slot(long sequence, int version, long base, int active, int pendingLength, long pendingBase) {}

    /**
     * Opens the buffer, creating it with {@code initialBase} and two halves of {@code bufferSize}
     * bytes when the file does not exist.
     */
    public static ValueBuffer open(Path path, int bufferSize, long initialBase, FileAllocator allocator)
            throws IOException {
        FileIo.of(FileNames.temp(path)).deleteIfExists(FileNames.temp(path)); // left by a crash during creation
        if (!Files.exists(path)) {
            create(path, bufferSize, initialBase, allocator);
        }
        long fileSize = Files.size(path);
        if (fileSize < HEADER_SIZE + 65536L || (fileSize - HEADER_SIZE) % 4096 != 0 || fileSize > Integer.MAX_VALUE) {
            throw new CorruptionException(path, 0, "buffer file has an impossible size " + fileSize);
        }
        MappedByteBuffer map;
        FileIo io = FileIo.of(path);
        try (FileChannel ch = io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            map = io.mapReadWrite(ch, path, fileSize);
        }
        map.order(ByteOrder.LITTLE_ENDIAN);
        Slot best = null;
        for (int at : SLOT_OFFSETS) {
            Slot s = readSlot(map, at);
            if (s != null && (best == null || s.sequence() > best.sequence())) {
                best = s;
            }
        }
        if (best == null) {
            Mappings.unmap(map);
            throw new CorruptionException(path, 0, "no valid buffer header (bad magic, version or checksum)");
        }
        int half = (int) ((fileSize - HEADER_SIZE) / 2 / 4096 * 4096);
        if (best.version() == VERSION
                && (best.active() < 0
                        || best.active() > 1
                        || best.pendingLength() < 0
                        || best.pendingLength() > half
                        || best.pendingLength() % 4096 != 0
                        || (best.pendingLength() == 0) != (best.pendingBase() == 0))) {
            Mappings.unmap(map);
            throw new CorruptionException(
                    path,
                    0,
                    "buffer header names an impossible half: active " + best.active() + ", pending "
                            + best.pendingLength() + " bytes at " + Address.describe(best.pendingBase()));
        }
        return new ValueBuffer(path, map, best);
    }

    /**
     * Creates the buffer file whole, or replaces one: allocated and given its first header under a
     * temp name, forced, renamed into place, directory forced. A crash part-way leaves only the temp
     * file (and the file it was to replace).
     */
    static void create(Path path, int bufferSize, long initialBase, FileAllocator allocator) throws IOException {
        Path temp = FileNames.temp(path);
        FileIo.of(temp).deleteIfExists(temp);
        allocator.allocate(temp, HEADER_SIZE + 2L * bufferSize);
        try {
            FileIo io = FileIo.of(temp);
            try (FileChannel ch = io.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer map = io.mapReadWrite(ch, temp, HEADER_SIZE);
                map.order(ByteOrder.LITTLE_ENDIAN);
                writeSlot(map, 1, initialBase, 0, 0, 0);
                Mappings.force(map, 0, HEADER_SIZE, temp);
                Mappings.unmap(map);
            }
            FileIo.of(path).move(temp, path);
            Directories.force(path.getParent());
        } catch (IOException | RuntimeException e) {
            FileIo.of(temp).deleteIfExists(temp);
            throw e;
        }
    }

    /** A valid slot at {@code at} (version 2, or version 1 read as one active half), or null. */
    private static Slot readSlot(ByteBuffer map, int at) {
        if (map.getInt(at) != MAGIC) {
            return null;
        }
        int version = map.getInt(at + 4);
        int crcAt = version == VERSION_1 ? 24 : 40;
        if (version != VERSION && version != VERSION_1) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(map.slice(at, crcAt));
        if ((int) crc.getValue() != map.getInt(at + crcAt)) {
            return null;
        }
        if (version == VERSION_1) {
            return new Slot(map.getLong(at + 8), VERSION_1, map.getLong(at + 16), 0, 0, 0);
        }
        return new Slot(
                map.getLong(at + 8),
                VERSION,
                map.getLong(at + 16),
                map.getInt(at + 24),
                map.getInt(at + 28),
                map.getLong(at + 32));
    }

    static void writeSlot(ByteBuffer map, long sequence, long base, int active, int pendingLength, long pendingBase) {
        int at = SLOT_OFFSETS[(int) (sequence & 1)];
        map.putInt(at, MAGIC);
        map.putInt(at + 4, VERSION);
        map.putLong(at + 8, sequence);
        map.putLong(at + 16, base);
        map.putInt(at + 24, active);
        map.putInt(at + 28, pendingLength);
        map.putLong(at + 32, pendingBase);
        CRC32C crc = new CRC32C();
        crc.update(map.slice(at, 40));
        map.putInt(at + 40, (int) crc.getValue());
    }

    /**
     * Writes the current state to the older slot, naming the pending half if {@code pending}, and
     * forces the header page if {@code force}.
     */
    private synchronized void writeHeader(boolean force, boolean pending) {
        // A sync's force ({@link #force}) can land before the new slot is written: it forces the header
        // before this one with the halves the fields name now, and its caller takes what it forced as durable.
        FileIo.of(path).concurrentForcePoint(path, this::force);
        headerSequence++;
        writeSlot(map, headerSequence, base, active, pending ? pendingLength : 0, pending ? pendingBase : 0);
        if (force) {
            Mappings.force(map, 0, HEADER_SIZE, path);
        }
    }

    /** Whether this is a version 1 buffer, read at open, to be replaced once its records are in their segment. */
    public boolean version1() {
        return version1;
    }

    /**
     * At open, before the write position is known: copies the record of {@code dst.length} bytes at
     * {@code address} into {@code dst} if that lies in the active half under its base, or in the
     * pending half's range (bytes past the half's end are left as they were). Whether it is a valid
     * record only its key can tell ({@link ValueRecord#valueIfValid}). Writer only.
     */
    public boolean readAtOpen(long address, byte[] dst) {
        return copy(address, dst);
    }

    /** Whether {@code address} lies in the pending half's range (see {@link #pendingLength}). */
    public boolean inPending(long address) {
        long b = pendingBase;
        int length = pendingLength;
        return length > 0 && address >= b && address < b + length && Address.segment(address) == Address.segment(b);
    }

    /**
     * At open: the active half's records end {@code end} bytes after its base (the end of the furthest
     * record a key record points at, as the replay of the keys log found). Whatever follows (a record
     * no key record names, a torn one, stale records of an earlier chunk) is overwritten by later puts.
     */
    public void recoverTo(int end) {
        writePosition = end;
    }

    public Path path() {
        return path;
    }

    /** Address of the active half's byte 0. */
    public long base() {
        return base;
    }

    public int writePosition() {
        return writePosition;
    }

    /** Bytes of one half: the most one chunk holds. */
    public int capacity() {
        return capacity;
    }

    /** Address of the other half's byte 0, while {@link #pendingLength} is not 0. */
    public long pendingBase() {
        return pendingBase;
    }

    /** Bytes of the other half that readers find there (written to their segment or not); 0 for none. */
    public int pendingLength() {
        return pendingLength;
    }

    /** Whether the header still names the other half as pending: its write to its segment is not known to be done. */
    public boolean pendingUnwritten() {
        return pendingUnwritten;
    }

    /** Appends a record; the caller checked that it fits. Returns its address. Writer only. */
    public long append(byte[] key, byte[] value) {
        int pos = writePosition;
        long address = base + pos;
        ValueRecord.write(halves[active], pos, address, key, value);
        writePosition = pos + ValueRecord.size(value.length);
        return address;
    }

    /**
     * Copies the record at {@code address} into {@code dst} (its length is the record's) if the buffer
     * still holds it, in either half. Returns false when the address is not the buffer's: the record
     * has been written to its segment, or lies in another one. Lock-free for readers.
     */
    public boolean read(long address, byte[] dst) {
        long stamp = resetLock.tryOptimisticRead();
        if (stamp != 0) {
            boolean held = copy(address, dst);
            if (resetLock.validate(stamp)) {
                return held;
            }
        }
        stamp = resetLock.readLock();
        try {
            return copy(address, dst);
        } finally {
            resetLock.unlockRead(stamp);
        }
    }

    /**
     * Whether {@code address} lies at or after {@code base} in the base's segment: where the active
     * half's data belongs. Segments that garbage collection writes take ids above the head's, so an address
     * past the base in another segment is not the buffer's.
     */
    static boolean holds(long base, long address) {
        return address >= base && Address.segment(address) == Address.segment(base);
    }

    private boolean copy(long address, byte[] dst) {
        // Bounds are checked here because an optimistic reader may see a state that is already stale.
        int a = active;
        long offset;
        ByteBuffer half;
        if (inPending(address)) {
            offset = address - pendingBase;
            half = halves[a ^ 1];
        } else {
            long b = base;
            if (!holds(b, address)) {
                return false;
            }
            offset = address - b;
            half = halves[a];
        }
        if (offset >= 0 && offset + dst.length <= capacity) {
            half.get((int) offset, dst, 0, dst.length);
        }
        return true;
    }

    /**
     * The active half's records rounded up to {@code alignment}, padding zeroed, as a slice of the
     * mapping ready for an O_DIRECT write. Writer only.
     */
    public ByteBuffer chunk(int alignment) {
        int len = writePosition;
        int aligned = (len + alignment - 1) / alignment * alignment;
        ByteBuffer half = halves[active];
        for (int i = len; i < aligned; i++) {
            half.put(i, (byte) 0);
        }
        return half.slice(0, aligned);
    }

    /**
     * Makes the active half, whose {@link #chunk} of {@code chunkLength} bytes is about to be written,
     * the pending one, and starts the other at {@code newBase}. The other half's own write must be done
     * ({@link #pendingWritten}): it is about to be overwritten.
     *
     * <p>The new header is written but not forced: that waits for {@link #pendingWritten}, off the
     * writer's path (a forced header page cost about 1.2 ms a flush under garbage collection's I/O,
     * all of it under the shard's write lock). It is safe because the header on the device then still
     * names the old active half and no pending one (the last forced header, the one {@link
     * #pendingWritten} left), so it claims nothing of the half about to be overwritten: a key record
     * pointing there that a power loss leaves is checked against the old half's bytes, at an address
     * no record there has, and rejected. Writer only.
     */
    public void swap(int chunkLength, long newBase) {
        if (version1) {
            throw new IllegalStateException("a version 1 buffer is replaced at open, before any append");
        }
        if (pendingUnwritten) {
            throw new IllegalStateException("the pending half of " + path + " is not written yet");
        }
        long stamp = resetLock.writeLock();
        try {
            pendingBase = base;
            pendingLength = chunkLength;
            pendingUnwritten = true;
            active ^= 1;
            base = newBase;
            writePosition = 0;
        } finally {
            resetLock.unlockWrite(stamp);
        }
        writeHeader(false, true);
    }

    /**
     * Starts the active half, empty, over at {@code newBase} (a new head segment); the pending half is
     * left as it is. The header is forced before anything is appended: an address in the new segment
     * is not the old header's, so a key record pointing there would be taken for one whose value is in
     * the segment, which it is not yet. Writer only.
     *
     * <p>Whether the header names the pending half is read under this object's lock, with the header
     * write: the flusher may mark the half written ({@link #pendingWritten}) at any moment. Read before,
     * a header naming a half already written could be forced after the flusher's, and stay the device's
     * while nothing forces the half's pages any more (the flag is clear): a power loss would then leave a
     * header naming a half whose bytes never reached the device, and the open would reject the key
     * records pointing there and write those bytes over the segment that holds the values.
     */
    public void restart(long newBase) {
        if (writePosition != 0) {
            throw new IllegalStateException("restart of a buffer holding " + writePosition + " bytes");
        }
        long stamp = resetLock.writeLock();
        try {
            base = newBase;
        } finally {
            resetLock.unlockWrite(stamp);
        }
        synchronized (this) {
            writeHeader(true, pendingUnwritten);
        }
    }

    /** The pending half's {@link #pendingLength} bytes, as {@link #chunk} gave them: for the write at open. */
    public ByteBuffer pendingChunk() {
        return halves[active ^ 1].slice(0, pendingLength);
    }

    /**
     * Records that the pending half is in its segment, durably: the header stops naming it, so that an
     * open after a power loss does not write the half's bytes there again (its pages in this file may
     * not have reached the device; the segment's have). The flag that {@link #force} and garbage
     * collection go by changes only once that header is forced: until then the header on the device
     * may name the half, and the half must be forced with the rest, and its segment kept. Any thread.
     */
    public synchronized void pendingWritten() {
        if (pendingUnwritten) {
            writeHeader(true, false);
            pendingUnwritten = false;
        }
    }

    /**
     * Forces the header and the buffered records to the device: the active half's, and the pending
     * half's while its write is not known to be done. Safe outside the write lock.
     */
    public void force() {
        while (true) {
            long stamp = resetLock.tryOptimisticRead();
            if (stamp == 0) {
                Thread.onSpinWait(); // a swap or restart is changing the fields: a few stores
                continue;
            }
            int a = active;
            int end = writePosition;
            int pending = pendingUnwritten ? pendingLength : 0;
            Mappings.force(map, 0, HEADER_SIZE, path);
            if (end > 0) {
                Mappings.force(map, HEADER_SIZE + a * capacity, end, path);
            }
            if (pending > 0) {
                Mappings.force(map, HEADER_SIZE + (a ^ 1) * capacity, pending, path);
            }
            if (resetLock.validate(stamp)) {
                return;
            }
        }
    }

    /** Where the record at {@code address}, which the buffer holds, lies in this file: for messages. */
    public long fileOffset(long address) {
        if (inPending(address)) {
            return HEADER_SIZE + (long) (active ^ 1) * capacity + (address - pendingBase);
        }
        return HEADER_SIZE + (long) active * capacity + (address - base);
    }

    /** Unmaps the file; for a version 1 buffer being replaced at open, when nothing else reads it. */
    void unmap() {
        Mappings.unmap(map);
    }
}
