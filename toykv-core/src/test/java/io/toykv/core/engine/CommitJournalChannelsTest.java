package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toykv.core.ForwardingFileIo;
import io.toykv.core.io.FileIo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's channels (the header's and the rounds') are closed by its close, and by an open that fails. */
class CommitJournalChannelsTest {
    private static final long MAX_RECORD = 1000;
    private static final long BUFFER = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void aCloseClosesEveryChannelTheJournalOpened() throws IOException {
        OpenedChannels io = new OpenedChannels(Integer.MAX_VALUE);
        try (FileIo.Installed installed = FileIo.install(dir, io)) {
            CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, true);
            j.restart();
            byte[] k = "k".getBytes(StandardCharsets.UTF_8);
            j.reserve(CommitJournal.recordSize(k, k));
            j.syncTo(j.append(CommitJournal.PUT, 0, k, k, 0));
            j.release(CommitJournal.recordSize(k, k));
            j.close(true);
        }
        assertFalse(io.journalChannels.isEmpty());
        assertEquals(List.of(), io.open(), "channels left open");
    }

    @Test
    void anOpenThatFailsHalfWayClosesWhatItOpened() throws IOException {
        CommitJournal.open(dir, MAX_RECORD, BUFFER, true).close();
        OpenedChannels io = new OpenedChannels(2); // the second open of journal.log fails
        try (FileIo.Installed installed = FileIo.install(dir, io)) {
            assertThrows(IOException.class, () -> CommitJournal.open(dir, MAX_RECORD, BUFFER, false));
        }
        assertEquals(1, io.journalChannels.size(), "the first open succeeded");
        assertEquals(List.of(), io.open(), "channels left open");
    }

    /** The real file system, keeping each channel opened on {@code journal.log}; its {@code failAt}th open fails. */
    private static final class OpenedChannels extends ForwardingFileIo {
        final List<FileChannel> journalChannels = new CopyOnWriteArrayList<>();
        private final int failAt;
        private int opens;

        OpenedChannels(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public synchronized FileChannel open(Path path, OpenOption... options) throws IOException {
            if (!path.getFileName().toString().equals("journal.log")) {
                return super.open(path, options);
            }
            if (++opens == failAt) {
                throw new IOException("Too many open files (injected)");
            }
            FileChannel ch = super.open(path, options);
            journalChannels.add(ch);
            return ch;
        }

        List<FileChannel> open() {
            return journalChannels.stream().filter(FileChannel::isOpen).toList();
        }
    }
}
