package io.toykv.core.log;

/**
 * One record of the keys log. Little-endian:
 *
 * <pre>
 * offset  size  field
 * 0       4     crc32c of bytes 4..end
 * 4       1     kind: 1 PUT, 2 DELETE, 3 CLEAR (drop every key before it), 4 BATCH (many PUTs),
 *               5 PUT_EXPIRING (a PUT whose key expires), 6 ATOMIC_PART (one shard's part of an atomic batch)
 * 5       2     key length k (0..65535: the empty key is a key; 0 for CLEAR); for BATCH and ATOMIC_PART the body length (1..65535)
 * 7       4     length of the value record (PUT, PUT_EXPIRING), entry count (BATCH, ATOMIC_PART: at least 1); 0 otherwise
 * 11      8     address of the value record (PUT, PUT_EXPIRING); the batch id (ATOMIC_PART); 0 otherwise
 * 19      k     key; for BATCH the body, {@link PutBatch}'s entries; for ATOMIC_PART {@link AtomicPart}'s entries
 *
 * PUT_EXPIRING only, between the address and the key:
 * 19      8     expiry: milliseconds since the epoch (at least 1)
 * 27      2     database: 0 (room for per-database keyspaces; any other value is refused)
 * 29      k     key
 * </pre>
 *
 * A PUT_EXPIRING record sets the key's value and its expiry; a PUT sets the value and leaves the key
 * without one. Changing a key's expiry writes a record of either kind with the address it already has,
 * so the value is never copied for it.
 *
 * <p>Nineteen zero bytes where a record would start mark the end of a keys file's records (files are
 * allocated zero-filled). No record starts so, since no kind is 0.
 */
public record KeyRecord(byte kind, byte[] key, int valueLength, long address, long expireAt) {
    public static final int HEADER_SIZE = 19;
    /** The header of a PUT_EXPIRING record: the expiry and the database come before the key. */
    public static final int EXPIRING_HEADER_SIZE = 29;

    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    public static final byte CLEAR = 3;
    /** A {@link PutBatch} of PUTs in key order (a keys-log rewrite, a batch of garbage-collection moves), replayed as those PUTs. */
    public static final byte BATCH = 4;
    /** A PUT whose key expires at {@link #expireAt}. */
    public static final byte PUT_EXPIRING = 5;
    /**
     * One shard's part of an atomic batch ({@link AtomicPart}): its PUT, PUT_EXPIRING and DELETE entries,
     * replayed only if the store's batch commits hold its batch id ({@link #address}).
     */
    public static final byte ATOMIC_PART = 6;

    static final int KIND_OFFSET = 4;
    static final int KEY_LENGTH_OFFSET = 5;
    static final int VALUE_LENGTH_OFFSET = 7;
    static final int ADDRESS_OFFSET = 11;
    static final int EXPIRY_OFFSET = 19;
    static final int DATABASE_OFFSET = 27;

    /** A record of a key without an expiry. */
    public KeyRecord(byte kind, byte[] key, int valueLength, long address) {
        this(kind, key, valueLength, address, 0);
    }

    /** Size of a PUT, DELETE or CLEAR record (or a BATCH of that body length). */
    public static int size(int keyLength) {
        return HEADER_SIZE + keyLength;
    }

    /** Size of a record of {@code kind} for a key (or BATCH body) of {@code keyLength} bytes. */
    public static int size(byte kind, int keyLength) {
        return headerSize(kind) + keyLength;
    }

    /** Bytes before the key: {@link #EXPIRING_HEADER_SIZE} for PUT_EXPIRING, else {@link #HEADER_SIZE}. */
    public static int headerSize(byte kind) {
        return kind == PUT_EXPIRING ? EXPIRING_HEADER_SIZE : HEADER_SIZE;
    }

    /** The kind of record that puts a key with {@code expireAt} (0: none). */
    public static byte putKind(long expireAt) {
        return expireAt == 0 ? PUT : PUT_EXPIRING;
    }

    public int size() {
        return size(kind, key.length);
    }
}
