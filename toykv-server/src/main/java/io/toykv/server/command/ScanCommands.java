package io.toykv.server.command;

import io.toykv.core.Entry;
import io.toykv.core.ScanIterator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** KEYS, SCAN and RANGE: walks over the keys in order. */
final class ScanCommands {
    /** SCAN examines at most this many keys per call whatever COUNT says. */
    static final int MAX_SCAN_COUNT = 100_000;

    static final int DEFAULT_RANGE_LIMIT = 100;
    static final int MAX_RANGE_LIMIT = 10_000;
    /** RANGE stops early once its reply holds this many bytes of keys and values (at least one entry). */
    static final int RANGE_REPLY_BUDGET = 8 << 20;
    /**
     * A walk yields its thread after this many keys (a virtual thread is not preempted, so forty KEYS
     * over millions of keys would otherwise hold every carrier and keep a PING waiting for seconds),
     * and stops if its client was evicted meanwhile ({@code ReplyWriter.checkBudget}).
     */
    static final int YIELD_EVERY_KEYS = 1024;

    private final Keyspace keyspace;
    private final ScanCursors cursors = new ScanCursors();

    ScanCommands(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "keys",
                2,
                false,
                false,
                "generic",
                "1.0.0",
                "Returns all keys matching a pattern (walks the whole store: use SCAN or RANGE).",
                this::keys));
        t.add(new CommandSpec(
                "scan",
                -2,
                false,
                false,
                "generic",
                "2.8.0",
                "Iterates over the keys: SCAN cursor [MATCH pattern] [COUNT n] [TYPE type].",
                this::scan));
        t.add(new CommandSpec(
                "range",
                -3,
                false,
                false,
                "generic",
                "toykv",
                "Returns keys and values with start <= key < end in key order: RANGE start end [LIMIT n] "
                        + "[NOVALUES]; replies [next-start or nil, [key, value, ...]].",
                this::range));
    }

    /**
     * Writes the matching keys straight into the reply, then puts the count in front: no list of keys
     * besides the reply buffer, which grows only as far as the client's buffer limits allow (a reply
     * past them fails the command with an error, before the memory is taken).
     */
    private void keys(Call c) {
        Glob glob = new Glob(c.arg(1));
        byte[] prefix = glob.literalPrefix();
        int mark = c.out().size();
        long found = 0;
        long examined = 0;
        try (ScanIterator it = keyspace.scan(prefix.length == 0 ? null : prefix, bounds(prefix))) {
            while (it.hasNext()) {
                byte[] key = it.next().key();
                if (glob.matches(key)) {
                    c.out().bulk(key);
                    found++;
                }
                if (++examined % YIELD_EVERY_KEYS == 0) {
                    c.out().checkBudget();
                    Thread.yield();
                }
            }
        }
        c.out().insertArrayHeader(mark, found);
    }

    private void scan(Call c) {
        long cursor;
        try {
            cursor = c.longArg(1);
        } catch (ReplyException e) {
            throw new ReplyException("ERR invalid cursor");
        }
        Glob glob = null;
        long count = 10;
        boolean noType = false;
        for (int i = 2; i < c.argc(); i += 2) {
            if (i + 1 >= c.argc()) {
                throw new ReplyException(Args.SYNTAX_ERROR);
            }
            switch (c.upper(i)) {
                case "MATCH" -> glob = new Glob(c.arg(i + 1));
                case "COUNT" -> {
                    count = c.longArg(i + 1);
                    if (count < 1) {
                        throw new ReplyException(Args.SYNTAX_ERROR);
                    }
                }
                case "TYPE" -> noType = !c.string(i + 1).equalsIgnoreCase("string");
                default -> throw new ReplyException(Args.SYNTAX_ERROR);
            }
        }
        byte[] prefix = glob == null ? new byte[0] : glob.literalPrefix();
        byte[] from;
        if (cursor == 0) {
            from = prefix.length == 0 ? null : prefix;
        } else {
            from = cursor > 0 ? cursors.resumeKey(cursor) : null;
            if (from == null) {
                throw new ReplyException("ERR invalid cursor");
            }
        }
        c.out().arrayHeader(2);
        int cursorMark = c.out().size();
        int mark = cursorMark;
        long found = 0;
        long next = 0;
        if (!noType) {
            int budget = (int) Math.min(count, MAX_SCAN_COUNT);
            try (ScanIterator it = keyspace.scan(from, bounds(prefix))) {
                int examined = 0;
                while (it.hasNext()) {
                    byte[] key = it.next().key();
                    if (examined == budget) {
                        next = cursors.save(key);
                        break;
                    }
                    examined++;
                    if (glob == null || glob.matches(key)) {
                        c.out().bulk(key);
                        found++;
                    }
                    if (examined % YIELD_EVERY_KEYS == 0) {
                        c.out().checkBudget();
                        Thread.yield();
                    }
                }
            }
        }
        // The keys were written first (no list of them): the count, then the cursor go in front.
        c.out().insertArrayHeader(mark, found);
        c.out().insertBulk(cursorMark, Long.toString(next));
    }

    private void range(Call c) {
        byte[] start = c.arg(1);
        byte[] end = c.arg(2);
        long limit = DEFAULT_RANGE_LIMIT;
        boolean values = true;
        for (int i = 3; i < c.argc(); i++) {
            String option = c.upper(i);
            if (option.equals("LIMIT") && i + 1 < c.argc()) {
                limit = c.longArg(++i);
                if (limit < 1 || limit > MAX_RANGE_LIMIT) {
                    throw new ReplyException("ERR LIMIT must be between 1 and " + MAX_RANGE_LIMIT);
                }
            } else if (option.equals("NOVALUES")) {
                values = false;
            } else {
                throw new ReplyException(Args.SYNTAX_ERROR);
            }
        }
        List<Entry> found = new ArrayList<>();
        byte[] next = null;
        long bytes = 0;
        try (ScanIterator it = keyspace.scan(start.length == 0 ? null : start, end.length == 0 ? null : end)) {
            while (it.hasNext()) {
                Entry e = it.next();
                if (found.size() == limit || bytes >= RANGE_REPLY_BUDGET) {
                    next = e.key();
                    break;
                }
                found.add(e);
                bytes += e.key().length + (values ? e.value().length : 0);
            }
        }
        c.out().arrayHeader(2);
        c.out().bulk(next);
        c.out().arrayHeader(values ? 2 * found.size() : found.size());
        for (Entry e : found) {
            c.out().bulk(e.key());
            if (values) {
                c.out().bulk(e.value());
            }
        }
    }

    private static byte[] bounds(byte[] prefix) {
        return prefix.length == 0 ? null : Glob.prefixEnd(prefix);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
