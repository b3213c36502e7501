package io.toykv.core.io;

import java.io.IOException;
import java.nio.file.Path;

/** Directory operations the durability protocol needs. */
public final class Directories {
    private Directories() {}

    /**
     * Forces a directory's entries (creations, renames, deletions) to the device (fsync on the
     * directory), through its {@link FileIo}. A failure of the fsync itself is a {@link ForceFailedException}.
     */
    public static void force(Path dir) throws IOException {
        FileIo.of(dir).forceDirectory(dir);
    }
}
