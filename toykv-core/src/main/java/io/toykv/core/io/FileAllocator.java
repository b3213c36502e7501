package io.toykv.core.io;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Creates the store's files, through their {@link FileIo}. Every file the store memory-maps for writing is allocated in full, so
 * that writing through the mapping never needs a new block: a full disk then shows up as an
 * {@link IOException} here, at allocation, instead of a SIGBUS in the middle of a put. Segments, written
 * only with write(2), are sparse and take blocks as chunks land in them.
 *
 * <p>Uses fallocate(2) through JNA; where that is missing or refused it writes zeros.
 */
public class FileAllocator {
    private static final int ZERO_CHUNK = 1 << 20;

    /** The allocator the store uses unless a test injects another. */
    public static final FileAllocator DEFAULT = new FileAllocator();

    /**
     * Creates {@code file} (which must not exist) with {@code size} allocated zero bytes, and forces it.
     * On failure the partial file is deleted.
     */
    public void allocate(Path file, long size) throws IOException {
        FileIo.of(file).allocate(file, size);
    }

    /** {@link #allocate} on the real file system ({@link FileIo#REAL}). */
    static void allocateOnDisk(Path file, long size) throws IOException {
        boolean ok = false;
        try {
            if (!NativeIo.available() || !fallocate(file, size)) {
                writeZeros(file, size);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            ok = true;
        } finally {
            if (!ok) {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
    }

    /**
     * Creates {@code file} (which must not exist) as a sparse file of {@code size} bytes: no blocks are
     * allocated until written. For files written only with write(2), where a full disk is an error
     * return, not a signal.
     */
    public void createSparse(Path file, long size) throws IOException {
        FileIo.of(file).createSparse(file, size);
    }

    /** {@link #createSparse} on the real file system ({@link FileIo#REAL}). */
    static void createSparseOnDisk(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (size > 0) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
        } catch (IOException | RuntimeException e) {
            java.nio.file.Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Returns false when the file system does not support fallocate. */
    private static boolean fallocate(Path file, long size) throws IOException {
        NativeIo.LibC libc = NativeIo.libc();
        int fd;
        try {
            fd = libc.open(file.toString(), NativeIo.O_WRONLY | NativeIo.O_CREAT | NativeIo.O_CLOEXEC, 0644);
        } catch (LastErrorException e) {
            throw new FileSystemException(file.toString(), null, "open failed: errno " + e.getErrorCode());
        }
        try {
            libc.fallocate(fd, 0, 0, size);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == NativeIo.EOPNOTSUPP || e.getErrorCode() == NativeIo.ENOSYS) {
                return false;
            }
            String why = e.getErrorCode() == NativeIo.ENOSPC ? "No space left on device" : "errno " + e.getErrorCode();
            throw new FileSystemException(file.toString(), null, "cannot allocate " + size + " bytes: " + why);
        } finally {
            try {
                libc.close(fd);
            } catch (LastErrorException ignored) {
                // the descriptor is gone either way; the data was not written through it
            }
        }
    }

    private static void writeZeros(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, Math.max(size, 1)));
            long pos = 0;
            while (pos < size) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - pos));
                pos += ch.write(zeros, pos);
            }
        }
    }
}
