package io.toykv.server.command;

import io.toykv.core.Store;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SET (and its alias PUT) with its expiry options, SETEX, PSETEX, GETEX, EXPIRE, PEXPIRE, EXPIREAT,
 * PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST, as Redis 7 has them, and TIME (the clock
 * they use). Times come from the
 * keyspace's clock; a time that has passed deletes the key (the store does it). SET NX/XX use the
 * store's conditional puts; each read-then-write (SET GET, GETEX, EXPIRE with NX/XX/GT/LT) holds the
 * key's stripe of {@link KeyLocks}, as every write through the server does.
 */
final class ExpiryCommands {
    private final Keyspace keyspace;
    private final KeyLocks locks;
    private final Dispatcher.Stats stats;

    ExpiryCommands(Keyspace keyspace, KeyLocks locks, Dispatcher.Stats stats) {
        this.keyspace = keyspace;
        this.locks = locks;
        this.stats = stats;
    }

    void register(CommandTable t) {
        String setSummary = "Sets the value of a key; NX: only if absent, XX: only if present, GET: reply the old"
                + " value, EX/PX/EXAT/PXAT: with an expiry, KEEPTTL: keep the key's expiry (else it is removed).";
        t.add(new CommandSpec("set", -3, false, true, "string", "1.0.0", setSummary, this::set));
        t.add(new CommandSpec("put", -3, false, true, "string", "toykv", "Alias of SET.", this::set));
        t.add(new CommandSpec(
                "setex",
                4,
                false,
                true,
                "string",
                "2.0.0",
                "Sets the value and the expiry (seconds) of a key.",
                c -> setex(c, true)));
        t.add(new CommandSpec(
                "psetex",
                4,
                false,
                true,
                "string",
                "2.6.0",
                "Sets the value and the expiry (milliseconds) of a key.",
                c -> setex(c, false)));
        t.add(new CommandSpec(
                "getex",
                -2,
                false,
                true,
                "string",
                "6.2.0",
                "Returns the value of a key and sets (EX/PX/EXAT/PXAT) or removes (PERSIST) its expiry.",
                this::getex));
        t.add(new CommandSpec(
                "expire",
                -3,
                false,
                true,
                "generic",
                "1.0.0",
                "Sets a key's time to live in seconds (NX/XX/GT/LT: only under that condition).",
                c -> expire(c, true, true)));
        t.add(new CommandSpec(
                "pexpire",
                -3,
                false,
                true,
                "generic",
                "2.6.0",
                "Sets a key's time to live in milliseconds (NX/XX/GT/LT: only under that condition).",
                c -> expire(c, false, true)));
        t.add(new CommandSpec(
                "expireat",
                -3,
                false,
                true,
                "generic",
                "1.2.0",
                "Sets a key's expiry as a Unix time in seconds (NX/XX/GT/LT: only under that condition).",
                c -> expire(c, true, false)));
        t.add(new CommandSpec(
                "pexpireat",
                -3,
                false,
                true,
                "generic",
                "2.6.0",
                "Sets a key's expiry as a Unix time in milliseconds (NX/XX/GT/LT: only under that condition).",
                c -> expire(c, false, false)));
        t.add(new CommandSpec(
                "ttl",
                2,
                false,
                false,
                "generic",
                "1.0.0",
                "Returns a key's time to live in seconds (-1 without expiry, -2 if absent).",
                c -> ttl(c, false, false)));
        t.add(new CommandSpec(
                "pttl",
                2,
                false,
                false,
                "generic",
                "2.6.0",
                "Returns a key's time to live in milliseconds (-1 without expiry, -2 if absent).",
                c -> ttl(c, true, false)));
        t.add(new CommandSpec(
                "expiretime",
                2,
                false,
                false,
                "generic",
                "7.0.0",
                "Returns a key's expiry as a Unix time in seconds (-1 without expiry, -2 if absent).",
                c -> ttl(c, false, true)));
        t.add(new CommandSpec(
                "pexpiretime",
                2,
                false,
                false,
                "generic",
                "7.0.0",
                "Returns a key's expiry as a Unix time in milliseconds (-1 without expiry, -2 if absent).",
                c -> ttl(c, true, true)));
        t.add(new CommandSpec(
                "persist",
                2,
                false,
                true,
                "generic",
                "2.2.0",
                "Removes a key's expiry; replies 1 if it had one.",
                this::persist));
        t.add(new CommandSpec(
                "time",
                1,
                false,
                false,
                "server",
                "2.6.0",
                "Returns the server's time as Unix seconds and microseconds (the clock of expiry times).",
                this::time));
    }

    private void set(Call c) {
        ExpiryOptions o = ExpiryOptions.forSet(c, 3);
        long expireAt = o.expireAt(c, keyspace.now());
        byte[] key = c.arg(1);
        byte[] value = c.arg(2);
        ReentrantLock lock = locks.forKey(key);
        lock.lock();
        try {
            byte[] old = null;
            if (o.get) {
                old = keyspace.get(key);
                (old == null ? stats.keyspaceMisses() : stats.keyspaceHits()).increment();
            }
            boolean written;
            if (o.nx) {
                written = keyspace.putIfAbsent(key, value, expireAt);
            } else if (o.xx) {
                written = keyspace.putIfPresent(key, value, expireAt);
            } else {
                keyspace.put(key, value, expireAt);
                written = true;
            }
            if (o.get) {
                c.out().bulk(old);
            } else if (written) {
                c.out().ok();
            } else {
                c.out().nullBulk();
            }
        } finally {
            lock.unlock();
        }
    }

    private void setex(Call c, boolean seconds) {
        long expireAt = ExpiryOptions.expireAt(c, c.arg(2), seconds, true, keyspace.now());
        byte[] key = c.arg(1);
        ReentrantLock lock = locks.forKey(key);
        lock.lock();
        try {
            keyspace.put(key, c.arg(3), expireAt);
        } finally {
            lock.unlock();
        }
        c.out().ok();
    }

    private void getex(Call c) {
        ExpiryOptions o = ExpiryOptions.forGetex(c, 2);
        byte[] key = c.arg(1);
        ReentrantLock lock = locks.forKey(key);
        lock.lock();
        try {
            byte[] value = keyspace.get(key);
            (value == null ? stats.keyspaceMisses() : stats.keyspaceHits()).increment();
            if (value == null) {
                // Redis looks the key up before it checks the time: an absent key is nil, whatever the time.
                c.out().nullBulk();
                return;
            }
            long expireAt = o.expireAt(c, keyspace.now());
            if (o.unit != null) {
                keyspace.expireAt(key, expireAt);
            } else if (o.persist) {
                keyspace.persist(key);
            }
            c.out().bulk(value);
        } finally {
            lock.unlock();
        }
    }

    private void expire(Call c, boolean seconds, boolean relative) {
        ExpireCondition condition = ExpireCondition.parse(c, 3);
        long time = c.longArg(2);
        if (seconds) {
            if (time > Long.MAX_VALUE / 1000 || time < Long.MIN_VALUE / 1000) {
                throw ExpiryOptions.invalidExpireTime(c);
            }
            time *= 1000;
        }
        long base = relative ? keyspace.now() : 0;
        if (time > Long.MAX_VALUE - base) {
            throw ExpiryOptions.invalidExpireTime(c);
        }
        long expireAt = time + base;
        byte[] key = c.arg(1);
        ReentrantLock lock = locks.forKey(key);
        lock.lock();
        try {
            long current = keyspace.expiry(key);
            if (current == Store.NO_KEY || !condition.allows(current, expireAt)) {
                c.out().integer(0);
                return;
            }
            // A time that has passed (zero and negative ones included) deletes the key, as Redis does.
            c.out().integer(keyspace.expireAt(key, expireAt) ? 1 : 0);
        } finally {
            lock.unlock();
        }
    }

    private void ttl(Call c, boolean millis, boolean absolute) {
        long expiry = keyspace.expiry(c.arg(1));
        if (expiry == Store.NO_KEY || expiry == Store.NO_EXPIRY) {
            c.out().integer(expiry == Store.NO_KEY ? -2 : -1);
            return;
        }
        long t = Math.max(0, absolute ? expiry : expiry - keyspace.now());
        // Redis rounds seconds to the nearest, for EXPIRETIME as for TTL.
        c.out().integer(millis ? t : (t + 500) / 1000);
    }

    /** The keyspace's clock counts milliseconds, so the microseconds are a multiple of 1,000. */
    private void time(Call c) {
        long now = keyspace.now();
        c.out().arrayHeader(2).bulk(Long.toString(now / 1000)).bulk(Long.toString(now % 1000 * 1000));
    }

    private void persist(Call c) {
        byte[] key = c.arg(1);
        ReentrantLock lock = locks.forKey(key);
        lock.lock();
        try {
            c.out().integer(keyspace.persist(key) ? 1 : 0);
        } finally {
            lock.unlock();
        }
    }
}
