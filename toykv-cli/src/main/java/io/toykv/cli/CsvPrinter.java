package io.toykv.cli;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code --csv}: one line a reply, as redis-cli's {@code --csv}: strings and statuses in double quotes
 * (a quote inside doubled, as RFC 4180 has it), integers and doubles bare, nil as {@code NULL}, booleans
 * as {@code true}/{@code false}; an array or map is its items flattened into one line, separated by
 * commas. A scan prints one {@code "key","value"} line a pair. Errors go to stderr as text.
 */
final class CsvPrinter extends ScriptPrinter {

    @Override
    public byte[] format(Reply reply) {
        List<String> fields = new java.util.ArrayList<>();
        collect(fields, reply);
        return (String.join(",", fields) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    byte[] pair(byte[] key, byte[] value) {
        return (field(new String(key, StandardCharsets.UTF_8)) + "," + field(new String(value, StandardCharsets.UTF_8))
                        + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Adds a reply's fields: one for a scalar, the items' (flattened) for an array or map. */
    private static void collect(List<String> fields, Reply reply) {
        if (reply instanceof Reply.Status s) {
            fields.add(field(s.text()));
        } else if (reply instanceof Reply.Error e) {
            fields.add(field(e.message()));
        } else if (reply instanceof Reply.Int i) {
            fields.add(Long.toString(i.value()));
        } else if (reply instanceof Reply.Bulk b) {
            fields.add(field(new String(b.bytes(), StandardCharsets.UTF_8)));
        } else if (reply instanceof Reply.Nil) {
            fields.add("NULL");
        } else if (reply instanceof Reply.Bool b) {
            fields.add(Boolean.toString(b.value()));
        } else if (reply instanceof Reply.Number n) {
            fields.add(n.text());
        } else if (reply instanceof Reply.Array a) {
            a.items().forEach(item -> collect(fields, item));
        } else if (reply instanceof Reply.Map m) {
            m.keysAndValues().forEach(item -> collect(fields, item));
        } else {
            throw new IllegalArgumentException("unknown reply " + reply);
        }
    }

    private static String field(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
