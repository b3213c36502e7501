package io.toykv.core.log;

import io.toykv.core.io.Directories;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import io.toykv.core.io.ForceFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A segment that garbage collection writes whole, away from the head: the live values it moves out of
 * its victims, as ordinary value records packed from offset 0, the file's length rounded up to
 * {@link DirectIo#ALIGNMENT} with zeros. Keeping moved values out of the head keeps values that
 * survived a collection (cold) apart from fresh writes (hot), so later collections find segments that
 * are mostly garbage or mostly live instead of a mix.
 *
 * <p>The records are built in memory and {@link #commit}ted as temp file, force, atomic rename, force of
 * the directory; only after that may a key record point at them. Used by one thread, off the write lock.
 */
public final class SegmentBuilder {
    private final Path dir;
    private final long id;
    private final ByteBuffer data;

    /** A builder for segment {@code id} (reserved with {@link ValuesLog#reserveSegmentId}) of at most {@code capacity} bytes of records. */
    public SegmentBuilder(Path dir, long id, int capacity) {
        this.dir = dir;
        this.id = id;
        int aligned = (int) DirectIo.align(capacity);
        this.data = ByteBuffer.allocate(aligned).order(ByteOrder.LITTLE_ENDIAN);
    }

    public long id() {
        return id;
    }

    /** A page-aligned direct buffer per thread (the collector's), grown as needed: O_DIRECT needs one. */
    private static final ThreadLocal<ByteBuffer> ALIGNED = new ThreadLocal<>();

    private static ByteBuffer alignedCopy(ByteBuffer src) {
        ByteBuffer b = ALIGNED.get();
        if (b == null || b.capacity() < src.remaining()) {
            b = ByteBuffer.allocateDirect(src.remaining() + DirectIo.ALIGNMENT).alignedSlice(DirectIo.ALIGNMENT);
            ALIGNED.set(b);
        }
        b.clear();
        b.put(src);
        return b.flip();
    }

    public boolean fits(int recordSize) {
        return data.position() + recordSize <= data.capacity();
    }

    public boolean isEmpty() {
        return data.position() == 0;
    }

    /**
     * Appends the record of {@code size} bytes for {@code key} at {@code address} of {@code from} (a
     * segment the caller holds a reference to), as it is but for the checksum, which covers the new
     * address. The record is checked first as a read checks it (checksum, lengths, key); the caller
     * checked that it {@link #fits}. Returns the new address, or -1 when the record fails its check
     * (then nothing is appended).
     */
    public long copy(Segment from, long address, byte[] key, int size) {
        int pos = data.position();
        from.read(Address.offset(address), data.array(), data.arrayOffset() + pos, size);
        if (!ValueRecord.isRecordOf(data, pos, size, address, key)) {
            return -1;
        }
        long to = Address.of(id, pos);
        ValueRecord.readdress(data, pos, size, to, key);
        data.position(pos + size);
        return to;
    }

    /**
     * Writes the segment durably under its final name and returns its path: temp file, force, atomic
     * rename, force of the directory. A crash before the rename leaves a temp file, which the next open
     * deletes; after it, a segment nothing points at yet, which the next collection deletes.
     *
     * <p>Written with O_DIRECT through {@code io} (from an aligned direct buffer, one a thread), like the
     * head's chunks: buffered, its megabytes sat in the page cache until the force, and on ext4's
     * ordered mode every fdatasync of a head chunk that fell meanwhile waited for them (the journal
     * commit writes the data of the blocks it allocates first), which held puts up for tens of ms.
     */
    public Path commit(DirectIo io) throws IOException {
        Path path = FileNames.segment(dir, id);
        int length = (int) DirectIo.align(data.position());
        ByteBuffer src = alignedCopy(data.duplicate().position(0).limit(length));
        writeWhole(dir, path, io, (ch, temp) -> {
            long at = 0;
            while (src.hasRemaining()) {
                at += FileIo.of(temp).write(ch, temp, src, at);
            }
        });
        return path;
    }

    /** What {@link #writeWhole} writes into the temp file's channel. */
    @FunctionalInterface
    interface Contents {
        void writeTo(FileChannel ch, Path temp) throws IOException;
    }

    /**
     * Creates segment file {@code path} of {@code dir} whole and durably: temp file, {@code contents}
     * written through {@code io}, force, atomic rename, force of the directory. On failure nothing of
     * it is left (a crash leaves a temp file, which the next open deletes, or a segment nothing points
     * at yet, which the next collection deletes).
     */
    static void writeWhole(Path dir, Path path, DirectIo io, Contents contents) throws IOException {
        Path temp = FileNames.temp(path);
        FileIo.of(temp).createFile(temp); // fails if it exists: ids are never reused while open
        try (FileChannel ch = io.openForWrite(temp)) {
            contents.writeTo(ch, temp);
            try {
                FileIo.of(temp).force(ch, temp, true);
            } catch (IOException e) {
                throw new ForceFailedException(temp, e); // not to be retried: see there
            }
        } catch (IOException | RuntimeException e) {
            FileIo.of(temp).deleteIfExists(temp);
            throw e;
        }
        try {
            FileIo.of(path).move(temp, path);
            Directories.force(dir);
        } catch (IOException | RuntimeException e) {
            FileIo.of(temp).deleteIfExists(temp);
            FileIo.of(path).deleteIfExists(path); // nothing points at it yet
            throw e;
        }
    }
}
