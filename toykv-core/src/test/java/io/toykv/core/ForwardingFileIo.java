package io.toykv.core;

import io.toykv.core.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** The real file system, each call of which a test may override to watch or change it. */
public class ForwardingFileIo implements FileIo {
    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return REAL.open(path, options);
    }

    @Override
    public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
        return REAL.write(ch, path, src, position);
    }

    @Override
    public void force(FileChannel ch, Path path, boolean metaData) throws IOException {
        REAL.force(ch, path, metaData);
    }

    @Override
    public MappedByteBuffer mapReadWrite(FileChannel ch, Path path, long size) throws IOException {
        return REAL.mapReadWrite(ch, path, size);
    }

    @Override
    public void force(MappedByteBuffer map, Path path, int index, int length) {
        REAL.force(map, path, index, length);
    }

    @Override
    public void allocate(Path file, long size) throws IOException {
        REAL.allocate(file, size);
    }

    @Override
    public void createSparse(Path file, long size) throws IOException {
        REAL.createSparse(file, size);
    }

    @Override
    public void createFile(Path file) throws IOException {
        REAL.createFile(file);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        REAL.createDirectories(dir);
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        REAL.move(from, to);
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        return REAL.deleteIfExists(file);
    }

    @Override
    public void delete(Path file) throws IOException {
        REAL.delete(file);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
        REAL.forceDirectory(dir);
    }
}
