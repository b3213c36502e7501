package io.toykv.server.command;

import io.toykv.core.Store;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * APPEND, GETRANGE (and its old name SUBSTR), SETRANGE, GETDEL, GETSET, SETNX and MSETNX. Each one that
 * reads then writes holds the stripes of its keys (see {@link KeyLocks}) across both steps.
 */
final class StringCommands {
    static final String TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    static final String OFFSET_OUT_OF_RANGE = "ERR offset is out of range";

    private final Keyspace keyspace;
    private final KeyLocks locks;
    private final Dispatcher.Stats stats;
    private final RawEncodedValues rawValues;

    StringCommands(Keyspace keyspace, KeyLocks locks, Dispatcher.Stats stats, RawEncodedValues rawValues) {
        this.keyspace = keyspace;
        this.locks = locks;
        this.stats = stats;
        this.rawValues = rawValues;
    }

    /** A change in place keeps the expiry, as in Redis, and leaves the value in Redis's raw encoding. */
    private void putInPlace(byte[] key, byte[] value) {
        keyspace.put(key, value, Store.KEEP_EXPIRY);
        rawValues.changedInPlace(SelectedKeyspace.currentDatabase(), key, value);
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "append",
                3,
                false,
                true,
                "string",
                "2.0.0",
                "Appends a string to the value of a key. Creates the key if it doesn't exist.",
                this::append));
        t.add(new CommandSpec(
                "getrange",
                4,
                false,
                false,
                "string",
                "2.4.0",
                "Returns a substring of the string stored at a key.",
                this::getRange));
        t.add(new CommandSpec(
                "substr",
                4,
                false,
                false,
                "string",
                "1.0.0",
                "Returns a substring from a string value.",
                this::getRange));
        t.add(new CommandSpec(
                "setrange",
                4,
                false,
                true,
                "string",
                "2.2.0",
                "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't "
                        + "exist.",
                this::setRange));
        t.add(new CommandSpec(
                "getdel",
                2,
                false,
                true,
                "string",
                "6.2.0",
                "Returns the string value of a key after deleting the key.",
                this::getDel));
        t.add(new CommandSpec(
                "getset",
                3,
                false,
                true,
                "string",
                "1.0.0",
                "Returns the previous string value of a key after setting it to a new value.",
                this::getSet));
        t.add(new CommandSpec(
                "setnx",
                3,
                false,
                true,
                "string",
                "1.0.0",
                "Set the string value of a key only when the key doesn't exist.",
                this::setNx));
        t.add(new CommandSpec(
                "msetnx",
                -3,
                false,
                true,
                "string",
                "1.0.1",
                "Atomically modifies the string values of one or more keys only when all keys don't exist.",
                this::msetNx));
    }

    /** Redis's checkStringLength: a value of {@code length} bytes would pass the limit. */
    private void checkLength(long length) {
        if (length < 0 || length > keyspace.maxValueSize()) {
            throw new ReplyException(TOO_LONG);
        }
    }

    private byte[] read(byte[] key) {
        byte[] value = keyspace.get(key);
        (value == null ? stats.keyspaceMisses() : stats.keyspaceHits()).increment();
        return value;
    }

    private void append(Call c) {
        byte[] key = c.arg(1);
        byte[] tail = c.arg(2);
        locks.withKey(key, () -> {
            byte[] old = keyspace.get(key);
            if (old == null) { // a new key, encoded by its text as after SET
                keyspace.put(key, tail, Store.KEEP_EXPIRY);
                c.out().integer(tail.length);
                return;
            }
            checkLength((long) old.length + tail.length);
            byte[] value = Arrays.copyOf(old, old.length + tail.length);
            System.arraycopy(tail, 0, value, old.length, tail.length);
            putInPlace(key, value);
            c.out().integer(value.length);
        });
    }

    private void getRange(Call c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        byte[] value = read(c.arg(1));
        if (value == null) {
            c.out().bulk(new byte[0]);
            return;
        }
        c.out().bulk(range(value, start, end));
    }

    /** GETRANGE's inclusive range with negative positions from the end, clamped as Redis clamps it. */
    static byte[] range(byte[] value, long start, long end) {
        int length = value.length;
        if (start < 0 && end < 0 && start > end) {
            return new byte[0];
        }
        if (start < 0) {
            start = length + start;
        }
        if (end < 0) {
            end = length + end;
        }
        start = Math.max(start, 0);
        end = Math.max(end, 0);
        if (end >= length) {
            end = length - 1L;
        }
        if (start > end || length == 0) {
            return new byte[0];
        }
        return Arrays.copyOfRange(value, (int) start, (int) end + 1);
    }

    private void setRange(Call c) {
        byte[] key = c.arg(1);
        long offset = c.longArg(2);
        byte[] patch = c.arg(3);
        if (offset < 0) {
            throw new ReplyException(OFFSET_OUT_OF_RANGE);
        }
        locks.withKey(key, () -> {
            byte[] old = keyspace.get(key);
            if (patch.length == 0) {
                c.out().integer(old == null ? 0 : old.length); // nothing to write, nothing created
                return;
            }
            long needed = offset + patch.length;
            if (needed < offset) {
                throw new ReplyException(TOO_LONG);
            }
            checkLength(needed);
            int oldLength = old == null ? 0 : old.length;
            byte[] value = old == null ? new byte[(int) needed] : Arrays.copyOf(old, (int) Math.max(needed, oldLength));
            System.arraycopy(patch, 0, value, (int) offset, patch.length);
            putInPlace(key, value); // a new key too: Redis builds it raw
            c.out().integer(value.length);
        });
    }

    private void getDel(Call c) {
        byte[] key = c.arg(1);
        locks.withKey(key, () -> {
            byte[] old = read(key);
            if (old != null) {
                keyspace.delete(key);
            }
            c.out().bulk(old);
        });
    }

    private void getSet(Call c) {
        byte[] key = c.arg(1);
        byte[] value = c.arg(2);
        locks.withKey(key, () -> {
            byte[] old = read(key);
            keyspace.put(key, value);
            c.out().bulk(old);
        });
    }

    private void setNx(Call c) {
        byte[] key = c.arg(1);
        byte[] value = c.arg(2);
        locks.withKey(key, () -> {
            boolean absent = keyspace.get(key) == null;
            if (absent) {
                keyspace.put(key, value);
            }
            c.out().integer(absent ? 1 : 0);
        });
    }

    /** All or nothing against other writers: every key's stripe is held while the keys are checked and set. */
    private void msetNx(Call c) {
        if (c.argc() % 2 == 0) {
            throw new ReplyException(Dispatcher.wrongArity(c.spec().name()));
        }
        List<byte[]> keys = new ArrayList<>();
        for (int i = 1; i < c.argc(); i += 2) {
            keyspace.check(c.arg(i), c.arg(i + 1));
            keys.add(c.arg(i));
        }
        locks.withKeys(keys, () -> {
            for (byte[] key : keys) {
                if (keyspace.get(key) != null) {
                    c.out().integer(0);
                    return;
                }
            }
            for (int i = 1; i < c.argc(); i += 2) {
                keyspace.put(c.arg(i), c.arg(i + 1));
            }
            c.out().integer(1);
        });
    }
}
