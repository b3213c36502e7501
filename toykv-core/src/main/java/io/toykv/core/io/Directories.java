package io.toykv.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Directory operations the durability protocol needs. */
public final class Directories {
    private Directories() {
    }

    /** Forces a directory's entries (creations, renames, deletions) to the device (fsync on the directory). */
    public static void force(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
