package io.toykv.core.log;

import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes a value longer than the store's {@code largeValueSize} to a segment of its own: one keyless
 * {@link ValueRecord} at offset 0 (so its address is {@code Address.of(id, 0)}), the file's length
 * rounded up to {@link DirectIo#ALIGNMENT} with zeros. Such a segment is an ordinary one to every
 * reader: a read checks its record, garbage collection deletes it once no key points at it.
 *
 * <p>Written as {@link SegmentBuilder} writes a collection's segment (temp file, writes, force, atomic
 * rename, force of the directory), but streamed through one small aligned buffer, so a value of
 * hundreds of megabytes costs no copy of its size. Only after {@link #write} returns may a key record
 * point at the segment: the value is durable before its key, in every sync mode. A crash before the
 * rename leaves a temp file, which the next open deletes; after it, a segment no key points at, which
 * the next collection deletes. Needs no lock.
 */
public final class LargeValueWriter {
    /** Bytes written by each positional write: big enough to stream at device speed, small enough to allocate per value. */
    static final int CHUNK = 1 << 20;

    private LargeValueWriter() {}

    /** Writes {@code value} of {@code key} durably as segment {@code id} of {@code dir} and opens it for reading. */
    public static Segment write(Path dir, long id, byte[] key, byte[] value, DirectIo io) throws IOException {
        long address = Address.of(id, 0);
        int recordSize = ValueRecord.size(value.length);
        ByteBuffer header = ByteBuffer.allocate(ValueRecord.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ValueRecord.writeHeader(header, address, key, value);
        Path path = FileNames.segment(dir, id);
        SegmentBuilder.writeWhole(dir, path, io, (ch, temp) -> {
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK + DirectIo.ALIGNMENT)
                    .alignedSlice(DirectIo.ALIGNMENT)
                    .limit(CHUNK);
            long length = DirectIo.align(recordSize);
            long at = 0; // position in the record, and in the file
            while (at < length) {
                chunk.clear();
                int n = (int) Math.min(CHUNK, length - at);
                for (int i = 0; i < n; ) { // header, value and zero padding, wherever this chunk falls
                    long p = at + i;
                    if (p < ValueRecord.HEADER_SIZE) {
                        chunk.put(header.get((int) p));
                        i++;
                    } else if (p < recordSize) {
                        int from = (int) (p - ValueRecord.HEADER_SIZE);
                        int len = (int) Math.min(n - i, value.length - from);
                        chunk.put(value, from, len);
                        i += len;
                    } else {
                        chunk.put((byte) 0);
                        i++;
                    }
                }
                chunk.flip();
                long pos = at;
                while (chunk.hasRemaining()) {
                    pos += FileIo.of(temp).write(ch, temp, chunk, pos);
                }
                at += n;
            }
        });
        try {
            return Segment.open(path, id);
        } catch (IOException | RuntimeException e) {
            FileIo.of(path).deleteIfExists(path); // nothing points at it yet
            throw e;
        }
    }
}
