package io.toykv.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * The one way the store changes what is on the device: every write, force, creation, allocation,
 * rename, unlink and directory force of the store's files goes through a {@code FileIo}. {@link #REAL}
 * is the file system; a test puts a simulated device behind the same calls (through
 * {@code StoreOptions.fileIo}) to see which bytes a power loss could keep.
 *
 * <p>Reads do not go through it: a crash state is a directory of real files, opened as any store is.
 * Changes made through a mapping ({@link #mapReadWrite}) reach the file's page-cache image at once, as
 * they do on the real file system, and the device only at {@link #force(MappedByteBuffer, Path, int, int)}.
 *
 * <p>The code that writes a file finds its {@code FileIo} with {@link #of(Path)}, by the file's path:
 * a store installs its options' {@code FileIo} for its directory while it is open ({@link #install}), so
 * no writer needs one more parameter. Without any installed (the normal case) {@link #of} is one volatile
 * read and returns {@link #REAL}.
 */
public interface FileIo {
    /** The real file system. */
    FileIo REAL = RealFileIo.INSTANCE;

    /** The {@code FileIo} installed for a directory holding {@code path}, or {@link #REAL}. */
    static FileIo of(Path path) {
        return FileIoScopes.lookup(path);
    }

    /**
     * Makes {@link #of} return {@code io} for every path under {@code dir} until the returned handle is
     * closed. Installing {@link #REAL} does nothing.
     */
    static Installed install(Path dir, FileIo io) {
        return FileIoScopes.install(dir, io);
    }

    /** A {@link #install} in force; closing it (once) removes it. */
    interface Installed extends AutoCloseable {
        @Override
        void close();
    }

    /** Opens a file for writing; with CREATE or CREATE_NEW among {@code options} it may create it. */
    FileChannel open(Path path, OpenOption... options) throws IOException;

    /** Writes {@code src} at {@code position} of {@code ch}, a channel of {@code path} (pwrite); returns the bytes written. */
    int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException;

    /** Forces {@code ch}, a channel of {@code path}: fsync with {@code metaData}, fdatasync without. */
    void force(FileChannel ch, Path path, boolean metaData) throws IOException;

    /** Maps {@code size} bytes of {@code ch}, a channel of {@code path}, read-write from offset 0. */
    MappedByteBuffer mapReadWrite(FileChannel ch, Path path, long size) throws IOException;

    /**
     * Forces [index, index + length) of {@code map}, a mapping of {@code path}, to the device (msync). A
     * failure is an {@code UncheckedIOException}, as from {@link MappedByteBuffer#force(int, int)}.
     */
    void force(MappedByteBuffer map, Path path, int index, int length);

    /** Creates {@code file} (which must not exist) with {@code size} allocated zero bytes, and forces it ({@link FileAllocator}). */
    void allocate(Path file, long size) throws IOException;

    /** Creates {@code file} (which must not exist) as a sparse file of {@code size} bytes ({@link FileAllocator}). */
    void createSparse(Path file, long size) throws IOException;

    /** Creates an empty {@code file}; fails if it exists. */
    void createFile(Path file) throws IOException;

    /** Creates {@code dir} and any missing parents. */
    void createDirectories(Path dir) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}. */
    void move(Path from, Path to) throws IOException;

    /** Unlinks {@code file}; returns whether it existed. */
    boolean deleteIfExists(Path file) throws IOException;

    /** Unlinks {@code file}, which must exist. */
    void delete(Path file) throws IOException;

    /** Forces a directory's entries (creations, renames, unlinks) to the device ({@link Directories}). */
    void forceDirectory(Path dir) throws IOException;

    /**
     * Marks a moment at which another thread's force of {@code path} (what {@code otherThreadsForce}
     * does: a sync's force of a mapping, say) can land in a store of several threads, where the code's
     * correctness depends on what that force finds. The real file system does nothing: threads
     * interleave by themselves. A simulated device may run {@code otherThreadsForce} here, to reach that
     * interleaving on purpose rather than by luck.
     */
    default void concurrentForcePoint(Path path, Runnable otherThreadsForce) {}
}
