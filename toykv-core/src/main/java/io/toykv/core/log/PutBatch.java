package io.toykv.core.log;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The body of a BATCH record ({@link KeyRecord#BATCH}): many PUTs packed together, in key order (the
 * live keys of a keys-log rewrite, or the keys one batch of garbage-collection moves points at their
 * copies). An ordinary PUT record takes 19 bytes of header per key; an entry here takes about 9 besides
 * the part of its key not shared with the key before it (8-byte keys: about 13 bytes against 27), so a
 * rewritten keys log is about half the size and half the writing.
 *
 * <pre>
 * entry (each field an unsigned LEB128 varint, except the suffix):
 *   shared     bytes the key shares with the previous entry's key (0 for the first entry of a batch)
 *   suffix     length s of the rest of the key (shared + s is 0..65535; s is at least 1 unless the key is empty)
 *   s bytes    the rest of the key
 *   length     length of the value record (1..2^31-1)
 *   segment    segment id of the value record's address (0..2^32-1)
 *   offset     offset of the value record in its segment (0..2^31-1)
 * </pre>
 *
 * Every batch decodes on its own (the first entry shares nothing). Decoding checks every field, so bytes
 * that pass the record's checksum but do not follow this layout are reported, never misread.
 */
public final class PutBatch {
    /** A body's length is kept in the record's 16-bit key-length field. */
    public static final int MAX_BODY = 65535;
    /** The most bytes one entry can take besides its suffix: five varints. */
    private static final int MAX_ENTRY_OVERHEAD = 3 + 3 + 5 + 5 + 5;

    /** The most bytes the entry of a key of {@code keyLength} bytes can take in a body. */
    public static int entryBound(int keyLength) {
        return MAX_ENTRY_OVERHEAD + keyLength;
    }

    private final byte[] body;
    private int length;
    private int count;
    private byte[] previous = new byte[0];

    /** A batch whose body holds at most {@code capacity} bytes (at most {@link #MAX_BODY}). */
    public PutBatch(int capacity) {
        if (capacity < 1 || capacity > MAX_BODY) {
            throw new IllegalArgumentException("batch capacity must be 1.." + MAX_BODY + ", was " + capacity);
        }
        body = new byte[capacity];
    }

    /** Bytes in the body so far. */
    public int length() {
        return length;
    }

    /** Entries in the body so far. */
    public int count() {
        return count;
    }

    /** The body; its first {@link #length()} bytes are the entries. */
    byte[] body() {
        return body;
    }

    /** Starts a new, empty batch. */
    public void reset() {
        length = 0;
        count = 0;
        previous = new byte[0];
    }

    /**
     * Appends an entry if it fits; returns false, changing nothing, if it does not. Keys must come in
     * ascending order within a batch (any order decodes, but only sorted keys share prefixes).
     */
    public boolean add(byte[] key, int valueLength, long address) {
        int shared = count == 0 ? 0 : Arrays.mismatch(previous, key);
        if (shared < 0) {
            shared = key.length; // the same key twice; cannot happen from an index, but encodes fine
        }
        // Keep a suffix of at least one byte (simpler to check); only the empty key has none.
        shared = Math.max(0, Math.min(shared, key.length - 1));
        int suffix = key.length - shared;
        if (length + MAX_ENTRY_OVERHEAD + suffix > body.length) {
            return false;
        }
        length = putVarint(shared);
        length = putVarint(suffix);
        System.arraycopy(key, shared, body, length, suffix);
        length += suffix;
        length = putVarint(valueLength);
        length = putVarint(Address.segment(address));
        length = putVarint(Address.offset(address));
        count++;
        previous = key;
        return true;
    }

    private int putVarint(long v) {
        int p = length;
        while ((v & ~0x7FL) != 0) {
            body[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        body[p++] = (byte) v;
        return p;
    }

    /** What decoding does with each entry. */
    @FunctionalInterface
    public interface EntrySink {
        /** Returns null to go on, or why the entry cannot be accepted (decoding stops there). */
        String accept(byte[] key, int valueLength, long address);
    }

    /**
     * Decodes the {@code count} entries of the body at {@code [from, from + bodyLength)} of {@code buf}
     * (absolute positions, not moved). Returns null, or why the body is not a valid batch or what the
     * sink refused.
     */
    public static String decode(ByteBuffer buf, int from, int bodyLength, int count, EntrySink sink) {
        Reader r = new Reader(buf, from, from + bodyLength);
        byte[] previous = new byte[0];
        for (int i = 0; i < count; i++) {
            long shared = r.varint(3);
            long suffix = r.varint(3);
            if (r.problem == null
                    && (shared > previous.length || (suffix < 1 && shared > 0) || shared + suffix > 65535)) {
                r.problem = "shared " + shared + " and suffix " + suffix + " make no key";
            }
            if (r.problem == null && suffix > r.end - r.pos) {
                r.problem = "key runs past the batch";
            }
            if (r.problem != null) {
                return "entry " + i + ": " + r.problem;
            }
            byte[] key = Arrays.copyOf(previous, (int) (shared + suffix));
            buf.get(r.pos, key, (int) shared, (int) suffix);
            r.pos += (int) suffix;
            long valueLength = r.varint(5);
            long segment = r.varint(5);
            long offset = r.varint(5);
            if (r.problem != null) {
                return "entry " + i + ": " + r.problem;
            }
            if (valueLength < 1
                    || valueLength > Integer.MAX_VALUE
                    || segment > Address.MAX_SEGMENT
                    || offset > Address.MAX_OFFSET) {
                return "entry " + i + ": value length " + valueLength + " or segment " + segment + " offset " + offset
                        + " out of range";
            }
            String refused = sink.accept(key, (int) valueLength, Address.of(segment, offset));
            if (refused != null) {
                return refused;
            }
            previous = key;
        }
        return r.pos == r.end ? null : (r.end - r.pos) + " bytes after the last of " + count + " entries";
    }

    /** Reads varints from a bounded window, noting the first problem instead of throwing. */
    private static final class Reader {
        private final ByteBuffer buf;
        private final int end;
        private int pos;
        private String problem;

        Reader(ByteBuffer buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        /** An unsigned LEB128 varint of at most {@code maxBytes} bytes; 0 with a problem noted if bad. */
        long varint(int maxBytes) {
            if (problem != null) {
                return 0;
            }
            long v = 0;
            for (int i = 0; i < maxBytes; i++) {
                if (pos >= end) {
                    problem = "varint runs past the batch";
                    return 0;
                }
                byte b = buf.get(pos++);
                v |= (long) (b & 0x7F) << (7 * i);
                if (b >= 0) {
                    return v;
                }
            }
            problem = "varint longer than " + maxBytes + " bytes";
            return 0;
        }
    }
}
