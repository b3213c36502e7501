package io.toykv.core.log;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.FileAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The checks a values log makes at open, while the keys log is replayed ({@link #checkBuffered}) and
 * after it ({@link #checkLive}), and the end of that replay ({@link #finish}): where appends go on in the
 * buffer, and what of it must still reach its segment.
 */
final class BufferRecovery {
    /** End of the furthest valid buffered record a key record names, until {@link #finish}. */
    private int recoveredEnd;

    /**
     * For each key record the replay of the keys log reaches: why it cannot be trusted (it points into
     * the buffer, and the record there is not a valid one of its key: lost in a power loss, or never
     * written), or null if it can or points into a segment. The buffer's records end after the furthest
     * one that passes ({@link #finish}).
     */
    String checkBuffered(ValueBuffer buffer, byte[] key, long address, int length) {
        long base = buffer.base();
        boolean pendingHalf = buffer.inPending(address);
        if (!pendingHalf && !ValueBuffer.holds(base, address)) {
            return null;
        }
        if (length < ValueRecord.HEADER_SIZE || length > buffer.capacity()) {
            return "its value at " + Address.describe(address) + " has an impossible length " + length;
        }
        byte[] rec = new byte[length];
        if (!buffer.readAtOpen(address, rec) || ValueRecord.valueIfValid(rec, address, key) == null) {
            return "its value at " + Address.describe(address) + " is not in the buffer";
        }
        if (!pendingHalf) {
            recoveredEnd = Math.max(recoveredEnd, (int) (address - base) + length);
        }
        return null;
    }

    /**
     * Ends the replay: appends go on after the furthest buffered record of the active half a key record
     * points at. A record past it no key record names: it is dead (its put was never acknowledged), and
     * is overwritten. A pending half the header still names is written to its segment again (its
     * records a key record names all passed their checks here, so the bytes are right where it matters;
     * the rest of the range holds nothing live). A version 1 buffer's records are written to their
     * segment and the file replaced by a version 2 one of {@code bufferSize}, starting after them:
     * returns the buffer to use from now on.
     */
    ValueBuffer finish(
            ValueBuffer buffer,
            Segment head,
            SegmentTable segments,
            DirectIo io,
            int bufferSize,
            FileAllocator allocator)
            throws IOException {
        buffer.recoverTo(recoveredEnd);
        if (buffer.version1()) {
            ByteBuffer chunk = buffer.chunk(DirectIo.ALIGNMENT);
            long base = buffer.base();
            if (chunk.remaining() > 0) {
                head.writeChunk(chunk, Address.offset(base));
            }
            int size = Math.max(bufferSize, buffer.capacity());
            Path path = buffer.path();
            buffer.unmap(); // at open: no reader has it
            ValueBuffer.create(path, size, base + chunk.remaining(), allocator);
            return ValueBuffer.open(path, size, base + chunk.remaining(), allocator);
        }
        if (buffer.pendingUnwritten()) {
            long at = buffer.pendingBase();
            Segment s = segments.get(Address.segment(at));
            if (s == null || Address.offset(at) + buffer.pendingLength() > s.size()) {
                throw new CorruptionException(
                        buffer.path(),
                        0,
                        "the buffer's pending half of " + buffer.pendingLength() + " bytes at " + Address.describe(at)
                                + " has no room in its segment");
            }
            s.openForWrite(io);
            Flusher.write(buffer, new Flusher.PendingFlush(s, Address.offset(at), buffer.pendingChunk()));
            if (s != head) {
                s.seal();
            }
        }
        return buffer;
    }

    /**
     * Why a live key's value at {@code address} cannot be where the index says, or null: it must lie
     * in the buffer or in an existing segment. (Superseded records may point at segments that garbage
     * collection has deleted; only live ones are checked.)
     */
    static String checkLive(ValueBuffer buffer, SegmentTable segments, long address, int length) {
        if (length < ValueRecord.HEADER_SIZE) {
            return "its value at " + Address.describe(address) + " has an impossible length " + length;
        }
        if (ValueBuffer.holds(buffer.base(), address)) {
            return address + length > buffer.base() + buffer.writePosition()
                    ? "its value at " + Address.describe(address) + " is not in the buffer"
                    : null;
        }
        Segment s = segments.get(Address.segment(address));
        if (s == null) {
            return "its value at " + Address.describe(address) + " is in a missing segment";
        }
        if (Address.offset(address) + length > s.size()) {
            return "its value at " + Address.describe(address) + " runs past the segment end";
        }
        return null;
    }
}
