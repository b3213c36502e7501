package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ValueRecordTest {
    private static final byte[] KEY = "user:42".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUE = "the value".getBytes(StandardCharsets.US_ASCII);
    private static final long AT = Address.of(7, 4096);

    private static byte[] bytes(ByteBuffer b, int pos, int size) {
        byte[] rec = new byte[size];
        b.get(pos, rec);
        return rec;
    }

    @Test
    void aRecordDoesNotStoreItsKeyButOnlyItsKeyReadsIt() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        ValueRecord.write(b, 3, AT, KEY, VALUE);
        int size = ValueRecord.size(VALUE.length);
        assertEquals(8 + VALUE.length, size);
        byte[] rec = bytes(b, 3, size);
        assertArrayEquals(VALUE, ValueRecord.valueIfValid(rec, AT, KEY));
        assertNull(
                ValueRecord.valueIfValid(rec, AT, "user:43".getBytes(StandardCharsets.US_ASCII)), "another key's read");
        assertNull(ValueRecord.valueIfValid(rec, AT, "user:4".getBytes(StandardCharsets.US_ASCII)), "a shorter key");
        assertNull(ValueRecord.valueIfValid(rec, AT + 1, KEY), "read from another address");
        assertTrue(ValueRecord.isRecordOf(b, 3, size, AT, KEY));
        assertFalse(ValueRecord.isRecordOf(b, 3, size, AT, "user:43".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(ValueRecord.isRecordOf(b, 3, size - 1, AT, KEY), "a length that does not match the record's");
        for (int i = 0; i < size; i++) { // any flipped bit fails the check
            rec[i] ^= 0x20;
            assertNull(ValueRecord.valueIfValid(rec, AT, KEY), "bit flipped in byte " + i);
            rec[i] ^= 0x20;
        }
    }

    @Test
    void readdressMovesTheRecordToItsNewAddressOnly() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        ValueRecord.write(b, 0, AT, KEY, VALUE);
        int size = ValueRecord.size(VALUE.length);
        long to = Address.of(9, 0);
        ValueRecord.readdress(b, 0, size, to, KEY);
        assertArrayEquals(VALUE, ValueRecord.valueIfValid(bytes(b, 0, size), to, KEY));
        assertNull(ValueRecord.valueIfValid(bytes(b, 0, size), AT, KEY));
    }

    /** A record as format version 1 wrote it: checksum of the address and bytes 4..end, key stored. */
    private static ByteBuffer keyedRecord(long address, byte[] key, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(10 + key.length + value.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4, value.length).putShort(8, (short) key.length).put(10, key).put(10 + key.length, value);
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, address));
        crc.update(b.slice(4, b.capacity() - 4));
        b.putInt(0, (int) crc.getValue());
        return b;
    }

    @Test
    void aVersion1RecordWithItsKeyStillReadsAndMoves() {
        ByteBuffer b = keyedRecord(AT, KEY, VALUE);
        int size = b.capacity();
        assertArrayEquals(VALUE, ValueRecord.valueIfValid(bytes(b, 0, size), AT, KEY));
        assertNull(ValueRecord.valueIfValid(bytes(b, 0, size), AT, "user:43".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(ValueRecord.isRecordOf(b, 0, size, AT, KEY));
        long to = Address.of(9, 0);
        ValueRecord.readdress(b, 0, size, to, KEY);
        assertArrayEquals(VALUE, ValueRecord.valueIfValid(bytes(b, 0, size), to, KEY), "moved as it is, key and all");
        assertEquals(KEY.length, b.getShort(8));
    }

    @Test
    void malformedRecordsAreRejectedNotThrown() {
        java.util.Random r = new java.util.Random(5);
        for (int n = 0; n < 2000; n++) {
            byte[] rec = new byte[r.nextInt(40)];
            r.nextBytes(rec);
            if (rec.length >= 8 && r.nextBoolean()) { // plausible lengths, either layout
                int v = r.nextInt(40);
                boolean keyless = r.nextBoolean();
                ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(4, keyless ? v | 0x80000000 : v);
            }
            assertNull(ValueRecord.valueIfValid(rec, AT, KEY));
            assertFalse(ValueRecord.isRecordOf(
                    ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN), 0, rec.length, AT, KEY));
        }
    }
}
