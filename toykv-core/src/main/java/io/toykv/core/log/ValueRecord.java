package io.toykv.core.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One value in the values log (in the buffer first, then in a segment). Little-endian, in one of two
 * layouts told apart by the top bit of the length field:
 *
 * <pre>
 * keyless (every record written since store format version 2)
 * offset  size  field
 * 0       4     crc32c of the record's address (8 bytes), the key's length (2 bytes), the key, bytes 4..end
 * 4       4     value length v, with the top bit set
 * 8       v     value
 *
 * keyed (format version 1: read, and moved by garbage collection, as they are)
 * 0       4     crc32c of the record's address (8 bytes) followed by bytes 4..end
 * 4       4     value length v (top bit clear)
 * 8       2     key length k (1..65535)
 * 10      k     key
 * 10+k    v     value
 * </pre>
 *
 * Neither the address nor, in a keyless record, the key is stored, but both are covered by the
 * checksum: a record read from the wrong place, a stale record left in the buffer by an earlier chunk,
 * or the value of another key fails the check, so a read proves it found the value of the key it
 * asked for. Storing the key would only repeat what the keys log holds (WiscKey stores it so that
 * collection can scan the values log; here collection walks the index), and for the original's
 * 8-byte keys and 256-byte values it made every record 3% larger.
 */
public final class ValueRecord {
    /** Header of a keyless record: checksum and value length. */
    public static final int HEADER_SIZE = 8;
    /** Header of a keyed (version 1) record: checksum, value length and key length. */
    static final int KEYED_HEADER_SIZE = 10;

    static final int VALUE_LENGTH_OFFSET = 4;
    static final int KEY_LENGTH_OFFSET = 8;
    /** Top bit of the length field: the record does not store its key. */
    static final int KEYLESS = 0x80000000;

    private ValueRecord() {}

    /** Size of the record a put of a value of {@code valueLength} bytes writes. */
    public static int size(int valueLength) {
        return HEADER_SIZE + valueLength;
    }

    /** Writes a keyless record at absolute position {@code pos} of {@code buf} (little-endian order). */
    static void write(ByteBuffer buf, int pos, long address, byte[] key, byte[] value) {
        buf.putInt(pos + VALUE_LENGTH_OFFSET, value.length | KEYLESS);
        buf.put(pos + HEADER_SIZE, value);
        readdress(buf, pos, size(value.length), address, key);
    }

    /**
     * Writes the 8-byte header of the keyless record of {@code value} at {@code address} into
     * {@code header} (little-endian, at 0): the record is then the header followed by the value, which
     * the caller writes after it ({@link LargeValueWriter}, which never copies the value into one buffer).
     */
    static void writeHeader(ByteBuffer header, long address, byte[] key, byte[] value) {
        header.putInt(VALUE_LENGTH_OFFSET, value.length | KEYLESS);
        CRC32C crc = seeded(address, key);
        crc.update(header.slice(VALUE_LENGTH_OFFSET, HEADER_SIZE - VALUE_LENGTH_OFFSET));
        crc.update(value);
        header.putInt(0, (int) crc.getValue());
    }

    /**
     * Checks the record that is the whole of {@code rec} (little-endian, read in place from
     * {@code address}: a segment's mapping) and returns a copy of its value, or null when the checksum,
     * the lengths or the key do not match. The value is copied once, after the check.
     */
    static byte[] valueIfValid(ByteBuffer rec, long address, byte[] key) {
        int at = valueOffset(rec, 0, rec.remaining(), address, key);
        if (at < 0) {
            return null;
        }
        byte[] value = new byte[rec.remaining() - at];
        rec.get(at, value);
        return value;
    }

    /**
     * Gives the record of {@code size} bytes at absolute position {@code pos} of {@code buf}, copied
     * whole from elsewhere, the checksum it has at {@code address}: the address is covered, not stored.
     */
    static void readdress(ByteBuffer buf, int pos, int size, long address, byte[] key) {
        boolean keyless = (buf.getInt(pos + VALUE_LENGTH_OFFSET) & KEYLESS) != 0;
        CRC32C crc = seeded(address, keyless ? key : null);
        crc.update(buf.slice(pos + VALUE_LENGTH_OFFSET, size - VALUE_LENGTH_OFFSET));
        buf.putInt(pos, (int) crc.getValue());
    }

    /** A checksum started with the address and, for a keyless record ({@code key} not null), the key. */
    private static CRC32C seeded(long address, byte[] key) {
        CRC32C crc = new CRC32C();
        byte[] a = new byte[10];
        for (int i = 0; i < 8; i++) {
            a[i] = (byte) (address >>> (8 * i));
        }
        if (key == null) {
            crc.update(a, 0, 8);
        } else {
            a[8] = (byte) key.length;
            a[9] = (byte) (key.length >>> 8);
            crc.update(a, 0, 10);
            crc.update(key);
        }
        return crc;
    }

    /**
     * Checks a record read whole into {@code rec} from {@code address} and returns its value, or null
     * when the checksum, the lengths or the key do not match.
     */
    static byte[] valueIfValid(byte[] rec, long address, byte[] key) {
        int at = valueOffset(ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN), 0, rec.length, address, key);
        return at < 0 ? null : Arrays.copyOfRange(rec, at, rec.length);
    }

    /**
     * Whether the {@code size} bytes at absolute position {@code pos} of {@code buf} are a valid record
     * of {@code key} written at {@code address}: the checks a read makes ({@link #valueIfValid}).
     */
    static boolean isRecordOf(ByteBuffer buf, int pos, int size, long address, byte[] key) {
        return valueOffset(buf, pos, size, address, key) >= 0;
    }

    /**
     * Where the value starts in the {@code size} bytes at absolute position {@code pos} of {@code buf}
     * (little-endian), if they are a valid record of {@code key} written at {@code address}; else -1.
     */
    private static int valueOffset(ByteBuffer buf, int pos, int size, long address, byte[] key) {
        if (size < HEADER_SIZE) {
            return -1;
        }
        int field = buf.getInt(pos + VALUE_LENGTH_OFFSET);
        boolean keyless = (field & KEYLESS) != 0;
        int valueAt;
        if (keyless) {
            if ((long) HEADER_SIZE + (field & ~KEYLESS) != size) {
                return -1;
            }
            valueAt = HEADER_SIZE;
        } else {
            if (size < KEYED_HEADER_SIZE) {
                return -1;
            }
            int keyLength = buf.getShort(pos + KEY_LENGTH_OFFSET) & 0xFFFF;
            if (keyLength != key.length || (long) KEYED_HEADER_SIZE + keyLength + field != size) {
                return -1;
            }
            for (int i = 0; i < key.length; i++) {
                if (buf.get(pos + KEYED_HEADER_SIZE + i) != key[i]) {
                    return -1;
                }
            }
            valueAt = KEYED_HEADER_SIZE + keyLength;
        }
        CRC32C crc = seeded(address, keyless ? key : null);
        crc.update(buf.slice(pos + VALUE_LENGTH_OFFSET, size - VALUE_LENGTH_OFFSET));
        return (int) crc.getValue() == buf.getInt(pos) ? valueAt : -1;
    }
}
