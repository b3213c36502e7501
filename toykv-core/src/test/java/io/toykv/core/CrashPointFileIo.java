package io.toykv.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The real file system until a chosen change: from the {@code n}th change after {@link #arm} on,
 * every write, force, rename, unlink, creation and directory force fails, as if the process had been
 * killed at that point. What reached the files before it is what a kill -9 there would leave (the
 * page cache), so reopening the directory with the real file system recovers from that state.
 */
final class CrashPointFileIo extends ForwardingFileIo {
    private long countdown = Long.MAX_VALUE;
    private long changes;
    private boolean dead;

    /** Counts changes from now; the {@code n}th (1-based) and every later one fail. */
    synchronized void arm(long n) {
        countdown = n;
        changes = 0;
    }

    /** Changes counted since {@link #arm}. */
    synchronized long changes() {
        return changes;
    }

    synchronized boolean crashed() {
        return dead;
    }

    private synchronized void change(Path path) throws IOException {
        changes++;
        if (dead || changes >= countdown) {
            dead = true;
            throw new IOException("simulated crash before a change of " + path);
        }
    }

    @Override
    public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
        change(path);
        return super.write(ch, path, src, position);
    }

    @Override
    public void force(FileChannel ch, Path path, boolean metaData) throws IOException {
        change(path);
        super.force(ch, path, metaData);
    }

    @Override
    public void force(MappedByteBuffer map, Path path, int index, int length) {
        try {
            change(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        super.force(map, path, index, length);
    }

    @Override
    public void allocate(Path file, long size) throws IOException {
        change(file);
        super.allocate(file, size);
    }

    @Override
    public void createSparse(Path file, long size) throws IOException {
        change(file);
        super.createSparse(file, size);
    }

    @Override
    public void createFile(Path file) throws IOException {
        change(file);
        super.createFile(file);
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        change(to);
        super.move(from, to);
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        change(file);
        return super.deleteIfExists(file);
    }

    @Override
    public void delete(Path file) throws IOException {
        change(file);
        super.delete(file);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
        change(dir);
        super.forceDirectory(dir);
    }
}
