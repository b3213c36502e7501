package io.toykv.core.log;

import io.toykv.core.index.SortedIndex;
import io.toykv.core.io.Directories;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A shard's keys log: its {@link KeysFile}s in number order, appended to at the last one. When a record
 * does not fit, a new file is allocated and the full one is forced, so at any time only the last file
 * can hold records that were never forced. Writer only (the shard's write lock).
 */
public final class KeysLog {
    private final Path dir;
    private final int fileSize;
    private final FileAllocator allocator;
    private final List<KeysFile> files = new ArrayList<>();
    private long sealedRecordBytes;

    private KeysLog(Path dir, int fileSize, FileAllocator allocator) {
        this.dir = dir;
        this.fileSize = fileSize;
        this.allocator = allocator;
    }

    /** Opens every keys file in {@code dir} and replays them into {@code sink}; creates the first if none. */
    public static KeysLog recover(Path dir, int fileSize, FileAllocator allocator, KeysFile.RecordSink sink)
            throws IOException {
        KeysLog log = new KeysLog(dir, fileSize, allocator);
        List<Long> numbers = new ArrayList<>();
        List<Path> leftovers = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                String name = p.getFileName().toString();
                long n = FileNames.parseKeysFile(name);
                if (n > 0) {
                    numbers.add(n);
                } else if (name.endsWith(FileNames.KEYS_SUFFIX + FileNames.TEMP_SUFFIX)) {
                    leftovers.add(p);
                }
            });
        }
        for (Path p : leftovers) {
            Files.delete(p); // a keys file whose creation a crash interrupted: it was never in use
        }
        numbers.sort(null);
        try {
            for (int i = 0; i < numbers.size(); i++) {
                KeysFile f = KeysFile.open(FileNames.keysFile(dir, numbers.get(i)), numbers.get(i));
                log.files.add(f);
                f.recover(sink, i == numbers.size() - 1);
            }
            for (int i = 0; i < log.files.size() - 1; i++) {
                log.sealedRecordBytes += log.files.get(i).recordBytes();
            }
            if (log.files.isEmpty()) {
                log.files.add(KeysFile.create(FileNames.keysFile(dir, 1), 1, fileSize, allocator));
            }
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    private KeysFile current() {
        return files.get(files.size() - 1);
    }

    /**
     * Makes room for a record of {@code recordSize} bytes, allocating a new file if needed. Has no
     * effect when it throws, so a full disk fails the put before anything is written.
     */
    public void ensureRoom(int recordSize) throws IOException {
        KeysFile cur = current();
        if (cur.fits(recordSize)) {
            return;
        }
        int size = Math.max(fileSize, KeysFile.HEADER_SIZE + recordSize + 4096);
        size = (size + 4095) / 4096 * 4096;
        KeysFile next = KeysFile.create(FileNames.keysFile(dir, cur.number() + 1), cur.number() + 1, size, allocator);
        cur.force();
        sealedRecordBytes += cur.recordBytes();
        files.add(next);
    }

    /** Appends a record; {@link #ensureRoom} was called for it. */
    public void append(byte kind, byte[] key, int valueLength, long address) {
        current().append(kind, key, valueLength, address);
    }

    /** Where the log ends now: what a sync started at this moment must force. Writer only. */
    public SyncPoint syncPoint() {
        KeysFile f = current();
        return new SyncPoint(f, f.writePosition());
    }

    /**
     * A position to force up to, taken under the write lock and forced outside it. A file that was
     * full at that moment was forced when the next one was started, so only the last one needs it.
     */
    public record SyncPoint(KeysFile file, int end) {
        public void force() {
            file.forceTo(end);
        }
    }

    public long recordBytes() {
        return sealedRecordBytes + current().recordBytes();
    }

    /**
     * Compaction: replaces every file by new ones holding one PUT per live key, numbered after the
     * old ones. The new files are forced before the old ones are deleted. A crash before the deletions
     * finish leaves old and new files side by side, which replay to the same state (the new records
     * repeat what the old ones ended with), and a torn new file is the log's last file, so it is cut
     * like any torn tail. Writer only. Returns the bytes of records dropped.
     */
    public long rewrite(SortedIndex index) throws IOException {
        KeysFile last = current();
        last.force(); // a file that stops being the last must hold nothing unforced
        long before = recordBytes();
        List<KeysFile> fresh = new ArrayList<>();
        long number = last.number() + 1;
        try {
            fresh.add(KeysFile.create(FileNames.keysFile(dir, number), number, fileSize, allocator));
            SortedIndex.Cursor c = index.cursor(null);
            while (c.next()) {
                KeysFile f = fresh.get(fresh.size() - 1);
                int size = KeyRecord.size(c.key().length);
                if (!f.fits(size)) {
                    f.force();
                    number++;
                    int fileBytes = (Math.max(fileSize, KeysFile.HEADER_SIZE + size + 4096) + 4095) / 4096 * 4096;
                    f = KeysFile.create(FileNames.keysFile(dir, number), number, fileBytes, allocator);
                    fresh.add(f);
                }
                f.append(KeyRecord.PUT, c.key(), c.length(), c.address());
            }
            KeysFile f = fresh.get(fresh.size() - 1);
            f.force();
            f.force(); // makes the header's synced length durable too
        } catch (IOException | RuntimeException e) {
            for (KeysFile f : fresh) {
                f.unmap();
                Files.deleteIfExists(f.path());
            }
            throw e;
        }
        List<KeysFile> old = new ArrayList<>(files);
        files.clear();
        files.addAll(fresh);
        sealedRecordBytes = 0;
        for (int i = 0; i < files.size() - 1; i++) {
            sealedRecordBytes += files.get(i).recordBytes();
        }
        for (KeysFile f : old) {
            f.unmap();
            Files.deleteIfExists(f.path());
        }
        Directories.force(dir);
        return before - recordBytes();
    }

    /** Forces and unmaps every file. Writer only, with no appends after. */
    public void close() {
        for (KeysFile f : files) {
            f.unmap();
        }
        files.clear();
    }

    /** Forces the last file, then unmaps all. */
    public void forceAndClose() {
        if (!files.isEmpty()) {
            KeysFile cur = current();
            cur.force();
            cur.force(); // the second force makes the header's synced length durable too
        }
        close();
    }
}
