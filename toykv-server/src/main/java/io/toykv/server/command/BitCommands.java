package io.toykv.server.command;

import io.toykv.core.Store;
import java.util.Arrays;

/**
 * SETBIT and GETBIT: single bits of a string value, bit 0 being the most significant bit of the first
 * byte, as Redis numbers them. SETBIT grows the value with zero bytes as needed, keeps its expiry and
 * leaves it in Redis's raw encoding; it holds the key's stripe (see {@link KeyLocks}) between its read
 * and its write.
 */
final class BitCommands {
    static final String BAD_OFFSET = "ERR bit offset is not an integer or out of range";
    static final String BAD_BIT = "ERR bit is not an integer or out of range";

    private final Keyspace keyspace;
    private final KeyLocks locks;
    private final RawEncodedValues rawValues;

    BitCommands(Keyspace keyspace, KeyLocks locks, RawEncodedValues rawValues) {
        this.keyspace = keyspace;
        this.locks = locks;
        this.rawValues = rawValues;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "setbit",
                4,
                false,
                true,
                "bitmap",
                "2.2.0",
                "Sets or clears the bit at offset of the string value; replies the bit's old value.",
                this::setBit));
        t.add(new CommandSpec(
                "getbit",
                3,
                false,
                false,
                "bitmap",
                "2.2.0",
                "Returns the bit at offset of the string value (0 past its end or for a missing key).",
                this::getBit));
    }

    /**
     * The bit offset in argument 2: as Redis, a non-negative integer whose byte fits the largest value
     * (Redis's proto-max-bulk-len, here the store's value limit).
     */
    private long offset(Call c) {
        long offset;
        try {
            offset = c.longArg(2);
        } catch (ReplyException e) {
            throw new ReplyException(BAD_OFFSET);
        }
        if (offset < 0 || (offset >>> 3) >= keyspace.maxValueSize()) {
            throw new ReplyException(BAD_OFFSET);
        }
        return offset;
    }

    private void setBit(Call c) {
        byte[] key = c.arg(1);
        long offset = offset(c);
        long bit;
        try {
            bit = c.longArg(3);
        } catch (ReplyException e) {
            throw new ReplyException(BAD_BIT);
        }
        if (bit != 0 && bit != 1) {
            throw new ReplyException(BAD_BIT);
        }
        int index = (int) (offset >>> 3);
        int mask = 1 << (7 - (int) (offset & 7));
        locks.withKey(key, () -> {
            byte[] old = keyspace.get(key);
            byte[] value = old == null ? new byte[index + 1] : Arrays.copyOf(old, Math.max(old.length, index + 1));
            int was = (value[index] & mask) != 0 ? 1 : 0;
            value[index] = (byte) (bit == 1 ? value[index] | mask : value[index] & ~mask);
            keyspace.put(key, value, Store.KEEP_EXPIRY);
            rawValues.changedInPlace(SelectedKeyspace.currentDatabase(), key, value);
            c.out().integer(was);
        });
    }

    private void getBit(Call c) {
        long offset = offset(c);
        byte[] value = keyspace.get(c.arg(1));
        int index = (int) (offset >>> 3);
        if (value == null || index >= value.length) {
            c.out().integer(0);
            return;
        }
        c.out().integer((value[index] >> (7 - (int) (offset & 7))) & 1);
    }
}
