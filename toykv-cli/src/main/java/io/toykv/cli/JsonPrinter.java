package io.toykv.cli;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;

/**
 * {@code --json}: one JSON value a line (JSON Lines), for scripts. Strings (and statuses such as
 * {@code OK}) are JSON strings, decoded as UTF-8 (a byte that is not UTF-8 becomes U+FFFD); integers and
 * RESP3 doubles are numbers ({@code inf}, {@code -inf} and {@code nan} are strings); nil is {@code null};
 * booleans are booleans; arrays are arrays; maps are objects with their keys as strings. A scan prints
 * one {@code [key, value]} array a line. Errors go to stderr as text, as in raw style.
 */
final class JsonPrinter extends ScriptPrinter {

    @Override
    public byte[] format(Reply reply) {
        StringBuilder out = new StringBuilder();
        append(out, reply);
        return out.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    byte[] pair(byte[] key, byte[] value) {
        StringBuilder out = new StringBuilder("[");
        appendString(out, new String(key, StandardCharsets.UTF_8));
        out.append(',');
        appendString(out, new String(value, StandardCharsets.UTF_8));
        return out.append("]\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void append(StringBuilder out, Reply reply) {
        if (reply instanceof Reply.Status s) {
            appendString(out, s.text());
        } else if (reply instanceof Reply.Error e) {
            appendString(out, e.message());
        } else if (reply instanceof Reply.Int i) {
            out.append(i.value());
        } else if (reply instanceof Reply.Bulk b) {
            appendString(out, new String(b.bytes(), StandardCharsets.UTF_8));
        } else if (reply instanceof Reply.Nil) {
            out.append("null");
        } else if (reply instanceof Reply.Bool b) {
            out.append(b.value());
        } else if (reply instanceof Reply.Number n) {
            if (n.text().matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
                out.append(n.text());
            } else {
                appendString(out, n.text());
            }
        } else if (reply instanceof Reply.Array a) {
            out.append('[');
            for (int i = 0; i < a.items().size(); i++) {
                out.append(i > 0 ? "," : "");
                append(out, a.items().get(i));
            }
            out.append(']');
        } else if (reply instanceof Reply.Map m) {
            out.append('{');
            for (int i = 0; i + 1 < m.keysAndValues().size(); i += 2) {
                out.append(i > 0 ? "," : "");
                Reply key = m.keysAndValues().get(i);
                if (key instanceof Reply.Bulk || key instanceof Reply.Status) {
                    append(out, key);
                } else {
                    // JSON keys are strings: a number or other key is written as its JSON text, quoted.
                    StringBuilder text = new StringBuilder();
                    append(text, key);
                    appendString(out, text.toString());
                }
                out.append(':');
                append(out, m.keysAndValues().get(i + 1));
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException("unknown reply " + reply);
        }
    }

    /** A JSON string: quote, backslash and control characters escaped (RFC 8259, section 7). */
    static void appendString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
