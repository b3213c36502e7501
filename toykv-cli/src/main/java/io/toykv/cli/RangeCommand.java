package io.toykv.cli;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything this client assumes about the server's ordered range command, kept in one place.
 *
 * <p>Request: {@code RANGE start end LIMIT n}. {@code start} is inclusive, {@code end} exclusive; an
 * empty string means unbounded on that side; {@code n} caps the pairs in one reply (the server may send
 * fewer, e.g. when the values are large, and then still names the next start). The server allows
 * {@link #MAX_LIMIT} at most.
 *
 * <p>Reply: a two-item array {@code [next, pairs]}: {@code next} is the start of the following page
 * (a bulk string) or nil when the range is exhausted; {@code pairs} is a flat array key, value, key,
 * value, ... in key order.
 */
final class RangeCommand {
    static final byte[] NAME = "RANGE".getBytes(StandardCharsets.US_ASCII);
    static final byte[] LIMIT = "LIMIT".getBytes(StandardCharsets.US_ASCII);
    /** The largest page the server accepts. */
    static final int MAX_LIMIT = 10_000;

    /** One reply's worth of a scan. */
    record Page(byte[] next, List<byte[]> keysAndValues) {
        int pairs() {
            return keysAndValues.size() / 2;
        }
    }

    /** The server answered something that is not a page; the message says what. */
    static final class UnexpectedReplyException extends Exception {
        private static final long serialVersionUID = 1L;

        UnexpectedReplyException(String message) {
            super("unexpected reply to RANGE: " + message);
        }
    }

    private RangeCommand() {}

    static List<byte[]> request(byte[] start, byte[] end, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", got " + limit);
        }
        return List.of(
                NAME,
                start == null ? new byte[0] : start,
                end == null ? new byte[0] : end,
                LIMIT,
                Integer.toString(limit).getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads a page out of a non-error reply. */
    static Page parse(Reply reply) throws UnexpectedReplyException {
        if (!(reply instanceof Reply.Array outer) || outer.items().size() != 2) {
            throw new UnexpectedReplyException("expected a two-item array, got " + reply);
        }
        Reply next = outer.items().get(0);
        byte[] nextStart;
        if (next instanceof Reply.Nil) {
            nextStart = null;
        } else if (next instanceof Reply.Bulk b) {
            nextStart = b.bytes();
        } else {
            throw new UnexpectedReplyException("the next start must be a string or nil, got " + next);
        }
        Reply items = outer.items().get(1);
        if (!(items instanceof Reply.Array flat) || flat.items().size() % 2 != 0) {
            throw new UnexpectedReplyException("expected a flat array of keys and values, got " + items);
        }
        List<byte[]> keysAndValues = new ArrayList<>(flat.items().size());
        for (Reply item : flat.items()) {
            if (!(item instanceof Reply.Bulk b)) {
                throw new UnexpectedReplyException("keys and values must be strings, got " + item);
            }
            keysAndValues.add(b.bytes());
        }
        return new Page(nextStart, keysAndValues);
    }
}
