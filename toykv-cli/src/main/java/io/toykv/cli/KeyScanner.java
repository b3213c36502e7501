package io.toykv.cli;

import io.toykv.resp.Reply;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code --scan}: keys only, one a line, exactly as stored, fetched a page at a time and written (and
 * flushed) as each page arrives, so a large keyspace starts printing at once and Ctrl-C stops it after
 * the page in flight. Two sources:
 *
 * <ul>
 *   <li>the server's {@code SCAN cursor [MATCH pattern] [COUNT n]}, as {@code redis-cli --scan} pages
 *       it, until the cursor comes back {@code 0};
 *   <li>with a prefix, our ordered {@code RANGE prefix end LIMIT n} ({@link RangeCommand}), where end is
 *       the first key past every key with the prefix: keys in order, values dropped.
 * </ul>
 */
final class KeyScanner {
    /** Keys asked for in one RANGE page of a prefix scan. */
    static final int PREFIX_PAGE_SIZE = 1000;

    /** Sends one command and returns its reply: the connection, or a script in tests. */
    @FunctionalInterface
    interface Caller {
        Reply call(List<byte[]> command) throws IOException;
    }

    /** The server answered something other than a page; the message says what. */
    static final class ScanException extends Exception {
        private static final long serialVersionUID = 1L;

        ScanException(String message) {
            super(message);
        }
    }

    private final Caller caller;
    private final OutputStream out;
    private volatile boolean stopped;

    KeyScanner(Caller caller, OutputStream out) {
        this.caller = caller;
        this.out = out;
    }

    /** Stops after the page in flight; callable from any thread. */
    void stop() {
        stopped = true;
    }

    /** Pages the server's SCAN; pattern and count may be null. Returns the number of keys written. */
    long scan(String pattern, Integer count) throws IOException, ScanException {
        String cursor = "0";
        long written = 0;
        do {
            Reply reply = caller.call(scanCommand(cursor, pattern, count));
            if (reply instanceof Reply.Error e) {
                throw new ScanException(e.message());
            }
            if (!(reply instanceof Reply.Array page)
                    || page.items().size() != 2
                    || !(page.items().get(0) instanceof Reply.Bulk next)
                    || !(page.items().get(1) instanceof Reply.Array keys)) {
                throw new ScanException("unexpected reply to SCAN: " + reply);
            }
            written += writeKeys(keys.items());
            cursor = new String(next.bytes(), StandardCharsets.US_ASCII);
        } while (!cursor.equals("0") && !stopped);
        return written;
    }

    static List<byte[]> scanCommand(String cursor, String pattern, Integer count) {
        List<byte[]> command = new ArrayList<>(6);
        command.add(ascii("SCAN"));
        command.add(ascii(cursor));
        if (pattern != null) {
            command.add(ascii("MATCH"));
            command.add(pattern.getBytes(StandardCharsets.UTF_8));
        }
        if (count != null) {
            command.add(ascii("COUNT"));
            command.add(ascii(count.toString()));
        }
        return command;
    }

    /** Pages RANGE over the keys that start with {@code prefix}. Returns the number of keys written. */
    long scanPrefix(byte[] prefix) throws IOException, ScanException {
        byte[] start = prefix;
        byte[] end = endOfPrefix(prefix);
        long written = 0;
        do {
            Reply reply = caller.call(RangeCommand.request(start, end, PREFIX_PAGE_SIZE));
            if (reply instanceof Reply.Error e) {
                throw new ScanException(e.message());
            }
            RangeCommand.Page page;
            try {
                page = RangeCommand.parse(reply);
            } catch (RangeCommand.UnexpectedReplyException e) {
                throw new ScanException(e.getMessage());
            }
            List<Reply> keys = new ArrayList<>(page.pairs());
            for (int i = 0; i < page.keysAndValues().size(); i += 2) {
                keys.add(new Reply.Bulk(page.keysAndValues().get(i)));
            }
            written += writeKeys(keys);
            start = page.next();
        } while (start != null && !stopped);
        return written;
    }

    /**
     * The smallest key greater than every key that starts with {@code prefix}: the prefix with its last
     * byte below 0xff incremented and what follows dropped; null (unbounded) for an empty prefix or one
     * of 0xff bytes only.
     */
    static byte[] endOfPrefix(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null;
    }

    private long writeKeys(List<Reply> keys) throws IOException, ScanException {
        long n = 0;
        for (Reply item : keys) {
            if (!(item instanceof Reply.Bulk key)) {
                throw new ScanException("unexpected key in a scan page: " + item);
            }
            out.write(key.bytes());
            out.write('\n');
            n++;
        }
        out.flush();
        return n;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
