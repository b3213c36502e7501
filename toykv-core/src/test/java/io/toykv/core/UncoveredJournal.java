package io.toykv.core;

import io.toykv.core.engine.CommitJournal;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A {@link FileIo} under which the checkpointer's header writes to {@code journal.log} never reach the
 * file: the journal on the device stays uncovered from the open on, as a power loss before a
 * checkpoint's header leaves it (the shards' logs keep whatever reached them).
 */
public final class UncoveredJournal extends ForwardingFileIo {
    public static final FileIo IO = new UncoveredJournal();

    private UncoveredJournal() {}

    @Override
    public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
        if (path.getFileName().equals(FileNames.journal(Path.of("")).getFileName())
                && position < CommitJournal.HEADER_SIZE
                && Thread.currentThread().getName().startsWith("toykv-sync")) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }
        return super.write(ch, path, src, position);
    }
}
