package io.toykv.core;

import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** A FileIo whose writes to a store's {@code batches.log} fail as on a full disk while {@link #failing} is set. */
final class FullCommitFile extends ForwardingFileIo {
    final AtomicBoolean failing = new AtomicBoolean();
    private final Path commits;

    FullCommitFile(Path storeDir) {
        commits = FileNames.batchCommits(storeDir).toAbsolutePath().normalize();
    }

    @Override
    public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
        if (failing.get() && path.toAbsolutePath().normalize().equals(commits)) {
            throw new IOException(path + ": No space left on device");
        }
        return super.write(ch, path, src, position);
    }
}
