package io.toykv.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** {@link FileIo#REAL}: each call is the file-system call it names, nothing more. */
final class RealFileIo implements FileIo {
    static final RealFileIo INSTANCE = new RealFileIo();

    private RealFileIo() {}

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return FileChannel.open(path, options);
    }

    @Override
    public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
        return ch.write(src, position);
    }

    @Override
    public void force(FileChannel ch, Path path, boolean metaData) throws IOException {
        if (Mappings.injectFailure()) {
            throw new IOException("Input/output error (injected)");
        }
        ch.force(metaData);
    }

    @Override
    public MappedByteBuffer mapReadWrite(FileChannel ch, Path path, long size) throws IOException {
        return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
    }

    @Override
    public void force(MappedByteBuffer map, Path path, int index, int length) {
        if (Mappings.injectFailure()) {
            throw new UncheckedIOException(new IOException("Input/output error (injected)"));
        }
        map.force(index, length);
    }

    @Override
    public void allocate(Path file, long size) throws IOException {
        FileAllocator.allocateOnDisk(file, size);
    }

    @Override
    public void createSparse(Path file, long size) throws IOException {
        FileAllocator.createSparseOnDisk(file, size);
    }

    @Override
    public void createFile(Path file) throws IOException {
        Files.createFile(file);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        return Files.deleteIfExists(file);
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.delete(file);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            try {
                ch.force(true);
            } catch (ClosedChannelException e) {
                throw e; // an interrupt of this thread, not the device: the caller may try again
            } catch (IOException e) {
                throw new ForceFailedException(dir, e);
            }
        }
    }
}
