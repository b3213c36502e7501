package io.toykv.server.command;

import java.util.concurrent.locks.ReentrantLock;

/** GET, DEL, UNLINK, EXISTS, TOUCH, MGET, MSET, STRLEN and TYPE. */
final class KeyCommands {
    private final Keyspace keyspace;
    private final KeyLocks locks;
    private final Dispatcher.Stats stats;

    KeyCommands(Keyspace keyspace, KeyLocks locks, Dispatcher.Stats stats) {
        this.keyspace = keyspace;
        this.locks = locks;
        this.stats = stats;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec("get", 2, false, false, "string", "1.0.0", "Returns the value of a key.", this::get));
        t.add(new CommandSpec(
                "del", -2, false, true, "generic", "1.0.0", "Deletes keys; replies how many existed.", this::del));
        t.add(new CommandSpec(
                "unlink",
                -2,
                false,
                true,
                "generic",
                "4.0.0",
                "Deletes keys (same as DEL here); replies how many existed.",
                this::del));
        t.add(new CommandSpec(
                "exists",
                -2,
                false,
                false,
                "generic",
                "1.0.0",
                "Counts how many of the given keys exist (a key given twice counts twice).",
                this::exists));
        t.add(new CommandSpec(
                "touch",
                -2,
                false,
                false,
                "generic",
                "3.2.1",
                "Counts how many of the given keys exist (access times are not kept, so it changes nothing).",
                this::exists));
        t.add(new CommandSpec("mget", -2, false, false, "string", "1.0.0", "Returns the values of keys.", this::mget));
        t.add(new CommandSpec("mset", -3, false, true, "string", "1.0.1", "Sets several keys.", this::mset));
        t.add(new CommandSpec(
                "strlen",
                2,
                false,
                false,
                "string",
                "2.2.0",
                "Returns the length of a key's value (0 if absent).",
                this::strlen));
        t.add(new CommandSpec(
                "type", 2, false, false, "generic", "1.0.0", "Returns the type of a key: string or none.", this::type));
    }

    private void get(Call c) {
        byte[] value = keyspace.get(c.arg(1));
        (value == null ? stats.keyspaceMisses() : stats.keyspaceHits()).increment();
        c.out().bulk(value);
    }

    private void del(Call c) {
        long deleted = 0;
        for (int i = 1; i < c.argc(); i++) {
            byte[] key = c.arg(i);
            ReentrantLock lock = locks.forKey(key);
            lock.lock();
            try {
                if (keyspace.delete(key)) {
                    deleted++;
                }
            } finally {
                lock.unlock();
            }
        }
        c.out().integer(deleted);
    }

    private void exists(Call c) {
        long found = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (keyspace.get(c.arg(i)) != null) {
                found++;
            }
        }
        c.out().integer(found);
    }

    /**
     * Each value goes into the reply as it is read, so that only the reply buffer holds them (within
     * the client's buffer limits); an error half-way drops the partial reply (the dispatcher truncates it).
     */
    private void mget(Call c) {
        c.out().arrayHeader(c.argc() - 1);
        for (int i = 1; i < c.argc(); i++) {
            byte[] value = keyspace.get(c.arg(i));
            (value == null ? stats.keyspaceMisses() : stats.keyspaceHits()).increment();
            c.out().bulk(value);
        }
    }

    private void mset(Call c) {
        if (c.argc() % 2 == 0) {
            throw new ReplyException(Dispatcher.wrongArity(c.spec().name()));
        }
        // Refuse the whole command before writing anything if one pair would be refused.
        for (int i = 1; i < c.argc(); i += 2) {
            keyspace.check(c.arg(i), c.arg(i + 1));
        }
        for (int i = 1; i < c.argc(); i += 2) {
            byte[] key = c.arg(i);
            ReentrantLock lock = locks.forKey(key);
            lock.lock();
            try {
                keyspace.put(key, c.arg(i + 1));
            } finally {
                lock.unlock();
            }
        }
        c.out().ok();
    }

    private void strlen(Call c) {
        byte[] value = keyspace.get(c.arg(1));
        c.out().integer(value == null ? 0 : value.length);
    }

    private void type(Call c) {
        c.out().simple(keyspace.get(c.arg(1)) == null ? "none" : "string");
    }
}
