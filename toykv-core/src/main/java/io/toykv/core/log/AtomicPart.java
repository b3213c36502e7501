package io.toykv.core.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of an ATOMIC_PART record ({@link KeyRecord#ATOMIC_PART}): the changes one atomic batch makes
 * in one shard, in the order they are applied. Little-endian, fixed-width fields:
 *
 * <pre>
 * entry:
 *   1  kind: 1 PUT, 2 DELETE, 5 PUT_EXPIRING (as KeyRecord's kinds)
 *   2  key length k (0..65535)
 *   k  key
 *   PUT and PUT_EXPIRING only:
 *   4  length of the value record (at least 1)
 *   8  address of the value record (never negative)
 *   PUT_EXPIRING only:
 *   8  expiry: milliseconds since the epoch (at least 1)
 * </pre>
 *
 * A body holds at most {@link #MAX_BODY} bytes (its length is the record's 16-bit key-length field).
 * Decoding checks every field, so bytes that pass the record's checksum but do not follow this layout
 * are reported, never misread.
 */
public final class AtomicPart {
    /** A body's length is kept in the record's 16-bit key-length field. */
    public static final int MAX_BODY = 65535;

    /** The most bytes an entry of a key of {@code keyLength} bytes can take (a PUT_EXPIRING's). */
    public static int entryBound(int keyLength) {
        return 3 + keyLength + 4 + 8 + 8;
    }

    /** Bytes an entry takes. */
    public static int entrySize(byte kind, int keyLength) {
        return 3 + keyLength + (kind == KeyRecord.DELETE ? 0 : 12) + (kind == KeyRecord.PUT_EXPIRING ? 8 : 0);
    }

    private final ByteBuffer body;
    private int count;

    /** A part whose body holds at most {@code capacity} bytes (1..{@link #MAX_BODY}). */
    public AtomicPart(int capacity) {
        if (capacity < 1 || capacity > MAX_BODY) {
            throw new IllegalArgumentException("atomic part capacity must be 1.." + MAX_BODY + ", was " + capacity);
        }
        body = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Adds a PUT, PUT_EXPIRING ({@code expireAt} not 0) or DELETE (of {@code key} alone) entry. */
    public void add(byte kind, byte[] key, int valueLength, long address, long expireAt) {
        if (kind != KeyRecord.PUT && kind != KeyRecord.DELETE && kind != KeyRecord.PUT_EXPIRING) {
            throw new IllegalArgumentException("an atomic part holds no record of kind " + kind);
        }
        body.put(kind).putShort((short) key.length).put(key);
        if (kind != KeyRecord.DELETE) {
            body.putInt(valueLength).putLong(address);
        }
        if (kind == KeyRecord.PUT_EXPIRING) {
            body.putLong(expireAt);
        }
        count++;
    }

    public int length() {
        return body.position();
    }

    public int count() {
        return count;
    }

    /** The body; its first {@link #length()} bytes are the entries. */
    public byte[] body() {
        return body.array();
    }

    /**
     * The {@code count} entries of {@code body}, as PUT, PUT_EXPIRING and DELETE records.
     *
     * @throws IllegalArgumentException the bytes do not follow the layout (a field out of range, an
     *     entry cut off, bytes left over, fewer or more entries than {@code count})
     */
    public static List<KeyRecord> decode(byte[] body, int count) {
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        List<KeyRecord> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            need(b, 3, i);
            byte kind = b.get();
            if (kind != KeyRecord.PUT && kind != KeyRecord.DELETE && kind != KeyRecord.PUT_EXPIRING) {
                throw new IllegalArgumentException("entry " + i + ": bad kind " + kind);
            }
            int keyLength = b.getShort() & 0xFFFF;
            need(b, keyLength, i);
            byte[] key = new byte[keyLength];
            b.get(key);
            if (kind == KeyRecord.DELETE) {
                entries.add(new KeyRecord(kind, key, 0, 0));
                continue;
            }
            need(b, 12, i);
            int length = b.getInt();
            long address = b.getLong();
            if (length < 1 || address < 0) {
                throw new IllegalArgumentException(
                        "entry " + i + ": bad value length " + length + " or address " + address);
            }
            long expireAt = 0;
            if (kind == KeyRecord.PUT_EXPIRING) {
                need(b, 8, i);
                expireAt = b.getLong();
                if (expireAt < 1) {
                    throw new IllegalArgumentException("entry " + i + ": bad expiry " + expireAt);
                }
            }
            entries.add(new KeyRecord(kind, key, length, address, expireAt));
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException(b.remaining() + " bytes after the last of " + count + " entries");
        }
        return entries;
    }

    private static void need(ByteBuffer b, int n, int entry) {
        if (b.remaining() < n) {
            throw new IllegalArgumentException("entry " + entry + " is cut off");
        }
    }
}
