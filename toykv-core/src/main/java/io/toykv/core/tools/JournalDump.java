package io.toykv.core.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * {@link FormatDump}'s part for {@code journal.log} (docs/FORMAT.md, "Commit journal"), read from the
 * bytes alone: the header's slots, the covered position, and the records from there to the first that
 * fails its checks, with why the reading stopped there (zeros: the end of what was written; anything
 * else: a torn tail, what an earlier lap left, or damage). Reads a record at a time, so a ring of any
 * size costs one record's header and a bounded buffer.
 */
final class JournalDump {
    private static final int MAGIC = 0x4A564B54;
    private static final int RECORD_HEADER = 20;
    private static final String[] KINDS = {"?", "PUT", "DELETE", "CLEAR", "BARRIER", "SKIP"};

    private final PrintStream out;
    private final boolean records;

    JournalDump(PrintStream out, boolean records) {
        this.out = out;
        this.records = records;
    }

    /** The layout a slot's version field names: {header size, distance between the two slots}. */
    private static int[] layout(int version) {
        return version == 1 ? new int[] {4096, 64} : new int[] {8192, 4096};
    }

    void dump(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            // Version 1 keeps its slots at 0 and 64; version 2 at 0 and 4096 (each in a sector of its own).
            long[] current = null;
            int version = 0;
            for (int v : new int[] {1, 2}) {
                current = currentSlot(ch, v, false);
                if (current != null) {
                    version = v;
                    break;
                }
            }
            out.printf(Locale.ROOT, "journal.log: %d bytes%n", size);
            for (int v : new int[] {1, 2}) {
                if (version == 0 || v == version) {
                    currentSlot(ch, v, true);
                }
            }
            if (current == null) {
                out.printf(Locale.ROOT, "  BAD header: no valid slot (an open refuses the store)%n");
                return;
            }
            long header = layout(version)[0];
            if (size < header + 4096 || (size - header) % 4096 != 0) {
                out.printf(Locale.ROOT, "  BAD size: no ring after the %d-byte header%n", header);
                return;
            }
            long capacity = size - header;
            long covered = current[1];
            out.printf(
                    Locale.ROOT,
                    "  layout version %d: header %d bytes, ring %d bytes; current slot seq %d covered %d (ring"
                            + " offset %d)%n",
                    version,
                    header,
                    capacity,
                    current[0],
                    covered,
                    covered % capacity);
            records(ch, header, capacity, covered);
        }
    }

    /** {sequence, covered} of the valid slot of {@code version} with the higher sequence, or null; prints each with {@code print}. */
    private long[] currentSlot(FileChannel ch, int version, boolean print) throws IOException {
        long[] best = null;
        int spacing = layout(version)[1];
        for (int i = 0; i < 2; i++) {
            int at = i * spacing;
            ByteBuffer s = read(ch, at, 28);
            boolean ok = s.getInt(0) == MAGIC && s.getInt(4) == version && FormatDump.crc(s, 0, 24) == s.getInt(24);
            if (print && s.getInt(4) == version) {
                out.printf(
                        Locale.ROOT,
                        "  slot %d @%d: magic 0x%08X version %d seq %d covered %d crc %s%n",
                        i,
                        at,
                        s.getInt(0),
                        s.getInt(4),
                        s.getLong(8),
                        s.getLong(16),
                        ok ? "ok" : "BAD");
            } else if (print && version == 2 && !ok) {
                out.printf(Locale.ROOT, "  slot %d @%d: not a valid slot%n", i, at);
            }
            if (ok && s.getLong(16) >= 0 && (best == null || s.getLong(8) > best[0])) {
                best = new long[] {s.getLong(8), s.getLong(16)};
            }
        }
        return best;
    }

    private void records(FileChannel ch, long header, long capacity, long covered) throws IOException {
        long[] counts = new long[KINDS.length];
        long bytes = 0;
        long pos = covered;
        String stop = null;
        while (pos < covered + capacity) {
            long lapEnd = (pos / capacity + 1) * capacity;
            if (lapEnd - pos < RECORD_HEADER) {
                bytes += lapEnd - pos;
                pos = lapEnd;
                continue;
            }
            long at = header + pos % capacity;
            ByteBuffer h = read(ch, at, RECORD_HEADER);
            int length = h.getInt(4);
            if (length < RECORD_HEADER || length > lapEnd - pos) {
                stop = allZeros(h)
                        ? "zeros: the end of what was written"
                        : "TORN TAIL (or an earlier lap): length " + length;
                break;
            }
            if (h.getInt(0) != crc(ch, at, pos, length)) {
                stop = "TORN TAIL (or an earlier lap): checksum";
                break;
            }
            int kind = h.get(8);
            int shard = h.get(9) & 0xFF;
            int keyLength = h.getShort(10) & 0xFFFF;
            long expiry = h.getLong(12);
            if (kind < 1 || kind >= KINDS.length || keyLength > length - RECORD_HEADER) {
                stop = "BAD record: kind " + kind + ", key length " + keyLength;
                break;
            }
            counts[kind]++;
            bytes += length;
            if (records) {
                byte[] key = new byte[keyLength];
                read(ch, at + RECORD_HEADER, keyLength).get(key);
                out.printf(
                        Locale.ROOT,
                        "    @%d %s shard %d %s key %d value %d%s%n",
                        pos,
                        KINDS[kind],
                        shard,
                        FormatDump.printable(key),
                        keyLength,
                        kind == 1 ? length - RECORD_HEADER - keyLength : 0,
                        expiry != 0 ? " expires " + expiry : "");
            }
            pos += length;
        }
        out.printf(
                Locale.ROOT,
                "  records from the covered position: %d put, %d delete, %d clear, %d barrier, %d skip; %d bytes%n",
                counts[1],
                counts[2],
                counts[3],
                counts[4],
                counts[5],
                bytes);
        out.printf(
                Locale.ROOT,
                "  end at position %d (ring offset %d): %s%n",
                pos,
                pos % capacity,
                stop == null ? "the whole ring was read" : stop);
    }

    /** A record's checksum: its position, then its bytes from offset 4, read 64 KiB at a time. */
    private static int crc(FileChannel ch, long at, long position, int length) throws IOException {
        CRC32C c = new CRC32C();
        c.update(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0, position)
                .array());
        for (int done = 4; done < length; ) {
            int n = Math.min(64 << 10, length - done);
            c.update(read(ch, at + done, n));
            done += n;
        }
        return (int) c.getValue();
    }

    /** {@code n} bytes at {@code at}; zeros past the file's end. */
    private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {}
        return b.clear();
    }

    private static boolean allZeros(ByteBuffer b) {
        for (int i = 0; i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
