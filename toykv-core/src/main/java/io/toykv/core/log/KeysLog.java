package io.toykv.core.log;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.Directories;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A shard's keys log: its {@link KeysFile}s in number order, appended to at the last one. When a record
 * does not fit, a new file is allocated and the full one is forced, so at any time only the last file
 * can hold records that were never forced. Writer only (the shard's write lock).
 *
 * <p>Every force this class makes on its own (the full file at a roll, a rewrite's files) is preceded
 * by {@link ValuesFirst#makeDurable}: a key record forced before the value it points at could outlive
 * it in a power loss, and a rejected record before the last file's synced length fails the open.
 */
public final class KeysLog {
    /** Makes every value appended so far durable (the shard flushes its buffer). */
    @FunctionalInterface
    public interface ValuesFirst {
        void makeDurable() throws IOException;
    }

    /**
     * Where the log records which keys files it is made of, so that the open can tell a missing file.
     * The record names a range of file numbers; every file in it must exist. It is written (durably)
     * after a roll made a new file, after a rewrite named its files and before it deletes the old ones,
     * and at open when it differs from what the open found.
     */
    public interface Chain {
        /** A log that records nothing and checks nothing. */
        Chain NONE = new Chain() {
            @Override
            public long recordedFirst() {
                return 0;
            }

            @Override
            public long recordedLast() {
                return 0;
            }

            @Override
            public void record(long first, long last) {}
        };

        /** The first file of the range recorded when the log was last open, or 0 when none was. */
        long recordedFirst();

        /** The last file of that range. */
        long recordedLast();

        /** Records that the log is made of the files numbered {@code first} to {@code last}. */
        void record(long first, long last) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(KeysLog.class.getName());

    private final Path dir;
    private final int fileSize;
    private final FileAllocator allocator;
    private final ValuesFirst valuesFirst;

    /** Whether the caller may write: holds the shard's write lock once {@link #checkWritesUnder} named it. */
    private volatile BooleanSupplier writer = () -> true;

    private final Chain chain;
    /** The number of the first file of the log as {@link #chain} records it. Writer only. */
    private long chainFirst;

    private final List<KeysFile> files = new ArrayList<>();
    private long sealedRecordBytes;
    /** True from the end of a rewrite to the next append: a rewrite now would write the same log. */
    private boolean freshlyRewritten;

    private KeysLog(Path dir, int fileSize, FileAllocator allocator, ValuesFirst valuesFirst, Chain chain) {
        this.dir = dir;
        this.fileSize = fileSize;
        this.allocator = allocator;
        this.valuesFirst = valuesFirst;
        this.chain = chain;
    }

    /**
     * Opens every keys file in {@code dir} and replays them into {@code sink}; creates the first if none.
     * {@code valuesFirst} is called, under the writer's lock, before any force of records this log
     * makes itself.
     */
    public static KeysLog recover(
            Path dir, int fileSize, FileAllocator allocator, ValuesFirst valuesFirst, KeysFile.RecordSink sink)
            throws IOException {
        return recover(dir, fileSize, allocator, valuesFirst, sink, Chain.NONE);
    }

    /**
     * As above, and checks the files against what {@code chain} recorded: every file in its range must
     * exist ({@link CorruptionException} names the first missing one). Files past the range that do
     * not follow it without a gap are the named files of a rewrite a crash cut short before it was
     * recorded, which the old files make redundant: they are deleted.
     */
    public static KeysLog recover(
            Path dir,
            int fileSize,
            FileAllocator allocator,
            ValuesFirst valuesFirst,
            KeysFile.RecordSink sink,
            Chain chain)
            throws IOException {
        KeysLog log = new KeysLog(dir, fileSize, allocator, valuesFirst, chain);
        List<Long> found = new ArrayList<>();
        List<Path> leftovers = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                String name = p.getFileName().toString();
                long n = FileNames.parseKeysFile(name);
                if (n > 0) {
                    found.add(n);
                } else if (name.endsWith(FileNames.KEYS_SUFFIX + FileNames.TEMP_SUFFIX)) {
                    leftovers.add(p);
                }
            });
        }
        for (Path p : leftovers) {
            FileIo.of(p).delete(p); // a keys file whose creation a crash interrupted: it was never in use
        }
        found.sort(null);
        List<Long> numbers = checkChain(dir, found, chain);
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
            long last = log.current().number();
            log.chainFirst = chain.recordedFirst() > 0 ? chain.recordedFirst() : firstOfRun(numbers, last);
            if (log.chainFirst != chain.recordedFirst() || last != chain.recordedLast()) {
                chain.record(log.chainFirst, last);
            }
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    /**
     * Checks {@code numbers}, the keys files found (sorted), against the range {@code chain} recorded;
     * returns the numbers of the files to replay.
     */
    private static List<Long> checkChain(Path dir, List<Long> numbers, Chain chain) throws IOException {
        long first = chain.recordedFirst();
        long last = chain.recordedLast();
        if (first == 0) {
            return numbers;
        }
        for (long n = first; n <= last; n++) {
            if (!numbers.contains(n)) {
                throw new CorruptionException(
                        FileNames.keysFile(dir, n),
                        0,
                        "keys file " + n + " is missing (the keys" + " log is files " + first + " to " + last + "; "
                                + numbers.size() + " keys files found)");
            }
        }
        // Past the range: a roll's new file (last + 1, and on without a gap) is kept; anything after a
        // gap was named by a rewrite that never recorded its files (it names them last to first).
        List<Long> kept = new ArrayList<>();
        long next = last + 1;
        for (long n : numbers) {
            if (n <= last || n == next) {
                kept.add(n);
                next = n == next ? n + 1 : next;
            } else {
                Path p = FileNames.keysFile(dir, n);
                LOG.log(System.Logger.Level.INFO, "deleting " + p + ": named by a keys-log rewrite a crash cut short");
                FileIo.of(p).delete(p);
            }
        }
        if (kept.size() < numbers.size()) {
            Directories.force(dir);
        }
        return kept;
    }

    /** The first number of the run of consecutive numbers in {@code numbers} (sorted) that ends at {@code last}. */
    private static long firstOfRun(List<Long> numbers, long last) {
        long first = last;
        while (numbers.contains(first - 1)) {
            first--;
        }
        return first;
    }

    private KeysFile current() {
        return files.get(files.size() - 1);
    }

    /**
     * Names the lock the "writer only" methods need from now on (the shard's write lock, once the open
     * is done): with assertions on, each then checks that its caller holds it.
     */
    public void checkWritesUnder(ReentrantLock lock) {
        writer = lock::isHeldByCurrentThread;
    }

    /**
     * Makes room for a record of {@code recordSize} bytes, allocating a new file if needed. Writes no
     * record when it throws, so a full disk fails the put before anything is written. (A roll whose
     * record of the files fails, and whose undoing fails too, keeps the new file as the current one.)
     */
    public void ensureRoom(int recordSize) throws IOException {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        KeysFile cur = current();
        if (cur.fits(recordSize)) {
            return;
        }
        // The full file is forced below and stops being the last: its records' values go first.
        valuesFirst.makeDurable();
        int size = fileBytesFor(recordSize);
        KeysFile next = KeysFile.create(FileNames.keysFile(dir, cur.number() + 1), cur.number() + 1, size, allocator);
        try {
            chain.record(chainFirst, next.number());
        } catch (IOException | RuntimeException e) {
            // The record may have taken effect (its rename done, the force of the directory failed) and
            // name the new file: record the old range again before the new file goes.
            try {
                chain.record(chainFirst, cur.number());
            } catch (IOException | RuntimeException again) {
                // Whether the record names the new file is unknown: keep it, as the current file, as
                // the roll would have. Either range accepts it: one that names it finds it, and one that
                // does not accepts a file right after it (a crash in a roll leaves the same). Appending
                // to the full file instead could leave a torn tail in a file that is not the last.
                e.addSuppressed(again);
                adopt(cur, next);
                throw e;
            }
            next.unmap();
            FileIo.of(next.path()).deleteIfExists(next.path());
            throw e;
        }
        adopt(cur, next);
    }

    /** Makes {@code next} the file appended to, then forces {@code cur}, which stops being the last. */
    private void adopt(KeysFile cur, KeysFile next) {
        sealedRecordBytes += cur.recordBytes();
        files.add(next);
        cur.force();
    }

    /** Appends a record; {@link #ensureRoom} was called for it. */
    public void append(byte kind, byte[] key, int valueLength, long address) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        current().append(kind, key, valueLength, address);
        freshlyRewritten = false;
    }

    /**
     * Appends a PUT, or a PUT_EXPIRING record when {@code expireAt} is not 0; {@link #ensureRoom} was
     * called for {@code KeyRecord.size(KeyRecord.putKind(expireAt), key.length)}.
     */
    public void appendPut(byte[] key, int valueLength, long address, long expireAt) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        if (expireAt == 0) {
            current().append(KeyRecord.PUT, key, valueLength, address);
        } else {
            current().appendExpiring(key, valueLength, address, expireAt);
        }
        freshlyRewritten = false;
    }

    /**
     * Appends {@code batch}, which holds at least one entry, as one BATCH record; {@link #ensureRoom}
     * was called for {@code KeyRecord.size(batch.length())} or more.
     */
    public void appendBatch(PutBatch batch) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        current().appendBatch(batch);
        freshlyRewritten = false;
    }

    /**
     * Appends one shard's part of atomic batch {@code batchId} as one ATOMIC_PART record;
     * {@link #ensureRoom} was called for {@code KeyRecord.size(part.length())}.
     */
    public void appendAtomicPart(long batchId, AtomicPart part) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        current().appendAtomicPart(batchId, part);
        freshlyRewritten = false;
    }

    /** Whether nothing was appended since the last rewrite finished (false until one has, since open). */
    public boolean freshlyRewritten() {
        return freshlyRewritten;
    }

    /** Where the log ends now: what a sync started at this moment must force. Writer only. */
    public SyncPoint syncPoint() {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
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

    /**
     * Forces every file and marks the last one's records synced: after a kill, records the replay read
     * from the page cache can be in any file (one killed between a roll's new file and its force of
     * the full one leaves them in the last but one). Writer only; for the open.
     */
    public void forceAll() {
        for (KeysFile f : files) {
            f.force();
        }
    }

    public long recordBytes() {
        return sealedRecordBytes + current().recordBytes();
    }

    /**
     * A compaction in three steps, so that the long part holds no lock. {@link #beginRewrite} (writer,
     * under the lock) marks where the log stands. {@link #writeLive} (no lock) walks the live keys and
     * writes a CLEAR and then every key's PUT, packed into BATCH records ({@link PutBatch}), into new files under temp names, and forces them: the walk is weakly
     * consistent, but every key not written since the mark is seen as it is, and every key written
     * since is written again by the last step. {@link #switchToRewrite} (writer, under the lock) copies
     * the records appended since the mark after them and names the new files after the old ones, and
     * {@link #deleteReplaced} (no lock) deletes the old ones; {@link #abortRewrite} deletes the new
     * files instead.
     *
     * <p>Replay of the new files gives the index's state: the walk's records, then every change since
     * the mark in order. The new files are named from the last (which holds those changes) to the
     * first, and the old last file is forced before any, so after a crash at any point the files on
     * disk are the old ones followed by a suffix of the new ones, and replay to the same state.
     */
    public final class Rewrite {
        private final KeysFile mark;
        private final int markPosition;
        private final List<KeysFile> fresh = new ArrayList<>();
        /** The old files once {@link #switchToRewrite} replaced them, for {@link #deleteReplaced}. */
        private final List<KeysFile> replaced = new ArrayList<>();
        /** The first of the old files once the new ones were recorded as the log, else 0. */
        private long recordedOld;

        private Rewrite(KeysFile mark, int markPosition) {
            this.mark = mark;
            this.markPosition = markPosition;
        }

        /** The file a record of {@code size} bytes goes to, started when the last one is full. */
        private KeysFile room(int size) throws IOException {
            KeysFile f = fresh.isEmpty() ? null : fresh.get(fresh.size() - 1);
            if (f == null || !f.fits(size)) {
                f = KeysFile.createTemp(FileNames.keysRewriteFile(dir, fresh.size()), fileBytesFor(size), allocator);
                fresh.add(f);
            }
            return f;
        }
    }

    /** The size of a new keys file that must hold a record of {@code recordSize} bytes: whole pages. */
    private int fileBytesFor(int recordSize) {
        return (Math.max(fileSize, KeysFile.HEADER_SIZE + recordSize + 4096) + 4095) / 4096 * 4096;
    }

    /** Starts a compaction ({@link Rewrite}) at the end of the log as it is now. Writer only. */
    public Rewrite beginRewrite() {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        KeysFile last = current();
        return new Rewrite(last, last.writePosition());
    }

    /**
     * The live keys a rewrite writes, walked once in key order, like a cursor: {@link #next} moves to
     * the next entry, and the other methods describe it. The engine walks its index with one; the log
     * knows nothing of the index.
     */
    public interface LiveKeys {
        /** Moves to the next live key; false past the last. */
        boolean next();

        byte[] key();

        /** Length of the key's value record. */
        int length();

        /** Address of the key's value record. */
        long address();

        /** When the key expires (milliseconds since the epoch), or 0 if it does not. */
        default long expireAt() {
            return 0;
        }
    }

    /**
     * Writes every entry of {@code live}, in BATCH records after a CLEAR, into the rewrite's new
     * files and forces them; returns the bytes of records written. Takes no lock.
     */
    public long writeLive(Rewrite r, LiveKeys live) throws IOException {
        // A CLEAR first: once the first new file is named (it is named last, see switchToRewrite), replay
        // ignores whatever old file a failed delete or a power loss left behind.
        r.room(KeyRecord.size(0)).append(KeyRecord.CLEAR, new byte[0], 0, 0);
        // Batches of at most a quarter of a file, so a batch that does not fit wastes little of the one before.
        PutBatch batch = new PutBatch(Math.min(PutBatch.MAX_BODY, fileSize / 4));
        LiveKeys c = live;
        while (c.next()) {
            long expireAt = c.expireAt();
            if (expireAt != 0) {
                // A BATCH entry has no expiry: a key that has one takes a record of its own.
                r.room(KeyRecord.size(KeyRecord.PUT_EXPIRING, c.key().length))
                        .appendExpiring(c.key(), c.length(), c.address(), expireAt);
                continue;
            }
            if (batch.add(c.key(), c.length(), c.address())) {
                continue;
            }
            writeBatch(r, batch);
            if (!batch.add(c.key(), c.length(), c.address())) {
                // A key too long to share a batch with anything: an ordinary PUT holds it.
                r.room(KeyRecord.size(c.key().length)).append(KeyRecord.PUT, c.key(), c.length(), c.address());
            }
        }
        writeBatch(r, batch);
        long written = 0;
        for (KeysFile f : r.fresh) {
            f.forceTo(f.writePosition());
            written += f.recordBytes();
        }
        return written;
    }

    /** Appends the batch, if it holds anything, as one BATCH record, and empties it. */
    private void writeBatch(Rewrite r, PutBatch batch) throws IOException {
        if (batch.count() > 0) {
            r.room(KeyRecord.size(batch.length())).appendBatch(batch);
            batch.reset();
        }
    }

    /**
     * Appends the records written since {@link #beginRewrite}, names the new files after the old ones
     * and makes them the log; the old files stay on disk, mapped, until {@link #deleteReplaced}. Writer
     * only, and no force of the old files may be under way (the shard holds its sync lock). Returns
     * the bytes of records dropped.
     */
    public long switchToRewrite(Rewrite r) throws IOException {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        int from = files.indexOf(r.mark);
        if (from < 0) {
            throw new IllegalStateException("keys log rewrite began on a file the log no longer has: " + r.mark.path());
        }
        for (int i = from; i < files.size(); i++) {
            KeysFile old = files.get(i);
            int end = old.writePosition();
            for (int pos = i == from ? r.markPosition : KeysFile.HEADER_SIZE; pos < end; ) {
                int size = old.recordSizeAt(pos);
                r.room(size).appendCopy(old, pos, size);
                pos += size;
            }
        }
        // Values first: the old last file and the new files (the walk's records and the copies) are
        // forced below, and may point at values appended since the last sync.
        valuesFirst.makeDurable();
        long before = recordBytes();
        current().force(); // once the new files are named it is no longer the last: nothing unforced in it
        long first = current().number() + 1;
        int n = r.fresh.size();
        // Named from the last to the first, the directory forced after each: after a crash the directory
        // holds the old files and a suffix of the new ones. Without the first (and its CLEAR) that
        // replays to the same state (the old files hold it all; the walk's records are repeated by
        // the copies since the mark where they are stale); with it, the new files alone count.
        for (int i = n - 1; i >= 0; i--) {
            r.fresh.set(i, r.fresh.get(i).commitAs(FileNames.keysFile(dir, first + i), first + i));
            Directories.force(dir);
        }
        // The commit: from here the new files alone are the log, and the old ones may go.
        r.recordedOld = chainFirst;
        chain.record(first, first + n - 1);
        chainFirst = first;
        r.replaced.addAll(files);
        files.clear();
        files.addAll(r.fresh);
        r.fresh.clear();
        sealedRecordBytes = 0;
        for (int i = 0; i < files.size() - 1; i++) {
            sealedRecordBytes += files.get(i).recordBytes();
        }
        freshlyRewritten = true;
        return before - recordBytes();
    }

    /**
     * Unmaps and deletes the files a finished compaction replaced, then forces the directory. Needs
     * no write lock (appends go to the new files), only that no force of an old file is under way. A
     * crash before the deletes leaves old files in front of the new ones, which replay then ignores:
     * the first new file starts with a CLEAR.
     */
    public void deleteReplaced(Rewrite r) throws IOException {
        if (r.replaced.isEmpty()) {
            return;
        }
        for (KeysFile f : r.replaced) {
            f.unmap();
        }
        for (KeysFile f : r.replaced) {
            FileIo.of(f.path()).deleteIfExists(f.path());
        }
        r.replaced.clear();
        Directories.force(dir);
    }

    /**
     * Drops a compaction that did not finish: unmaps and deletes its new files, named or not (the old
     * files, still all there, hold everything), and forces the directory. A new file that has been
     * named must be gone before the next append to the old files, or a replay would apply its stale
     * records after newer ones: so after {@link #switchToRewrite} failed, call this under the writer's
     * lock, and append nothing more if it fails too.
     */
    public void abortRewrite(Rewrite r) throws IOException {
        if (r.recordedOld > 0 && r.replaced.isEmpty()) {
            // The record of the new files failed, and may have been written: the old files are the log.
            chainFirst = r.recordedOld;
            chain.record(chainFirst, current().number());
        }
        boolean named = false;
        for (KeysFile f : r.fresh) {
            named |= !f.path().getFileName().toString().endsWith(FileNames.TEMP_SUFFIX);
            f.unmap();
            FileIo.of(f.path()).deleteIfExists(f.path());
        }
        r.fresh.clear();
        if (named) {
            Directories.force(dir);
        }
    }

    /** Unmaps every file without forcing it (see {@link #forceAndClose}). Writer only, with no appends after. */
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
