package io.toykv.core.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads the records of a {@link CommitJournal}'s ring from a position on, as replay, repair and the dump
 * tool need them: every record (SKIPs and BARRIERs too) up to the first that fails its checks, and why
 * the reading stopped there. The ring is read through one window of bounded size, a record's checksum is
 * computed window by window, and its key and value are copied out only once it checks: a ring of any
 * size, or a length field of any value, costs the window and the records found.
 */
public final class JournalScan {
    /** The window's size: bytes read from the file at a time. */
    static final int WINDOW = 1 << 20;

    /** One record read: its fields, where it starts and how long it is (a SKIP's key and value are empty). */
    public record Entry(byte kind, int shard, byte[] key, byte[] value, long expiry, long position, int length) {
        CommitJournal.Record record() {
            return new CommitJournal.Record(kind, shard, key, value, expiry, position);
        }
    }

    /**
     * What a scan found: the records, the position after the last of them, and why no record follows
     * ({@code end} holds zeros, a length or checksum that fails, fields a writer never makes, or the
     * whole ring was read). Bytes that fail there are a torn tail, or what an earlier lap left.
     */
    public record Result(List<Entry> entries, long end, String stop, boolean endIsZeros) {}

    private final FileChannel channel;
    private final long ringStart;
    private final long capacity;
    private final ByteBuffer window;
    /** The ring offset the window holds bytes from, and how many; -1 when it holds none. */
    private long windowAt = -1;

    private int windowLength;

    private JournalScan(FileChannel channel, long ringStart, long capacity, int windowSize) {
        this.channel = channel;
        this.ringStart = ringStart;
        this.capacity = capacity;
        this.window = ByteBuffer.allocate(windowSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads the ring of {@code capacity} bytes that starts at file offset {@code ringStart} of
     * {@code channel}, from position {@code from} on, taking records of shards below {@code shards}.
     */
    public static Result scan(FileChannel channel, long ringStart, long capacity, long from, int shards)
            throws IOException {
        return scan(channel, ringStart, capacity, from, shards, WINDOW);
    }

    static Result scan(FileChannel channel, long ringStart, long capacity, long from, int shards, int windowSize)
            throws IOException {
        return new JournalScan(channel, ringStart, capacity, windowSize).readFrom(from, shards);
    }

    /**
     * The first position after {@code end} and before {@code from} + the ring's capacity where a record
     * of a shard below {@code shards} checks out (its checksum covers its position, so what an earlier
     * lap left does not), or -1: a record there means the reading from {@code from} stopped at damage,
     * not at the end of what was written. Tries every byte position: a cost for the repair, not an open.
     */
    public static long recordPast(FileChannel channel, long ringStart, long capacity, long from, long end, int shards)
            throws IOException {
        JournalScan scan = new JournalScan(channel, ringStart, capacity, WINDOW);
        for (long pos = end + 1; pos < from + capacity; pos++) {
            long lapEnd = (pos / capacity + 1) * capacity;
            if (lapEnd - pos < CommitJournal.RECORD_HEADER) {
                pos = lapEnd - 1;
                continue;
            }
            if (scan.checksOut(pos, lapEnd, shards)) {
                return pos;
            }
        }
        return -1;
    }

    /** Whether a record of a shard below {@code shards} checks out at {@code pos} (its lap ending at {@code lapEnd}). */
    private boolean checksOut(long pos, long lapEnd, int shards) throws IOException {
        long at = pos % capacity;
        ByteBuffer header = bytes(at, CommitJournal.RECORD_HEADER);
        int base = header.position();
        int length = header.getInt(base + 4);
        if (length < CommitJournal.RECORD_HEADER || length > lapEnd - pos) {
            return false;
        }
        int stored = header.getInt(base);
        byte kind = header.get(base + 8);
        int shard = header.get(base + 9) & 0xFF;
        int keyLength = header.getShort(base + 10) & 0xFFFF;
        long expiry = header.getLong(base + 12);
        return !fieldsFail(kind, shard, keyLength, length, expiry, shards) && stored == checksum(pos, at, length);
    }

    /** Fields a writer never makes. */
    private static boolean fieldsFail(byte kind, int shard, int keyLength, int length, long expiry, int shards) {
        return kind < CommitJournal.PUT
                || kind > CommitJournal.SKIP
                || shard >= shards
                || keyLength > length - CommitJournal.RECORD_HEADER
                || expiry < 0;
    }

    private Result readFrom(long from, int shards) throws IOException {
        List<Entry> entries = new ArrayList<>();
        long pos = from;
        while (pos < from + capacity) {
            long lapEnd = (pos / capacity + 1) * capacity;
            if (lapEnd - pos < CommitJournal.RECORD_HEADER) {
                pos = lapEnd; // too little room for a record: the writer left zeros and went on to the next lap
                continue;
            }
            long at = pos % capacity;
            ByteBuffer header = bytes(at, CommitJournal.RECORD_HEADER);
            int base = header.position();
            int length = header.getInt(base + 4);
            if (length < CommitJournal.RECORD_HEADER || length > lapEnd - pos) {
                return new Result(entries, pos, "length " + length, zeros(header));
            }
            int stored = header.getInt(base);
            byte kind = header.get(base + 8);
            int shard = header.get(base + 9) & 0xFF;
            int keyLength = header.getShort(base + 10) & 0xFFFF;
            long expiry = header.getLong(base + 12);
            if (stored != checksum(pos, at, length)) {
                return new Result(entries, pos, "checksum", false);
            }
            if (fieldsFail(kind, shard, keyLength, length, expiry, shards)) {
                // A checksum that holds over fields a writer never makes: not a record of this store's journal.
                return new Result(entries, pos, "fields (kind " + kind + ", shard " + shard + ")", false);
            }
            byte[] key = new byte[0];
            byte[] value = null;
            if (kind != CommitJournal.SKIP) {
                key = copy(at + CommitJournal.RECORD_HEADER, keyLength);
                if (kind == CommitJournal.PUT) {
                    value = copy(
                            at + CommitJournal.RECORD_HEADER + keyLength,
                            length - CommitJournal.RECORD_HEADER - keyLength);
                }
            }
            entries.add(new Entry(kind, shard, key, value, expiry, pos, length));
            pos += length;
        }
        return new Result(entries, pos, "the whole ring was read", false);
    }

    /** The record's checksum: of its position, then its bytes from offset 4, read window by window. */
    private int checksum(long position, long at, int length) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0, position)
                .array());
        for (int done = 4; done < length; ) {
            int n = Math.min(window.capacity(), length - done);
            crc.update(bytes(at + done, n));
            done += n;
        }
        return (int) crc.getValue();
    }

    private byte[] copy(long at, int length) throws IOException {
        byte[] out = new byte[length];
        for (int done = 0; done < length; ) {
            int n = Math.min(window.capacity(), length - done);
            bytes(at + done, n).get(out, done, n);
            done += n;
        }
        return out;
    }

    private static boolean zeros(ByteBuffer header) {
        for (int i = header.position(); i < header.limit(); i++) {
            if (header.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A view of the ring's bytes [at, at + n), n at most the window's size and the range within one lap,
     * positioned at the first; reads the window from {@code at} when it does not hold them.
     */
    private ByteBuffer bytes(long at, int n) throws IOException {
        if (windowAt < 0 || at < windowAt || at + n > windowAt + windowLength) {
            window.clear().limit((int) Math.min(window.capacity(), capacity - at));
            while (window.hasRemaining()) {
                if (channel.read(window, ringStart + at + window.position()) < 0) {
                    while (window.hasRemaining()) {
                        window.put((byte) 0); // past the file's end (sizes are checked at open): zeros
                    }
                }
            }
            windowAt = at;
            windowLength = window.position();
        }
        ByteBuffer view = window.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int from = (int) (at - windowAt);
        view.limit(from + n).position(from);
        return view;
    }
}
