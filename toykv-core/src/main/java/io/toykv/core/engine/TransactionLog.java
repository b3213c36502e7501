package io.toykv.core.engine;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * {@code databases/transactions.log}: the redo log that makes a change of several databases (a move,
 * a clear of them all, a transaction that wrote to more than one) all or nothing. Little-endian:
 *
 * <pre>
 * header, 16 bytes
 * 0   4  magic 0x5854444B ("KDTX" little-endian)
 * 4   4  version (2; a file of version 1 is read, see below)
 * 8   4  0
 * 12  4  crc32c of bytes 0..12
 * records, one after another
 * 0   1  type: 1 TRANSACTION, 2 DONE
 * 1   8  sequence: a TRANSACTION's is above every earlier one's in the file; a DONE's is the
 *        TRANSACTION it closes, which must come before it and not be closed yet
 * 9   4  payload length p (0 for DONE)
 * 13  4  crc32c of bytes 0..13 and of the payload
 * 17  p  payload
 * TRANSACTION payload
 * 0   4  part count, then each part (each directory at most once):
 *        4  database directory number d (0..{@link DatabaseMap#MAX_DATABASES}-1; see {@link DatabaseMap#directory})
 *        1  flags: bit 0, clear the database before its changes; no other bit
 *        4  change count, then each change:
 *           1  kind: 1 PUT, 2 DELETE, 3 EXPIRE ({@link BatchOp.Kind})
 *           4  key length k, then k bytes of key
 *           PUT only:    8 expiry (0 none, or ms since the epoch),
 *                        4 value length v, then v bytes of value
 *           EXPIRE only: 8 expiry (0 removes it, or ms since the epoch)
 * </pre>
 *
 * The writer ({@code Databases}) appends a TRANSACTION and forces it before it changes any database,
 * applies and forces each database's part, then appends a DONE and forces it before it returns. Every
 * change is absolute (a value, a deletion, an expiry time, a clear), so applying a part twice leaves
 * what applying it once does: the open redoes every TRANSACTION without a DONE, in order, then
 * {@link #reset}s the file to its header. A record cut short or whose checksum fails ends the log: the
 * last record written, by a writer that died before its force returned (nothing after it was ever
 * written, since each record is forced before the next and a reset removes a torn tail), so it was
 * never acknowledged and no database holds any of it. Anything else that is wrong (the header, or a
 * record whose checksum holds but whose contents do not parse) fails the open with a
 * {@link CorruptionException}.
 *
 * <p>Not thread-safe: its writer serializes the calls.
 */
public final class TransactionLog implements AutoCloseable {
    public static final String FILE = "transactions.log";
    public static final int HEADER_SIZE = 16;
    public static final int RECORD_HEADER = 17;
    public static final byte TRANSACTION = 1;
    public static final byte DONE = 2;
    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    public static final byte EXPIRE = 3;
    /** The most payload one record may hold. */
    public static final int MAX_PAYLOAD = Integer.MAX_VALUE - 64;
    /** Past this size, a DONE that leaves nothing pending resets the file to its header. */
    static final long RESET_SIZE = 1 << 20;

    private static final int MAGIC = 0x5854444B;
    private static final int VERSION = 2;
    /** The version without a map section, still read. */
    private static final int VERSION_WITHOUT_MAP = 1;

    private static final int CLEAR_FLAG = 1;

    /** One database's part of a transaction: a clear first if {@code clear}, then {@code ops} in order. */
    public record Part(int directory, boolean clear, List<BatchOp> ops) {}

    /**
     * A TRANSACTION record: its parts, then, unless {@code map} is null, the database map that follows
     * them (the transaction swapped databases).
     */
    public record Transaction(long sequence, List<Part> parts, int[] map) {
        public Transaction(long sequence, List<Part> parts) {
            this(sequence, parts, null);
        }
    }

    /** What {@link #parse} found: the transactions without a DONE, in order, and where the valid records end. */
    public record Contents(List<Transaction> pending, long end, long lastSequence) {}

    private final Path path;
    private FileChannel channel;
    /** Where the next record goes. */
    private long end;

    private long lastSequence;
    /** Sequences appended and not closed by a DONE yet. */
    private final Set<Long> open = new HashSet<>();
    /** The first failed write or force: no record may follow a record of unknown state. */
    private IOException failure;
    /** The transactions to redo that the open found; empty once {@link #reset}. */
    private List<Transaction> pending;
    /** The file's size: {@link #end} and any torn tail past it; 0 while there is no file. */
    private long size;
    /** The version of the file's header: an older one is {@link #reset} before the first append. */
    private int version;

    private boolean closed;

    private TransactionLog(Path path, FileChannel channel, long end, long lastSequence) {
        this.path = path;
        this.channel = channel;
        this.end = end;
        this.lastSequence = lastSequence;
    }

    /** The log of the store at {@code storeDir}. */
    public static Path path(Path storeDir) {
        return storeDir.resolve("databases").resolve(FILE);
    }

    /**
     * Opens the log at {@code path} and reads it: the transactions to redo are in {@link #pending}
     * until {@link #reset}. A missing file is an empty log, made (durably) by the first {@link #append}.
     *
     * @throws CorruptionException the header or a whole record is damaged
     */
    public static TransactionLog open(Path path) throws IOException {
        if (!Files.exists(path)) {
            TransactionLog log = new TransactionLog(path, null, HEADER_SIZE, 0);
            log.pending = List.of();
            log.size = 0;
            return log;
        }
        byte[] bytes = Files.readAllBytes(path);
        Contents contents = parse(path, bytes);
        FileChannel channel = FileIo.of(path).open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        TransactionLog log = new TransactionLog(path, channel, contents.end(), contents.lastSequence());
        log.pending = contents.pending();
        log.size = channel.size();
        log.version = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
        return log;
    }

    /** The transactions without a DONE found at open, to redo before anything reads; empty after {@link #reset}. */
    public List<Transaction> pending() {
        return pending;
    }

    /** Whether the file holds more than its header (records, or a torn tail): a {@link #reset} is due once they are redone. */
    public boolean hasRecords() {
        return size > HEADER_SIZE;
    }

    private static ByteBuffer header() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, 0);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 12);
        b.putInt(12, (int) crc.getValue());
        return b;
    }

    /**
     * Appends a TRANSACTION of {@code parts} and forces it; returns its sequence, for {@link #done}.
     *
     * @throws IllegalArgumentException the record would be larger than {@link #MAX_PAYLOAD}; nothing written
     * @throws IOException the write or force failed: the record's state is unknown, and every later
     *     append fails until the store is reopened (which redoes it if it reached the device)
     */
    public long append(List<Part> parts) throws IOException {
        return append(parts, null);
    }

    /**
     * Appends a TRANSACTION of {@code parts} and, unless {@code map} is null, of the database map that
     * follows them (a permutation, as {@link DatabaseMap} writes it), and forces it; returns its
     * sequence, for {@link #done}.
     *
     * @throws IllegalArgumentException the record would be larger than {@link #MAX_PAYLOAD}, or the map
     *     is not a permutation of 0..n-1 for an n of 1..{@link DatabaseMap#MAX_DATABASES}; nothing written
     * @throws IOException as {@link #append(List)}
     */
    public long append(List<Part> parts, int[] map) throws IOException {
        checkUsable();
        if (map != null) {
            checkPermutation(map);
        }
        if (channel == null || version != VERSION) {
            // The first transaction of a store: the file is made, header only, before any record. Or a
            // file of an older version, every record of which is done (the open redid and reset it).
            if (!open.isEmpty() || !pending.isEmpty()) {
                throw new IllegalStateException("the transactions of " + path + " are not all done or redone");
            }
            reset();
        }
        long payload = payloadSize(parts) + 4 + (map == null ? 0 : 4L * map.length);
        if (payload > MAX_PAYLOAD) {
            throw new IllegalArgumentException(
                    "the changes take " + payload + " bytes; one transaction holds at most " + MAX_PAYLOAD);
        }
        ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + (int) payload).order(ByteOrder.LITTLE_ENDIAN);
        b.position(RECORD_HEADER);
        b.putInt(parts.size());
        for (Part part : parts) {
            b.putInt(part.directory());
            b.put((byte) (part.clear() ? CLEAR_FLAG : 0));
            b.putInt(part.ops().size());
            for (BatchOp op : part.ops()) {
                b.put(kindByte(op.kind()));
                b.putInt(op.key().length).put(op.key());
                if (op.kind() == BatchOp.Kind.PUT) {
                    b.putLong(op.expireAt()).putInt(op.value().length).put(op.value());
                } else if (op.kind() == BatchOp.Kind.EXPIRE) {
                    b.putLong(op.expireAt());
                }
            }
        }
        if (map == null) {
            b.putInt(0);
        } else {
            b.putInt(map.length);
            for (int d : map) {
                b.putInt(d);
            }
        }
        long sequence = lastSequence + 1;
        write(TRANSACTION, sequence, b);
        lastSequence = sequence;
        open.add(sequence);
        return sequence;
    }

    /**
     * Appends the DONE of {@code sequence} and forces it; then, if nothing is open and the file has
     * grown past {@link #RESET_SIZE}, resets it.
     */
    public void done(long sequence) throws IOException {
        checkUsable();
        if (!open.remove(sequence)) {
            throw new IllegalStateException("transaction " + sequence + " is not open");
        }
        write(DONE, sequence, ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN));
        if (open.isEmpty() && end > RESET_SIZE) {
            reset();
        }
    }

    /**
     * Marks the log unusable after a failure between {@link #append} and {@link #done} (a database's
     * apply failed): the transaction stays to be redone by the next open, and nothing more is appended.
     */
    public void fail(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
    }

    /**
     * Replaces the file with its header alone, durably (a temp file, renamed into place): every
     * transaction in it is done. A crash leaves the old file (all done, or redone again) or the new one.
     */
    public void reset() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        try {
            FileIo.of(path).createDirectories(path.getParent());
            StoreManifest.writeDurably(path, header());
            channel = FileIo.of(path).open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            fail(e);
            throw e;
        }
        end = HEADER_SIZE;
        size = HEADER_SIZE;
        version = VERSION;
        pending = List.of();
    }

    private void checkUsable() throws IOException {
        if (failure != null) {
            throw new IOException(
                    "a change of several databases failed (" + failure.getMessage()
                            + "); no other is accepted until the store is reopened",
                    failure);
        }
        if (closed) {
            throw new IOException(path + " is closed");
        }
    }

    /** Fills the record header of {@code record} (payload from {@link #RECORD_HEADER} to its limit), writes and forces it. */
    private void write(byte type, long sequence, ByteBuffer record) throws IOException {
        record.flip();
        record.limit(record.capacity());
        int payload = record.capacity() - RECORD_HEADER;
        record.put(0, type).putLong(1, sequence).putInt(9, payload);
        CRC32C crc = new CRC32C();
        crc.update(record.array(), 0, 13);
        crc.update(record.array(), RECORD_HEADER, payload);
        record.putInt(13, (int) crc.getValue());
        record.position(0);
        FileIo io = FileIo.of(path);
        try {
            long at = end;
            while (record.hasRemaining()) {
                at += io.write(channel, path, record, at);
            }
            io.force(channel, path, true);
        } catch (IOException e) {
            fail(e);
            throw e;
        }
        end += record.capacity();
        size = Math.max(size, end);
    }

    private static long payloadSize(List<Part> parts) {
        long size = 4;
        for (Part part : parts) {
            size += 4 + 1 + 4;
            for (BatchOp op : part.ops()) {
                size += 1 + 4 + op.key().length;
                if (op.kind() == BatchOp.Kind.PUT) {
                    size += 8 + 4 + op.value().length;
                } else if (op.kind() == BatchOp.Kind.EXPIRE) {
                    size += 8;
                }
            }
        }
        return size;
    }

    private static byte kindByte(BatchOp.Kind kind) {
        return switch (kind) {
            case PUT -> PUT;
            case DELETE -> DELETE;
            case EXPIRE -> EXPIRE;
        };
    }

    /**
     * Reads a whole log file's bytes: the header must be whole and right; records are read up to the
     * first one cut short or failing its checksum (the torn tail).
     *
     * @throws CorruptionException the header, or a record whose checksum holds, is malformed
     */
    public static Contents parse(Path file, byte[] bytes) throws CorruptionException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER_SIZE) {
            throw new CorruptionException(
                    file, 0, "transaction log of " + bytes.length + " bytes has no header (" + HEADER_SIZE + ")");
        }
        if (b.getInt(0) != MAGIC) {
            throw new CorruptionException(file, 0, "not a toykv transaction log (bad magic)");
        }
        int version = b.getInt(4);
        if (version != VERSION && version != VERSION_WITHOUT_MAP) {
            throw new CorruptionException(file, 4, "unsupported transaction log version " + version);
        }
        CRC32C headerCrc = new CRC32C();
        headerCrc.update(bytes, 0, 12);
        if (b.getInt(8) != 0 || (int) headerCrc.getValue() != b.getInt(12)) {
            throw new CorruptionException(file, 8, "transaction log header checksum mismatch");
        }
        Map<Long, Transaction> pending = new LinkedHashMap<>();
        long lastSequence = 0;
        int at = HEADER_SIZE;
        while (bytes.length - at >= RECORD_HEADER) {
            int length = b.getInt(at + 9);
            if (length < 0 || length > bytes.length - at - RECORD_HEADER) {
                break; // cut short: the torn tail
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, at, 13);
            crc.update(bytes, at + RECORD_HEADER, length);
            if ((int) crc.getValue() != b.getInt(at + 13)) {
                break; // the torn tail
            }
            byte type = b.get(at);
            long sequence = b.getLong(at + 1);
            if (type == TRANSACTION) {
                if (sequence <= lastSequence) {
                    throw new CorruptionException(
                            file, at + 1, "transaction " + sequence + " follows transaction " + lastSequence);
                }
                lastSequence = sequence;
                ByteBuffer payload = b.slice(at + RECORD_HEADER, length).order(ByteOrder.LITTLE_ENDIAN);
                pending.put(sequence, transaction(file, at + RECORD_HEADER, sequence, payload, version));
            } else if (type == DONE) {
                if (length != 0) {
                    throw new CorruptionException(file, at + 9, "done record with a payload of " + length + " bytes");
                }
                if (pending.remove(sequence) == null) {
                    throw new CorruptionException(
                            file, at + 1, "done record of transaction " + sequence + ", which is not open");
                }
            } else {
                throw new CorruptionException(file, at, "unknown transaction log record type " + type);
            }
            at += RECORD_HEADER + length;
        }
        return new Contents(List.copyOf(pending.values()), at, lastSequence);
    }

    /** A TRANSACTION whose payload starts at file offset {@code base}, in a file of {@code version}. */
    private static Transaction transaction(Path file, long base, long sequence, ByteBuffer p, int version)
            throws CorruptionException {
        List<Part> parts = parts(file, base, p);
        int[] map = version == VERSION_WITHOUT_MAP ? null : map(file, base, p);
        if (p.hasRemaining()) {
            throw new CorruptionException(
                    file, base + p.position(), p.remaining() + " bytes after the end of a transaction");
        }
        return new Transaction(sequence, parts, map);
    }

    /** The map section of a TRANSACTION payload (version 2): null if its length is 0. */
    private static int[] map(Path file, long base, ByteBuffer p) throws CorruptionException {
        int n = readCount(file, base, p, "map length");
        if (n == 0) {
            return null;
        }
        long lengthAt = base + p.position() - 4;
        if (n > DatabaseMap.MAX_DATABASES || 4L * n > p.remaining()) {
            throw new CorruptionException(
                    file,
                    lengthAt,
                    "map of " + n + " databases where the transaction has " + p.remaining() + " bytes left");
        }
        long mapAt = base + p.position();
        int[] map = new int[n];
        for (int i = 0; i < n; i++) {
            map[i] = p.getInt();
        }
        int bad = DatabaseMap.notPermuted(map);
        if (bad >= 0) {
            throw new CorruptionException(
                    file,
                    mapAt + 4L * bad,
                    "map sends database " + bad + " to directory " + map[bad] + " (not a permutation of 0.." + (n - 1)
                            + ")");
        }
        return map;
    }

    private static void checkPermutation(int[] map) {
        if (map.length < 1 || map.length > DatabaseMap.MAX_DATABASES) {
            throw new IllegalArgumentException("map of " + map.length + " databases");
        }
        if (DatabaseMap.notPermuted(map) >= 0) {
            throw new IllegalArgumentException("map is not a permutation: " + Arrays.toString(map));
        }
    }

    /** The parts of a TRANSACTION payload that starts at file offset {@code base}. */
    private static List<Part> parts(Path file, long base, ByteBuffer p) throws CorruptionException {
        int count = readCount(file, base, p, "part count");
        List<Part> parts = new ArrayList<>();
        Set<Integer> directories = new HashSet<>();
        for (int i = 0; i < count; i++) {
            need(file, base, p, 9);
            int directory = p.getInt();
            if (directory < 0 || directory >= DatabaseMap.MAX_DATABASES) {
                throw new CorruptionException(file, base + p.position() - 4, "database directory number " + directory);
            }
            if (!directories.add(directory)) {
                throw new CorruptionException(
                        file, base + p.position() - 4, "database directory " + directory + " twice in one transaction");
            }
            byte flags = p.get();
            if ((flags & ~CLEAR_FLAG) != 0) {
                throw new CorruptionException(file, base + p.position() - 1, "unknown part flags " + flags);
            }
            int changes = readCount(file, base, p, "change count");
            List<BatchOp> ops = new ArrayList<>();
            for (int c = 0; c < changes; c++) {
                ops.add(op(file, base, p));
            }
            parts.add(new Part(directory, flags == CLEAR_FLAG, Collections.unmodifiableList(ops)));
        }
        return Collections.unmodifiableList(parts);
    }

    private static BatchOp op(Path file, long base, ByteBuffer p) throws CorruptionException {
        need(file, base, p, 1);
        long kindAt = base + p.position();
        byte kind = p.get();
        byte[] key = bytes(file, base, p, "key");
        switch (kind) {
            case PUT -> {
                need(file, base, p, 8);
                long expiry = p.getLong();
                if (expiry < 0) { // KEEP_EXPIRY included: a logged put names its expiry, or a redo could differ
                    throw new CorruptionException(file, base + p.position() - 8, "put with expiry " + expiry);
                }
                return new BatchOp(BatchOp.Kind.PUT, key, bytes(file, base, p, "value"), expiry);
            }
            case DELETE -> {
                return new BatchOp(BatchOp.Kind.DELETE, key, null, 0);
            }
            case EXPIRE -> {
                need(file, base, p, 8);
                long expiry = p.getLong();
                if (expiry < 0) {
                    throw new CorruptionException(file, base + p.position() - 8, "expiry change to " + expiry);
                }
                return new BatchOp(BatchOp.Kind.EXPIRE, key, null, expiry);
            }
            default -> throw new CorruptionException(file, kindAt, "unknown change kind " + kind);
        }
    }

    /** A length-prefixed byte string of the payload. */
    private static byte[] bytes(Path file, long base, ByteBuffer p, String what) throws CorruptionException {
        int length = readCount(file, base, p, what + " length");
        if (length > p.remaining()) {
            throw new CorruptionException(
                    file,
                    base + p.position() - 4,
                    what + " of " + length + " bytes where the transaction has " + p.remaining() + " left");
        }
        byte[] out = new byte[length];
        p.get(out);
        return out;
    }

    private static int readCount(Path file, long base, ByteBuffer p, String what) throws CorruptionException {
        need(file, base, p, 4);
        int n = p.getInt();
        if (n < 0) {
            throw new CorruptionException(file, base + p.position() - 4, "negative " + what + " " + n);
        }
        return n;
    }

    private static void need(Path file, long base, ByteBuffer p, int bytes) throws CorruptionException {
        if (p.remaining() < bytes) {
            throw new CorruptionException(
                    file, base + p.position(), "transaction ends inside a field (" + bytes + " bytes wanted)");
        }
    }

    /** Closes the file; a second call does nothing. */
    @Override
    public void close() throws IOException {
        closed = true;
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
