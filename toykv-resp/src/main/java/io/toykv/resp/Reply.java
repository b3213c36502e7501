package io.toykv.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One reply from the server, as the wire described it. RESP2 gives simple strings, errors, integers,
 * bulk strings, arrays and nil; the few RESP3 kinds exist so that a session that switched protocol by
 * hand ({@code HELLO 3}) still prints what it gets instead of dropping the connection.
 */
public sealed interface Reply {

    /** {@code +OK}: a status line. */
    record Status(String text) implements Reply {
        public Status {
            Objects.requireNonNull(text, "text");
        }
    }

    /** {@code -ERR ...} (or RESP3 {@code !}): the server refused this command; the connection is fine. */
    record Error(String message) implements Reply {
        public Error {
            Objects.requireNonNull(message, "message");
        }
    }

    /** {@code :42}. */
    record Int(long value) implements Reply {}

    /** {@code $3\r\nabc}: a binary-safe string (RESP3 verbatim strings arrive here without their format). */
    record Bulk(byte[] bytes) implements Reply {
        public Bulk {
            Objects.requireNonNull(bytes, "bytes");
        }

        public static Bulk of(String text) {
            return new Bulk(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bulk b && java.util.Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Bulk[" + new String(bytes, StandardCharsets.UTF_8) + "]";
        }
    }

    /** {@code $-1}, {@code *-1} or RESP3 {@code _}: no value. */
    enum Nil implements Reply {
        NIL
    }

    /** {@code *N} (or RESP3 set {@code ~} and push {@code >}). */
    record Array(List<Reply> items) implements Reply {
        public Array {
            items = List.copyOf(items);
        }
    }

    /** RESP3 {@code %N}: key/value pairs in server order, kept flat (key, value, key, value...). */
    record Map(List<Reply> keysAndValues) implements Reply {
        public Map {
            keysAndValues = List.copyOf(keysAndValues);
            if (keysAndValues.size() % 2 != 0) {
                throw new IllegalArgumentException("a map needs an even number of items, got " + keysAndValues.size());
            }
        }
    }

    /** RESP3 {@code #t} / {@code #f}. */
    record Bool(boolean value) implements Reply {}

    /** RESP3 {@code ,1.5} and {@code (12345...}: kept as the server's text. */
    record Number(String text, boolean big) implements Reply {}
}
