package io.toykv.core.log;

/**
 * One record of the keys log. Little-endian:
 *
 * <pre>
 * offset  size  field
 * 0       4     crc32c of bytes 4..end
 * 4       1     kind: 1 PUT, 2 DELETE, 3 CLEAR (drop every key before it), 4 BATCH (many PUTs)
 * 5       2     key length k (0..65535; 0 for CLEAR: the empty key is a key); for BATCH the body length (1..65535)
 * 7       4     length of the value record (PUT), entry count (BATCH, at least 1); 0 otherwise
 * 11      8     address of the value record (PUT; 0 otherwise)
 * 19      k     key; for BATCH the body, {@link PutBatch}'s entries
 * </pre>
 *
 * Nineteen zero bytes where a record would start mark the end of a keys file's records (files are
 * allocated zero-filled).
 */
public record KeyRecord(byte kind, byte[] key, int valueLength, long address) {
    public static final int HEADER_SIZE = 19;
    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    public static final byte CLEAR = 3;
    /** A {@link PutBatch} of PUTs in key order (a keys-log rewrite, a batch of garbage-collection moves), replayed as those PUTs. */
    public static final byte BATCH = 4;

    static final int KIND_OFFSET = 4;
    static final int KEY_LENGTH_OFFSET = 5;
    static final int VALUE_LENGTH_OFFSET = 7;
    static final int ADDRESS_OFFSET = 11;

    public static int size(int keyLength) {
        return HEADER_SIZE + keyLength;
    }

    public int size() {
        return HEADER_SIZE + key.length;
    }
}
