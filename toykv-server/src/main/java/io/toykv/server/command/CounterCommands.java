package io.toykv.server.command;

import io.toykv.core.Store;
import java.nio.charset.StandardCharsets;

/**
 * INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT: read, change and write a number stored as its decimal
 * text, holding the key's stripe so that no other write to the key comes in between.
 */
final class CounterCommands {
    static final String OVERFLOW = "ERR increment or decrement would overflow";
    static final String DECREMENT_OVERFLOW = "ERR decrement would overflow";

    private final Keyspace keyspace;
    private final KeyLocks locks;

    CounterCommands(Keyspace keyspace, KeyLocks locks) {
        this.keyspace = keyspace;
        this.locks = locks;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "incr",
                2,
                false,
                true,
                "string",
                "1.0.0",
                "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
                c -> incrementBy(c, 1)));
        t.add(new CommandSpec(
                "decr",
                2,
                false,
                true,
                "string",
                "1.0.0",
                "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
                c -> incrementBy(c, -1)));
        t.add(new CommandSpec(
                "incrby",
                3,
                false,
                true,
                "string",
                "1.0.0",
                "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't "
                        + "exist.",
                c -> incrementBy(c, c.longArg(2))));
        t.add(new CommandSpec(
                "decrby",
                3,
                false,
                true,
                "string",
                "1.0.0",
                "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't "
                        + "exist.",
                this::decrementBy));
        t.add(new CommandSpec(
                "incrbyfloat",
                3,
                false,
                true,
                "string",
                "2.6.0",
                "Increment the floating point value of a key by a number. Uses 0 as initial value if the key "
                        + "doesn't exist.",
                this::incrementByFloat));
    }

    private void decrementBy(Call c) {
        long decrement = c.longArg(2);
        if (decrement == Long.MIN_VALUE) {
            throw new ReplyException(DECREMENT_OVERFLOW);
        }
        incrementBy(c, -decrement);
    }

    private void incrementBy(Call c, long delta) {
        byte[] key = c.arg(1);
        locks.withKey(key, () -> {
            byte[] old = keyspace.get(key);
            long value = old == null ? 0 : Args.parseLong(old);
            long result;
            try {
                result = Math.addExact(value, delta);
            } catch (ArithmeticException e) {
                throw new ReplyException(OVERFLOW);
            }
            // A counter keeps its expiry, as in Redis (INCR on a key with a TTL).
            keyspace.put(key, Long.toString(result).getBytes(StandardCharsets.US_ASCII), Store.KEEP_EXPIRY);
            c.out().integer(result);
        });
    }

    private void incrementByFloat(Call c) {
        byte[] key = c.arg(1);
        LongDouble increment = LongDouble.parse(c.arg(2));
        locks.withKey(key, () -> {
            byte[] old = keyspace.get(key);
            LongDouble value = old == null ? LongDouble.ZERO : LongDouble.parse(old);
            byte[] result = value.plus(increment).toText();
            keyspace.put(key, result, Store.KEEP_EXPIRY);
            c.out().bulk(result);
        });
    }
}
