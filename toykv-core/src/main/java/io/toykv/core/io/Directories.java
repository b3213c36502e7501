package io.toykv.core.io;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Directory operations the durability protocol needs. */
public final class Directories {
    private Directories() {
    }

    /**
     * Forces a directory's entries (creations, renames, deletions) to the device (fsync on the
     * directory). A failure of the fsync itself is a {@link ForceFailedException}.
     */
    public static void force(Path dir) throws IOException {
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
