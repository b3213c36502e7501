package io.toykv.core.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Prints what a store directory holds, read straight from the bytes as {@code docs/FORMAT.md} describes
 * them, without the engine's classes: if the engine and the document drift apart, this tool (and its
 * test) notices. Read-only; run it on a closed store. The atomic batches' commit records are
 * {@link BatchesDump}'s, the commit journal {@link JournalDump}'s.
 *
 * <pre>java -cp toykv-core.jar io.toykv.core.tools.FormatDump DIR [--records]</pre>
 */
public final class FormatDump {
    private final PrintStream out;
    private final boolean records;
    /** The key each key record of the shard being dumped names, by the address it points at. */
    private final java.util.Map<Long, byte[]> namedKeys = new java.util.HashMap<>();

    FormatDump(PrintStream out, boolean records) {
        this.out = out;
        this.records = records;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: FormatDump DIR [--records]");
            System.exit(2);
        }
        new FormatDump(System.out, args.length > 1 && args[1].equals("--records")).dump(Path.of(args[0]));
    }

    void dump(Path dir) throws IOException {
        ByteBuffer m = read(dir.resolve("toykv.meta"));
        if (m.getInt(4) >= 4) {
            out.printf(
                    Locale.ROOT,
                    "manifest: magic %s version %d shards %d store id %016x crc %s%n",
                    hex(m.getInt(0)),
                    m.getInt(4),
                    m.getInt(8),
                    m.getLong(12),
                    crc(m, 0, 20) == m.getInt(20) ? "ok" : "BAD");
        } else {
            out.printf(
                    Locale.ROOT,
                    "manifest: magic %s version %d shards %d crc %s%n",
                    hex(m.getInt(0)),
                    m.getInt(4),
                    m.getInt(8),
                    crc(m, 0, 12) == m.getInt(12) ? "ok" : "BAD");
        }
        for (Path shard : list(dir, "shard-")) {
            out.println(shard.getFileName() + ":");
            dumpShardManifest(shard.resolve("shard.meta"));
            // Keys first: a buffered record's checksum covers its key, which only a key record names.
            namedKeys.clear();
            for (Path k : list(shard, ".k")) {
                dumpKeys(k);
            }
            dumpBuffer(shard.resolve("values.b"));
            for (Path v : list(shard, ".v")) {
                out.printf(Locale.ROOT, "  %s: %d bytes%n", v.getFileName(), Files.size(v));
            }
        }
        new BatchesDump(out, records).dump(dir.resolve("batches.log"));
        new JournalDump(out, records).dump(dir.resolve("journal.log"));
    }

    private void dumpShardManifest(Path file) throws IOException {
        if (!Files.exists(file)) {
            out.printf(Locale.ROOT, "  shard.meta: none (a store of format version 3 or older)%n");
            return;
        }
        ByteBuffer s = read(file);
        if (s.capacity() != 44) {
            out.printf(Locale.ROOT, "  shard.meta: BAD (%d bytes, expected 44)%n", s.capacity());
            return;
        }
        out.printf(
                Locale.ROOT,
                "  shard.meta: magic %s version %d store id %016x shard %d of %d keys files %d to %d crc %s%n",
                hex(s.getInt(0)),
                s.getInt(4),
                s.getLong(8),
                s.getInt(16),
                s.getInt(20),
                s.getLong(24),
                s.getLong(32),
                crc(s, 0, 40) == s.getInt(40) ? "ok" : "BAD");
    }

    private void dumpBuffer(Path file) throws IOException {
        ByteBuffer b = read(file);
        long best = -1;
        int version = 0;
        long base = 0;
        int active = 0;
        int pendingLength = 0;
        long pendingBase = 0;
        for (int slot : new int[] {0, 64}) {
            int v = b.getInt(slot + 4);
            int crcAt = v == 1 ? 24 : 40;
            boolean ok =
                    b.getInt(slot) == 0x42564B54 && (v == 1 || v == 2) && crc(b, slot, crcAt) == b.getInt(slot + crcAt);
            if (ok && b.getLong(slot + 8) > best) {
                best = b.getLong(slot + 8);
                version = v;
                base = b.getLong(slot + 16);
                active = v == 2 ? b.getInt(slot + 24) : 0;
                pendingLength = v == 2 ? b.getInt(slot + 28) : 0;
                pendingBase = v == 2 ? b.getLong(slot + 32) : 0;
            }
        }
        if (best < 0 || active < 0 || active > 1) {
            out.printf(Locale.ROOT, "  values.b: BAD header (no valid slot)%n");
            return;
        }
        // Version 2: two halves after the header page, the active one's records from the base on;
        // version 1: one data region.
        int region = b.capacity() - 4096;
        int half = version == 1 ? region : region / 2 / 4096 * 4096;
        int start = 4096 + active * half;
        int[] walked = walk(b.slice(start, half).order(ByteOrder.LITTLE_ENDIAN), base);
        out.printf(
                Locale.ROOT,
                "  values.b: version %d header seq %d base segment %d offset %d; %d buffered records, %d bytes%n",
                version,
                best,
                segment(base),
                offset(base),
                walked[0],
                walked[1]);
        if (pendingLength > 0 && pendingLength <= half) {
            int[] p = walk(
                    b.slice(4096 + (active ^ 1) * half, pendingLength).order(ByteOrder.LITTLE_ENDIAN), pendingBase);
            out.printf(
                    Locale.ROOT,
                    "  values.b: pending half (not known to be in its segment) at segment %d offset %d, %d bytes;"
                            + " %d records a key record names%n",
                    segment(pendingBase),
                    offset(pendingBase),
                    pendingLength,
                    p[0]);
        }
    }

    /**
     * Walks the records of one half from {@code base} on: keyless ones (top bit of the length set) are
     * checked with the key a key record names for their address, and skipped by their length when none
     * does (dead, or stale); keyed ones (format version 1) carry their key. The buffered data ends
     * after the last record that passes, as the engine's open finds it. Returns {records, bytes}.
     */
    private int[] walk(ByteBuffer b, long base) {
        int pos = 0;
        int end = 0;
        int count = 0;
        while (pos + 8 <= b.capacity()) {
            int field = b.getInt(pos + 4);
            long address = base + pos;
            CRC32C c = new CRC32C();
            c.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, address));
            long size;
            if (field < 0) {
                size = 8L + (field & 0x7FFF_FFFF);
                byte[] key = namedKeys.get(address);
                if (pos + size > b.capacity()) {
                    break;
                }
                if (key == null) {
                    pos += (int) size;
                    continue;
                }
                c.update(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) key.length));
                c.update(key);
            } else {
                int k = pos + 10 <= b.capacity() ? b.getShort(pos + 8) & 0xFFFF : 0;
                size = 10L + k + field;
                if (k == 0 || pos + size > b.capacity()) {
                    break;
                }
            }
            c.update(b.slice(pos + 4, (int) size - 4));
            if ((int) c.getValue() != b.getInt(pos)) {
                break;
            }
            count++;
            pos += (int) size;
            end = pos;
        }
        return new int[] {count, end};
    }

    private void dumpKeys(Path file) throws IOException {
        ByteBuffer b = read(file);
        int pos = 4096;
        int[] kinds = new int[7];
        long entries = 0;
        while (pos + 19 <= b.capacity()) {
            byte kind = b.get(pos + 4);
            int k = b.getShort(pos + 5) & 0xFFFF;
            if (kind == 0 && k == 0 && b.getInt(pos) == 0) {
                break;
            }
            int header = kind == 5 ? 29 : 19; // PUT_EXPIRING: expiry and database before the key
            boolean ok = kind >= 1
                    && kind <= 6
                    && pos + header + k <= b.capacity()
                    && crc(b, pos + 4, header - 4 + k) == b.getInt(pos);
            if (!ok) {
                out.printf(Locale.ROOT, "  %s: BAD record at offset %d%n", file.getFileName(), pos);
                break;
            }
            kinds[kind]++;
            if (kind == 4) {
                entries += dumpBatch(b, pos, k, b.getInt(pos + 7));
            } else if (kind == 6) {
                if (records) { // ATOMIC_PART: the batch id where a PUT has its address
                    out.printf(
                            Locale.ROOT,
                            "    @%d ATOMIC_PART batch %d, %d entries in %d bytes%n",
                            pos,
                            b.getLong(pos + 11),
                            b.getInt(pos + 7),
                            k);
                }
            } else {
                byte[] key = new byte[k];
                b.get(pos + header, key);
                long a = b.getLong(pos + 11);
                if (kind == 1 || kind == 5) {
                    namedKeys.put(a, key);
                }
                if (!records) {
                    pos += header + k;
                    continue;
                }
                String expiry =
                        kind == 5 ? " expires " + b.getLong(pos + 19) + " db " + (b.getShort(pos + 27) & 0xFFFF) : "";
                out.printf(
                        Locale.ROOT,
                        "    @%d %s %s -> segment %d offset %d length %d%s%n",
                        pos,
                        kind == 1 ? "PUT" : kind == 2 ? "DELETE" : kind == 3 ? "CLEAR" : "PUT_EXPIRING",
                        printable(key),
                        segment(a),
                        offset(a),
                        b.getInt(pos + 7),
                        expiry);
            }
            pos += header + k;
        }
        out.printf(
                Locale.ROOT,
                "  %s: version %d number %d synced %d; %d put, %d put_expiring, %d delete, %d clear,"
                        + " %d batch (%d entries); %d atomic part; %d record bytes%n",
                file.getFileName(),
                b.getInt(4),
                b.getLong(8),
                b.getLong(16),
                kinds[1],
                kinds[5],
                kinds[2],
                kinds[3],
                kinds[4],
                entries,
                kinds[6],
                pos - 4096);
    }

    /**
     * Reads the entries of the BATCH record at {@code pos} (body length {@code k}), printing them with
     * {@code --records}; returns how many it read, or prints where the body stops making sense.
     */
    private long dumpBatch(ByteBuffer b, int pos, int k, int count) {
        int[] at = {pos + 19};
        int end = pos + 19 + k;
        byte[] previous = new byte[0];
        for (int i = 0; i < count; i++) {
            long shared = varint(b, at, end);
            long suffix = varint(b, at, end);
            if (shared < 0
                    || suffix < 0
                    || (suffix < 1 && shared > 0)
                    || shared > previous.length
                    || at[0] + suffix > end) {
                out.printf(Locale.ROOT, "  BAD batch entry %d at offset %d%n", i, at[0]);
                return i;
            }
            byte[] key = java.util.Arrays.copyOf(previous, (int) (shared + suffix));
            b.get(at[0], key, (int) shared, (int) suffix);
            at[0] += (int) suffix;
            long length = varint(b, at, end);
            long segment = varint(b, at, end);
            long offset = varint(b, at, end);
            if (length < 0 || segment < 0 || offset < 0) {
                out.printf(Locale.ROOT, "  BAD batch entry %d at offset %d%n", i, at[0]);
                return i;
            }
            namedKeys.put((segment & 0x7F_FFFFL) << 40 | (segment >>> 23) << 31 | offset, key);
            if (records) {
                out.printf(
                        Locale.ROOT,
                        "    @%d BATCH[%d] %s -> segment %d offset %d length %d%n",
                        pos,
                        i,
                        printable(key),
                        segment,
                        offset,
                        length);
            }
            previous = key;
        }
        return count;
    }

    /** An unsigned LEB128 varint at {@code at[0]}, advancing it; -1 if it runs past {@code end} or 63 bits. */
    private static long varint(ByteBuffer b, int[] at, int end) {
        long v = 0;
        for (int shift = 0; shift < 63 && at[0] < end; shift += 7) {
            byte x = b.get(at[0]++);
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
        return -1;
    }

    static String printable(byte[] key) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte x : key) {
            int c = x & 0xFF;
            sb.append(
                    c >= 0x20 && c < 0x7F && c != '"' && c != '\\'
                            ? Character.toString(c)
                            : String.format("\\x%02x", c));
        }
        return sb.append('"').toString();
    }

    /** The segment id of an address: its low 23 bits in bits 40-62, its high 9 in bits 31-39. */
    private static long segment(long address) {
        return (address >>> 40) | ((address >>> 31) & 0x1FF) << 23;
    }

    /** The offset of an address: bits 0-30. */
    private static long offset(long address) {
        return address & 0x7FFF_FFFFL;
    }

    /**
     * The entries of {@code dir} whose names start or end with {@code match}, in number order: names are
     * eight digits, or more without a leading zero, so shorter names come first.
     */
    private static List<Path> list(Path dir, String match) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(match)
                            || p.getFileName().toString().endsWith(match))
                    .sorted(Comparator.comparingInt(
                                    (Path p) -> p.getFileName().toString().length())
                            .thenComparing(p -> p.getFileName().toString()))
                    .collect(Collectors.toList());
        }
    }

    private static ByteBuffer read(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int crc(ByteBuffer b, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(b.slice(from, length));
        return (int) c.getValue();
    }

    private static String hex(int v) {
        return String.format(Locale.ROOT, "0x%08X", v);
    }
}
