package io.toykv.cli;

import io.toykv.resp.Reply;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The style for scripts ({@code --raw}): values exactly as stored, one item a line, no quotes, no
 * numbering. {@code OK}, {@code 1}, an empty line for nil or an empty list, list items one a line
 * (nested lists flattened). Errors read {@code ERR ...}.
 */
final class RawPrinter extends ScriptPrinter {

    @Override
    public byte[] format(Reply reply) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        append(out, reply);
        out.write('\n');
        return out.toByteArray();
    }

    @Override
    byte[] pair(byte[] key, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(key.length + value.length + 2);
        out.writeBytes(key);
        out.write('\n');
        out.writeBytes(value);
        out.write('\n');
        return out.toByteArray();
    }

    private static void append(ByteArrayOutputStream out, Reply reply) {
        if (reply instanceof Reply.Status s) {
            out.writeBytes(s.text().getBytes(StandardCharsets.UTF_8));
        } else if (reply instanceof Reply.Error e) {
            out.writeBytes(e.message().getBytes(StandardCharsets.UTF_8));
        } else if (reply instanceof Reply.Int i) {
            out.writeBytes(Long.toString(i.value()).getBytes(StandardCharsets.US_ASCII));
        } else if (reply instanceof Reply.Bulk b) {
            out.writeBytes(b.bytes());
        } else if (reply instanceof Reply.Nil) {
            // nothing: the line stays empty
        } else if (reply instanceof Reply.Bool b) {
            out.writeBytes((b.value() ? "true" : "false").getBytes(StandardCharsets.US_ASCII));
        } else if (reply instanceof Reply.Number n) {
            out.writeBytes(n.text().getBytes(StandardCharsets.UTF_8));
        } else if (reply instanceof Reply.Array a) {
            appendItems(out, a.items());
        } else if (reply instanceof Reply.Map m) {
            appendItems(out, m.keysAndValues());
        } else {
            throw new IllegalArgumentException("unknown reply " + reply);
        }
    }

    private static void appendItems(ByteArrayOutputStream out, List<Reply> items) {
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.write('\n');
            }
            append(out, items.get(i));
        }
    }
}
