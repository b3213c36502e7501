package io.toykv.core.log;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.Directories;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A shard's values log: the staging {@link ValueBuffer} and the {@link Segment}s behind it. Values are
 * appended to the buffer's active half; when the next record does not fit in it, its chunk (rounded up
 * to {@link DirectIo#ALIGNMENT}) becomes the pending half, which the log's flusher thread
 * ({@code toykv-flush-<shard>}) writes to the head segment at the chunk's base offset, while appends
 * go on in the other half after it. A chunk never crosses a segment's end: when the head segment is
 * full a new one is allocated (its predecessor is sealed once its last chunk is written).
 *
 * <p>Garbage collection adds whole segments of its own ({@link SegmentBuilder}), so segment ids are
 * handed out by one counter, {@link #nextSegmentId}, shared by rolls and collections and never reused
 * while the log is open.
 *
 * <p>An address the buffer holds ({@link ValueBuffer#holds}) is read from the buffer, any other from its
 * segment. Appends, flushes, rolls and adoptions are writer-only (the shard's write lock); reads are
 * lock-free.
 */
public final class ValuesLog {
    private final Path dir;
    private final long segmentSize;
    private final DirectIo io;
    private final FileAllocator allocator;
    private final int bufferSize;
    /** Longest value appended to the buffer; a longer one gets a segment of its own ({@link #writeLarge}). */
    private final int largeValueSize;
    /** Replaced once, at open, when a version 1 buffer is upgraded ({@link #finishRecovery}). */
    private ValueBuffer buffer;
    /** The pending half on its way to its segment, and the next head made ahead. */
    private final Flusher flusher;
    /**
     * Whether the open has numbered new segments above every id the keys log names
     * ({@link #numberNewSegmentsAbove}); no head is made ahead before, since the replay itself may flush.
     */
    private boolean idsSettled;
    /** Segments by id; replaced, never changed in place, so readers need no lock. */
    private volatile SegmentTable segmentsById = SegmentTable.EMPTY;

    private Segment head;
    /** The id the next new segment gets: above every id seen since open. Writer only. */
    private long nextSegmentId;

    private boolean directInUse;
    private final SegmentDeleter deleter;
    /** The checks at open ({@link #checkBuffered}, {@link #finishRecovery}). */
    private final BufferRecovery recovery = new BufferRecovery();

    /** Whether the caller may write: holds the shard's write lock once {@link #checkWritesUnder} named it. */
    private volatile BooleanSupplier writer = () -> true;

    private ValuesLog(
            Path dir,
            int bufferSize,
            long segmentSize,
            int largeValueSize,
            DirectIo io,
            FileAllocator allocator,
            ValueBuffer buffer) {
        this.dir = dir;
        this.bufferSize = bufferSize;
        this.largeValueSize = largeValueSize;
        this.flusher = new Flusher("toykv-flush-" + dir.getFileName());
        this.deleter = new SegmentDeleter(dir);
        this.segmentSize = segmentSize;
        this.io = io;
        this.allocator = allocator;
        this.buffer = buffer;
    }

    /** A log whose values all go through the buffer: {@link #open(Path, int, long, int, int, DirectIo, FileAllocator)}. */
    public static ValuesLog open(
            Path dir, int bufferSize, long segmentSize, int largestRecord, DirectIo io, FileAllocator allocator)
            throws IOException {
        return open(dir, bufferSize, segmentSize, largestRecord, Integer.MAX_VALUE, io, allocator);
    }

    /**
     * Opens (or creates) the values log of the shard in {@code dir}. {@code largestRecord}: the largest
     * record appended to the buffer, which each half must hold; values longer than
     * {@code largeValueSize} get a segment of their own ({@link #writeLarge}).
     */
    public static ValuesLog open(
            Path dir,
            int bufferSize,
            long segmentSize,
            int largestRecord,
            int largeValueSize,
            DirectIo io,
            FileAllocator allocator)
            throws IOException {
        ValueBuffer buffer = ValueBuffer.open(FileNames.buffer(dir), bufferSize, Address.of(1, 0), allocator);
        if (buffer.capacity() < largestRecord) {
            throw new IllegalArgumentException(
                    "each half of the store's buffer " + buffer.path() + " holds " + buffer.capacity()
                            + " bytes, but the largest record these limits allow takes " + largestRecord
                            + " (lower maxValueSize, or copy the data into a new store)");
        }
        ValuesLog log = new ValuesLog(dir, bufferSize, segmentSize, largeValueSize, io, allocator, buffer);
        try {
            List<Segment> found = new java.util.ArrayList<>();
            // One table for them all (each addSegment rebuilds it), also when the listing fails midway:
            // the clean-up below retires what the table holds.
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String name = p.getFileName().toString();
                    long id = FileNames.parseSegment(name);
                    if (id > Address.MAX_SEGMENT) {
                        // Ten digits go past the largest id: not a file the store wrote. Numbering new
                        // segments after it would leave no id for the next roll.
                        throw new CorruptionException(
                                p, 0, "segment id " + id + " is past the largest, " + Address.MAX_SEGMENT);
                    }
                    if (id > 0) {
                        found.add(Segment.open(p, id));
                    } else if (name.endsWith(FileNames.SEGMENT_SUFFIX + FileNames.TEMP_SUFFIX)) {
                        FileIo.of(p).delete(p); // a collection's segment a crash cut short: nothing pointed at it yet
                    }
                }
            } finally {
                log.segmentsById = SegmentTable.of(found);
            }
            long headId = Address.segment(buffer.base());
            // Segments numbered after the head are kept: written by garbage collection, or made by a roll
            // that a crash cut short (never written). Whichever holds no live value, collection deletes.
            log.nextSegmentId = headId + 1;
            for (Segment s : log.segments()) {
                log.nextSegmentId = Math.max(log.nextSegmentId, s.id() + 1);
            }
            Segment h = log.segment(headId);
            if (h == null) {
                if (Address.offset(buffer.base()) != 0) {
                    throw new CorruptionException(
                            buffer.path(),
                            0,
                            "buffer base " + Address.describe(buffer.base()) + " names a missing segment");
                }
                h = log.createSegment(headId);
            }
            log.head = h;
            log.directInUse = h.openForWrite(io);
            // The buffer's write position is set once the keys log has been replayed (finishRecovery).
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    private Segment createSegment(long id) throws IOException {
        Segment s = makeSegment(id);
        addSegment(s);
        return s;
    }

    /** A new segment file, mapped, its name forced; not yet in the table. */
    private Segment makeSegment(long id) throws IOException {
        Path p = FileNames.segment(dir, id);
        allocator.createSparse(p, segmentSize);
        Segment s;
        try {
            s = Segment.open(p, id);
        } catch (IOException | RuntimeException e) {
            FileIo.of(p).deleteIfExists(p); // e.g. an interrupt during map: leave no half-made segment behind
            throw e;
        }
        // Its name must survive a power loss before the buffer's header names it as the head (the
        // chunks written to it are fdatasync'ed, which does not cover the directory entry).
        try {
            Directories.force(dir);
        } catch (IOException | RuntimeException e) {
            s.retire();
            FileIo.of(p).deleteIfExists(p);
            throw e;
        }
        return s;
    }

    /**
     * Has the flusher make the next head segment ahead of need ({@link Flusher#prepareNextHead}), once
     * the open has settled the ids. Writer only.
     */
    private void prepareNextHead() {
        if (!flusher.nextHeadPrepared() && idsSettled) {
            long id = reserveSegmentId();
            flusher.prepareNextHead(() -> makeSegment(id));
        }
    }

    /** The next head: the one made ahead if that worked, else one made now. Writer only. */
    private Segment takeNextHead() throws IOException {
        Segment s = flusher.takeNextHead();
        if (s != null) {
            addSegment(s);
            return s;
        }
        return createSegment(reserveSegmentId());
    }

    /** The segment with {@code id}, or null. Lock-free. */
    public Segment segment(long id) {
        return segmentsById.get(id);
    }

    private void addSegment(Segment s) {
        segmentsById = segmentsById.with(s);
    }

    private void removeSegment(long id) {
        segmentsById = segmentsById.without(id);
    }

    /** Every segment, in id order. */
    public List<Segment> segments() {
        return segmentsById.all();
    }

    private int chunkCapacity() {
        long room = head.size() - Address.offset(buffer.base());
        return (int) Math.min(buffer.capacity(), room);
    }

    /**
     * Names the lock the "writer only" methods need from now on (the shard's write lock, once the open
     * is done): with assertions on, each then checks that its caller holds it.
     */
    public void checkWritesUnder(ReentrantLock lock) {
        writer = lock::isHeldByCurrentThread;
    }

    /**
     * Appends a value record and returns its address. Hands the active half to the flusher (waiting
     * for the one before it, if still in flight) or rolls to a new segment first when needed; if that
     * fails, nothing was appended.
     */
    public long append(byte[] key, byte[] value) throws IOException {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        int size = ValueRecord.size(value.length);
        if (buffer.writePosition() + size > chunkCapacity()) {
            startFlush();
            if (size > chunkCapacity()) {
                roll();
            }
        }
        return buffer.append(key, value);
    }

    /** Whether a value of {@code length} bytes gets a segment of its own instead of going through the buffer. */
    public boolean isLarge(int length) {
        return length > largeValueSize;
    }

    /**
     * Writes a large value ({@link #isLarge}) durably to a new segment of its own, under {@code id}
     * ({@link #reserveSegmentId}), and returns it, not yet readable: {@link #adoptLarge} makes it so,
     * under the write lock, just before the key record that points at it is appended. Takes no lock
     * (the write takes as long as the value's bytes take to reach the device). A caller that does not
     * adopt it deletes it with {@link #discardLarge}.
     */
    public Segment writeLarge(long id, byte[] key, byte[] value) throws IOException {
        return LargeValueWriter.write(dir, id, key, value, io);
    }

    /** Makes a segment {@link #writeLarge} wrote readable and returns its value's address. Writer only. */
    public long adoptLarge(Segment s) {
        adopt(s);
        return Address.of(s.id(), 0);
    }

    /** Deletes a segment {@link #writeLarge} wrote that was not adopted (its put did not happen). Needs no lock. */
    public void discardLarge(Segment s) throws IOException {
        s.retire();
        FileIo.of(s.path()).deleteIfExists(s.path());
    }

    /**
     * Makes the buffered records the pending half, on its way to the head segment ({@link #awaitWritten}
     * waits for it without the write lock). Waits first for the write before it, if still in flight:
     * call {@link #awaitInFlight} before taking the write lock to wait without it. Writer only.
     */
    public void startFlush() throws IOException {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        finishPending();
        if (buffer.writePosition() == 0) {
            return;
        }
        ByteBuffer chunk = buffer.chunk(DirectIo.ALIGNMENT);
        long base = buffer.base();
        Segment target = head;
        buffer.swap(chunk.remaining(), base + chunk.remaining());
        flusher.submit(buffer, target, Address.offset(base), chunk);
        prepareNextHead();
    }

    /**
     * Has an {@link Error} in the flusher ({@code OutOfMemoryError}, say) told at once to the handler
     * {@link #reportErrorsTo} set, besides being kept in the task's future for its caller.
     */
    public void reportErrorsTo(Consumer<Throwable> handler) {
        flusher.reportErrorsTo(handler);
    }

    /**
     * The failed force a pending half's write met, once the writer collected it: the pending half was
     * not written again and stays; nothing may be forced or acknowledged after it. Null if none. Any thread.
     */
    public Throwable forceFailure() {
        return flusher.forceFailure();
    }

    /** Collects the pending half's write ({@link Flusher#finishPending}). Writer only. */
    private void finishPending() throws IOException {
        flusher.finishPending(buffer, head);
    }

    /** Waits, without the write lock, for the write of the pending half, if any; its failure is left to the writer. */
    public void awaitInFlight() {
        flusher.awaitInFlight();
    }

    /**
     * Waits, without the write lock, for every record appended before the last {@link #startFlush}
     * to be durable in its segment; throws if its write failed. (A later flush may have replaced it
     * meanwhile: the writer starts one only once the one before is done.)
     */
    public void awaitWritten() throws IOException {
        flusher.awaitWritten();
    }

    /**
     * Writes the buffered records to the head segment and waits for them to be durable there (with
     * the write in flight before them). Writer only.
     */
    public void flush() throws IOException {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        startFlush();
        finishPending();
    }

    /**
     * Starts a new head segment. The active half must be empty; the pending one, if any, is still
     * written to the old head, which is sealed after it.
     */
    private void roll() throws IOException {
        Segment next = takeNextHead();
        try {
            directInUse = next.openForWrite(io);
        } catch (IOException e) {
            removeSegment(next.id());
            next.retire();
            FileIo.of(next.path()).deleteIfExists(next.path());
            throw e;
        }
        Flusher.PendingFlush p = flusher.pending();
        if (p == null || p.segment != head) {
            head.seal();
        }
        head = next;
        buffer.restart(Address.of(next.id(), 0));
    }

    /**
     * Reads the value stored for {@code key} at {@code address}. Returns null when the segment has been
     * retired (garbage collection moved the value: look the key up again). Throws when the record fails
     * its checks: a wrong value is never returned.
     */
    public byte[] read(byte[] key, long address, int length) throws CorruptionException {
        // A record out of the buffer is checked where it lies in its segment's mapping and only its value
        // copied: no copy of the whole record first. One in the pending half may not be in its segment
        // yet, and the in-place check of one a flush is writing fails: both take the general path.
        if (!ValueBuffer.holds(buffer.base(), address) && !buffer.inPending(address)) {
            byte[] value = readInPlace(key, address, length);
            if (value != NOT_IN_PLACE) {
                return value;
            }
        }
        byte[] rec = new byte[length];
        Path file = buffer.path();
        long offset;
        if (buffer.read(address, rec)) {
            offset = buffer.fileOffset(address);
        } else {
            Segment s = segment(Address.segment(address));
            if (s == null || !s.acquire()) {
                return null;
            }
            try {
                file = s.path();
                offset = Address.offset(address);
                if (offset + length > s.size()) {
                    throw new CorruptionException(
                            file, offset, "value record of " + length + " bytes runs past the segment end");
                }
                s.read(offset, rec);
            } finally {
                s.release();
            }
        }
        byte[] value = ValueRecord.valueIfValid(rec, address, key);
        if (value == null) {
            throw new CorruptionException(file, offset, "value record checksum, length or key mismatch");
        }
        return value;
    }

    /** What {@link #readInPlace} returns when the record is not valid where it looked. */
    private static final byte[] NOT_IN_PLACE = new byte[0];

    /**
     * {@link #read} of a record in a segment: checked in place in the segment's mapping and only its
     * value copied, so a read of a large value of hundreds of megabytes allocates it once. The reader
     * holds the segment (never a lock) while it reads. Returns null when the segment was retired, {@link #NOT_IN_PLACE} when the record there fails its checks: then the
     * general path decides (a store reopened with a smaller largeValueSize may hold such a record in
     * the pending half of its buffer, which a flush moves under the reader).
     */
    private byte[] readInPlace(byte[] key, long address, int length) {
        Segment s = segment(Address.segment(address));
        if (s == null || !s.acquire()) {
            return null;
        }
        try {
            long offset = Address.offset(address);
            if (offset + length > s.size()) {
                return NOT_IN_PLACE;
            }
            byte[] value = ValueRecord.valueIfValid(s.view(offset, length), address, key);
            return value != null ? value : NOT_IN_PLACE;
        } finally {
            s.release();
        }
    }

    /**
     * At open, for each key record the replay of the keys log reaches: why it cannot be trusted (it
     * points into the buffer, and the record there is not a valid one of its key: lost in a power loss,
     * or never written), or null if it can or points into a segment. The buffer's records end after the
     * furthest one that passes ({@link #finishRecovery}).
     */
    public String checkBuffered(byte[] key, long address, int length) {
        return recovery.checkBuffered(buffer, key, address, length);
    }

    /**
     * Ends the replay at open: appends go on after the furthest buffered record of the active half a
     * key record points at. A record past it no key record names: it is dead (its put was never
     * acknowledged), and is overwritten. A pending half the header still names is written to its
     * segment again (its records a key record names all passed their checks here, so the bytes are
     * right where it matters; the rest of the range holds nothing live). A version 1 buffer's records
     * are written to their segment and the file replaced by a version 2 one, starting after them.
     */
    public void finishRecovery() throws IOException {
        buffer = recovery.finish(buffer, head, segmentsById, io, bufferSize, allocator);
    }

    /**
     * Why a live key's value at {@code address} cannot be where the index says, or null: it must lie
     * in the buffer or in an existing segment. (Superseded records may point at segments that garbage
     * collection has deleted; only live ones are checked.)
     */
    public String checkLive(long address, int length) {
        return BufferRecovery.checkLive(buffer, segmentsById, address, length);
    }

    /**
     * Numbers new segments above {@code id}. Called at open with the highest id the keys log names: a
     * segment garbage collection freed can still be named by superseded key records, and a new segment
     * under its id would make them seem to point into it (replay checks every record that points into
     * the buffer's segment, so one past the buffered data would fail the open). Writer only.
     */
    public void numberNewSegmentsAbove(long id) {
        nextSegmentId = Math.max(nextSegmentId, id + 1);
        idsSettled = true;
    }

    /** Takes the id for a new segment. Writer only. */
    public long reserveSegmentId() {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        if (nextSegmentId > Address.MAX_SEGMENT) {
            throw new IllegalStateException("segment ids exhausted in " + dir);
        }
        return nextSegmentId++;
    }

    /**
     * Makes a segment that garbage collection wrote whole ({@link SegmentBuilder#commit}) and opened
     * ({@link Segment#open}) readable, under the id it reserved. Writer only.
     */
    public void adopt(Segment s) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        addSegment(s);
    }

    /** Id of the head segment. Writer only. */
    public long headId() {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        return head.id();
    }

    /**
     * Whether segment {@code id} is still written to: the head, or the one before it until its last
     * chunk is written. Garbage collection must not touch it. Writer only.
     */
    public boolean writable(long id) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        Flusher.PendingFlush p = flusher.pending();
        return id == head.id() || (p != null && p.segment.id() == id && buffer.pendingUnwritten());
    }

    /**
     * Takes a segment no live key points at out of the log: new readers no longer find it. Returns it,
     * or null for the head or an unknown id. The caller deletes it with {@link #delete} once it has let
     * go of the write lock: unmapping, unlinking and forcing the directory take milliseconds, which
     * puts would otherwise wait for. Writer only.
     */
    public Segment detachSegment(long id) {
        assert writer.getAsBoolean() : "writer only: the caller must hold the shard's write lock";
        Segment s = segment(id);
        if (s == null || writable(id)) {
            return null;
        }
        removeSegment(id);
        return s;
    }

    /**
     * Deletes detached segments ({@link #detachSegment}): readers that still hold one finish first (it
     * is unmapped when the last one lets go), then the files go and the directory is forced once.
     * Needs no lock. A crash before the unlink leaves a segment nothing points at, which the next
     * collection deletes. An unlink that fails is tried again by every later call (an empty list
     * retries only those); the first failure of each file is thrown, after the others were deleted.
     */
    public void delete(List<Segment> detached) throws IOException {
        deleter.delete(detached);
    }

    /** Whether a segment file's unlink failed and is waiting to be tried again ({@link #delete}). */
    public boolean unlinkPending() {
        return deleter.unlinkPending();
    }

    /**
     * Forces the buffer (header and records), after waiting for the pending half's write (so that it
     * need not be forced here too, unless that write failed). Safe outside the write lock.
     */
    public void force() {
        awaitInFlight();
        buffer.force();
    }

    public boolean directIo() {
        return directInUse;
    }

    /** How segment files are opened for writing (O_DIRECT, or the fallback), for garbage collection's segments. */
    public DirectIo io() {
        return io;
    }

    /** Segments in the log (not the next head made ahead, {@link #prepareNextHead}). */
    public int segmentCount() {
        return segments().size();
    }

    /** Bytes of segment space used: whole sealed segments plus the head up to the buffer's base. */
    public long segmentBytes() {
        long total = 0;
        for (Segment s : segments()) {
            total += s == head ? Address.offset(buffer.base()) : s.size();
        }
        return total;
    }

    public long bufferBytes() {
        return buffer.writePosition();
    }

    /** Flushes the buffer and forces everything; used by a clean close. */
    public void flushAndForce() throws IOException {
        flush();
        buffer.force();
    }

    /**
     * Stops the flusher, once a write in flight is done (an abandoned shard's too: the store may be
     * opened again in this process, and an old flusher must not write its header after the open), and
     * releases every segment; the buffer's mapping is left to the garbage collector (readers may race).
     */
    public void close() {
        Segment unused = flusher.shutdown();
        if (unused != null) {
            try {
                unused.retire();
                FileIo.of(unused.path()).deleteIfExists(unused.path());
            } catch (IOException | RuntimeException ignored) {
                // an empty segment after the head: the next open's first collection deletes it
            }
        }
        for (Segment s : segments()) {
            try {
                s.retire();
            } catch (IOException ignored) {
                // closing a write channel after its data was forced: nothing is lost
            }
        }
        segmentsById = SegmentTable.EMPTY;
    }
}
