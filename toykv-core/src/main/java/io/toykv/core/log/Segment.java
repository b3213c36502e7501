package io.toykv.core.log;

import io.toykv.core.io.FileIo;
import io.toykv.core.io.ForceFailedException;
import io.toykv.core.io.Mappings;
import io.toykv.core.io.Readahead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One values-log segment file ({@code NNNNNNNN.v}): chunks of value records written at aligned offsets,
 * zero padding between them. It is allocated at its full size when created, written through a
 * {@link DirectIo} channel, and read through a read-only mapping of the whole file.
 *
 * <p>Lifetime: the segment starts with one reference, the owner's. A reader {@link #acquire()}s it
 * around each copy out of the mapping; {@link #retire()} drops the owner's reference, and whoever drops
 * the last one unmaps the file. So a segment being read is never unmapped under its reader, and a
 * reader that fails to acquire knows the segment was retired and looks the key up again.
 */
public final class Segment {
    private final long id;
    private final Path path;
    private final long size;
    private final MappedByteBuffer map;
    private final AtomicInteger references = new AtomicInteger(1);
    /** Write channel of the head segment, or null for a sealed one. Writer only. */
    private FileChannel writeChannel;

    private DirectIo io;

    private Segment(long id, Path path, long size, MappedByteBuffer map) {
        this.id = id;
        this.path = path;
        this.size = size;
        this.map = map;
    }

    /** Maps an existing segment file for reading. */
    public static Segment open(Path path, long id) throws IOException {
        long size = Files.size(path);
        if (size > Integer.MAX_VALUE) {
            throw new IOException(path + ": segment larger than 2 GiB (" + size + " bytes)");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return new Segment(id, path, size, ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
        }
    }

    public long id() {
        return id;
    }

    public Path path() {
        return path;
    }

    public long size() {
        return size;
    }

    /** Opens the write channel (O_DIRECT when {@code direct}); returns whether O_DIRECT is in use. */
    public boolean openForWrite(DirectIo io) throws IOException {
        if (writeChannel == null) {
            writeChannel = io.openForWrite(path);
            this.io = io;
        }
        return io.inUse();
    }

    /**
     * Writes an aligned chunk at an aligned offset, then forces it (fdatasync): a chunk is durable
     * before the buffer that held it is reused.
     */
    public void writeChunk(ByteBuffer chunk, long offset) throws IOException {
        if (offset + chunk.remaining() > size) {
            throw new IllegalStateException("chunk of " + chunk.remaining() + " bytes at " + offset
                    + " does not fit in " + path + " (" + size + " bytes)");
        }
        if (!writeChannel.isOpen()) {
            writeChannel = io.openForWrite(path); // closed by an interrupt during an earlier attempt
        }
        boolean interrupted = false;
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    ByteBuffer src = chunk.duplicate();
                    long pos = offset;
                    while (src.hasRemaining()) {
                        pos += FileIo.of(path).write(writeChannel, path, src, pos);
                    }
                    forceWritten();
                    Readahead.willNeed(map, offset, chunk.remaining());
                    return;
                } catch (ClosedByInterruptException e) {
                    // An interrupt of the writing thread closes a FileChannel. The store must not lose its
                    // head segment to that: reopen and write the whole chunk again (same bytes, same place).
                    // A thread interrupted again and again gets the exception; the next write reopens.
                    interrupted = true;
                    Thread.interrupted();
                    writeChannel = io.openForWrite(path);
                    if (attempt == 5) {
                        throw e;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * fdatasync of the write channel. Its failure is a {@link ForceFailedException} (not to be retried:
     * see there), except a channel closed by an interrupt, which {@link #writeChunk} reopens and retries.
     */
    private void forceWritten() throws IOException {
        try {
            FileIo.of(path).force(writeChannel, path, false);
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw new ForceFailedException(path, e);
        }
    }

    /** Closes the write channel; the segment stays readable. */
    public synchronized void seal() throws IOException { // the writer and a collector's delete may race
        if (writeChannel != null) {
            writeChannel.close();
            writeChannel = null;
        }
    }

    public boolean acquire() {
        while (true) {
            int n = references.get();
            if (n <= 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        if (references.decrementAndGet() == 0) {
            Mappings.unmap(map);
        }
    }

    /** Drops the owner's reference; the mapping goes when the last reader is done. */
    public void retire() throws IOException {
        seal();
        release();
    }

    /**
     * The {@code length} bytes at {@code offset}, in place (little-endian): read without a copy of the
     * whole record. The caller holds a reference while it uses them.
     */
    public ByteBuffer view(long offset, int length) {
        return map.slice((int) offset, length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies {@code dst.length} bytes at {@code offset}. The caller holds a reference. */
    public void read(long offset, byte[] dst) {
        read(offset, dst, 0, dst.length);
    }

    /** Copies {@code length} bytes at {@code offset} into {@code dst} from {@code at}. The caller holds a reference. */
    public void read(long offset, byte[] dst, int at, int length) {
        map.get((int) offset, dst, at, length);
    }
}
