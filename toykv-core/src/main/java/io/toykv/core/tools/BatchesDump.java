package io.toykv.core.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@link FormatDump}'s part for {@code batches.log} (docs/FORMAT.md, "Atomic batch commits"), read from
 * the bytes alone: the header, and the commit records up to the first that is short, fails its
 * checksum or holds a field out of range (a torn append the open cuts off). Version 1 records are a batch id and its checksum (12
 * bytes); version 2 records (16 bytes) add a field: for a commit, the number of parts the batch wrote
 * ({@code 0}: its parts were forced before it; {@code -1}: aborted); for a settle mark (id 0), how many
 * records before it the mark covers.
 */
final class BatchesDump {
    private static final int MAGIC = 0x43564B54;
    private static final int HEADER = 16;

    private final PrintStream out;
    private final boolean records;

    BatchesDump(PrintStream out, boolean records) {
        this.out = out;
        this.records = records;
    }

    void dump(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.capacity() < HEADER) {
            out.printf(Locale.ROOT, "batches.log: BAD (%d bytes, shorter than its header)%n", b.capacity());
            return;
        }
        int version = b.getInt(4);
        boolean headerOk = b.getInt(0) == MAGIC && FormatDump.crc(b, 0, 12) == b.getInt(12);
        out.printf(
                Locale.ROOT,
                "batches.log: magic 0x%08X version %d, %d bytes, header crc %s%n",
                b.getInt(0),
                version,
                b.capacity(),
                headerOk ? "ok" : "BAD");
        if (!headerOk || (version != 1 && version != 2)) {
            out.printf(Locale.ROOT, "  BAD header: an open refuses the store%n");
            return;
        }
        int size = version == 1 ? 12 : 16;
        int crcAt = size - 4;
        long commits = 0;
        long forced = 0;
        long aborted = 0;
        long settles = 0;
        int pos = HEADER;
        for (; pos + size <= b.capacity(); pos += size) {
            if (FormatDump.crc(b, pos, crcAt) != b.getInt(pos + crcAt)) {
                break;
            }
            long id = b.getLong(pos);
            int field = version == 1 ? 0 : b.getInt(pos + 8);
            int index = (pos - HEADER) / size;
            // Fields a writer never makes end the records as a bad checksum does.
            if (id < 0 || (id == 0 && (version == 1 || field < 0 || field > index)) || (id > 0 && field < -1)) {
                break;
            }
            String what;
            if (id == 0 && version == 2) {
                settles++;
                what = "SETTLE covers " + field + " records before it";
            } else {
                commits++;
                forced += field == 0 ? 1 : 0;
                aborted += field == -1 ? 1 : 0;
                what = "COMMIT batch " + id
                        + (field == 0 ? " (parts forced)" : field == -1 ? " ABORTED" : " of " + field + " parts");
            }
            if (records) {
                out.printf(Locale.ROOT, "    @%d %s%n", pos, what);
            }
        }
        out.printf(
                Locale.ROOT,
                "  %d commit records (%d with forced parts, %d aborted), %d settle marks%n",
                commits,
                forced,
                aborted,
                settles);
        if (version == 1 && b.capacity() - pos > size) {
            out.printf(Locale.ROOT, "  BAD record at offset %d before the last: an open refuses the store%n", pos);
        } else if (pos < b.capacity()) {
            out.printf(
                    Locale.ROOT,
                    "  TORN TAIL at offset %d: %d bytes the open cuts off (a short or bad record)%n",
                    pos,
                    b.capacity() - pos);
        }
    }
}
