package io.toykv.core.log;

import com.sun.nio.file.ExtendedOpenOption;
import io.toykv.core.io.FileIo;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens segment write channels with O_DIRECT ({@link ExtendedOpenOption#DIRECT}), falling back to
 * buffered I/O with one warning where the file system refuses it. Writes through a direct channel must
 * come from buffers aligned to {@link #ALIGNMENT}, at aligned offsets, in aligned lengths; the values
 * log keeps to that for both kinds of channel.
 */
public class DirectIo {
    /** Alignment of O_DIRECT buffers, offsets and lengths: a page, which covers 512 and 4096-byte blocks. */
    public static final int ALIGNMENT = 4096;

    /** {@code bytes} rounded up to a whole number of {@link #ALIGNMENT} pages. */
    public static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static final System.Logger LOG = System.getLogger(DirectIo.class.getName());

    private final boolean wanted;
    private volatile boolean fellBack;

    public DirectIo(boolean wanted) {
        this.wanted = wanted;
    }

    public FileChannel openForWrite(Path path) throws IOException {
        if (wanted && !fellBack) {
            try {
                return openDirect(path);
            } catch (IOException | UnsupportedOperationException e) {
                if (!java.nio.file.Files.exists(path)) {
                    throw e;
                }
                fellBack = true;
                LOG.log(
                        Level.WARNING,
                        "O_DIRECT refused for " + path + " (" + e.getMessage()
                                + "); values-log writes fall back to buffered I/O");
            }
        }
        return FileIo.of(path).open(path, StandardOpenOption.WRITE);
    }

    /** Opens with O_DIRECT; a test overrides it to play a file system that refuses. */
    protected FileChannel openDirect(Path path) throws IOException {
        return FileIo.of(path).open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
    }

    /** Whether the last open used O_DIRECT: false when not wanted or after a fallback. */
    public boolean inUse() {
        return wanted && !fellBack;
    }
}
