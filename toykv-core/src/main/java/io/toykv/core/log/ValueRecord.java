package io.toykv.core.log;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One value in the values log (in the buffer first, then in a segment). Little-endian:
 *
 * <pre>
 * offset  size  field
 * 0       4     crc32c of the record's address (8 bytes, little-endian) followed by bytes 4..end
 * 4       4     value length v
 * 8       2     key length k (1..65535)
 * 10      k     key
 * 10+k    v     value
 * </pre>
 *
 * The address is not stored but covered by the checksum, so a record read from the wrong place, or a
 * stale record left in the buffer by an earlier chunk, fails the check. The key is stored so a read
 * can prove it found the value of the key it was asked for.
 */
public final class ValueRecord {
    public static final int HEADER_SIZE = 10;
    static final int VALUE_LENGTH_OFFSET = 4;
    static final int KEY_LENGTH_OFFSET = 8;

    private ValueRecord() {
    }

    public static int size(int keyLength, int valueLength) {
        return HEADER_SIZE + keyLength + valueLength;
    }

    /** Writes the record at absolute position {@code pos} of {@code buf} (little-endian order). */
    static void write(ByteBuffer buf, int pos, long address, byte[] key, byte[] value) {
        buf.putInt(pos + VALUE_LENGTH_OFFSET, value.length);
        buf.putShort(pos + KEY_LENGTH_OFFSET, (short) key.length);
        buf.put(pos + HEADER_SIZE, key);
        buf.put(pos + HEADER_SIZE + key.length, value);
        readdress(buf, pos, size(key.length, value.length), address);
    }

    /**
     * Gives the record of {@code size} bytes at absolute position {@code pos} of {@code buf}, copied
     * whole from elsewhere, the checksum it has at {@code address}: the address is covered, not stored.
     */
    static void readdress(ByteBuffer buf, int pos, int size, long address) {
        CRC32C crc = seeded(address);
        crc.update(buf.slice(pos + VALUE_LENGTH_OFFSET, size - VALUE_LENGTH_OFFSET));
        buf.putInt(pos, (int) crc.getValue());
    }

    private static CRC32C seeded(long address) {
        CRC32C crc = new CRC32C();
        byte[] a = new byte[8];
        for (int i = 0; i < 8; i++) {
            a[i] = (byte) (address >>> (8 * i));
        }
        crc.update(a);
        return crc;
    }

    /**
     * Checks a record read whole into {@code rec} from {@code address} and returns its value, or null
     * when the checksum, the lengths or the key do not match.
     */
    static byte[] valueIfValid(byte[] rec, long address, byte[] key) {
        if (rec.length < HEADER_SIZE) {
            return null;
        }
        int valueLength = getInt(rec, VALUE_LENGTH_OFFSET);
        int keyLength = (rec[KEY_LENGTH_OFFSET] & 0xFF) | (rec[KEY_LENGTH_OFFSET + 1] & 0xFF) << 8;
        if (keyLength != key.length || valueLength < 0 || (long) HEADER_SIZE + keyLength + valueLength != rec.length) {
            return null;
        }
        CRC32C crc = seeded(address);
        crc.update(rec, VALUE_LENGTH_OFFSET, rec.length - VALUE_LENGTH_OFFSET);
        if ((int) crc.getValue() != getInt(rec, 0)
                || !Arrays.equals(rec, HEADER_SIZE, HEADER_SIZE + keyLength, key, 0, keyLength)) {
            return null;
        }
        return Arrays.copyOfRange(rec, HEADER_SIZE + keyLength, rec.length);
    }

    /**
     * Length of the valid record at absolute position {@code pos} of {@code buf}, which was written at
     * {@code address}, or -1 when there is none (bad checksum or lengths past {@code limit}).
     */
    static int validLength(ByteBuffer buf, int pos, int limit, long address) {
        if (limit - pos < HEADER_SIZE) {
            return -1;
        }
        int valueLength = buf.getInt(pos + VALUE_LENGTH_OFFSET);
        int keyLength = buf.getShort(pos + KEY_LENGTH_OFFSET) & 0xFFFF;
        long size = (long) HEADER_SIZE + keyLength + valueLength;
        if (keyLength == 0 || valueLength < 0 || size > limit - pos) {
            return -1;
        }
        CRC32C crc = seeded(address);
        crc.update(buf.slice(pos + VALUE_LENGTH_OFFSET, (int) size - VALUE_LENGTH_OFFSET));
        return (int) crc.getValue() == buf.getInt(pos) ? (int) size : -1;
    }

    /**
     * Whether the {@code size} bytes at absolute position {@code pos} of {@code buf} are a valid record
     * of {@code key} written at {@code address}: the checks a read makes ({@link #valueIfValid}).
     */
    static boolean isRecordOf(ByteBuffer buf, int pos, int size, long address, byte[] key) {
        if (validLength(buf, pos, pos + size, address) != size
                || (buf.getShort(pos + KEY_LENGTH_OFFSET) & 0xFFFF) != key.length) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if (buf.get(pos + HEADER_SIZE + i) != key[i]) {
                return false;
            }
        }
        return true;
    }

    private static int getInt(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }
}
