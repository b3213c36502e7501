package io.toykv.cli;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * redis-cli's terminal style: {@code "v1"}, {@code (nil)}, {@code (integer) 1}, {@code OK},
 * {@code (error) ERR ...}, numbered lists with aligned numbers and indented nesting,
 * {@code (empty array)}. Strings are quoted; valid UTF-8 shows as text, other bytes as escapes.
 * With colour (on a terminal, see {@link Cli}): errors red, nil and empty lists dim, strings green,
 * numbers and booleans cyan; statuses and list numbering plain.
 */
final class TerminalPrinter implements ReplyPrinter {
    static final String RED = "\u001b[31m";
    static final String GREEN = "\u001b[32m";
    static final String CYAN = "\u001b[36m";
    static final String DIM = "\u001b[2m";
    static final String RESET = "\u001b[0m";

    private final boolean colour;

    TerminalPrinter() {
        this(false);
    }

    TerminalPrinter(boolean colour) {
        this.colour = colour;
    }

    boolean colour() {
        return colour;
    }

    /** {@code text} in {@code colour} when colour is on. */
    private String paint(String code, String text) {
        return colour ? code + text + RESET : text;
    }

    private void appendString(StringBuilder out, byte[] bytes) {
        StringBuilder quoted = new StringBuilder();
        appendQuoted(quoted, bytes);
        out.append(paint(GREEN, quoted.toString()));
    }

    @Override
    public byte[] format(Reply reply) {
        StringBuilder out = new StringBuilder();
        append(out, reply, "");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] formatPairs(List<byte[]> keysAndValues, long firstNumber) {
        int pairs = keysAndValues.size() / 2;
        int width = Long.toString(firstNumber + pairs - 1).length();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pairs; i++) {
            String number = Long.toString(firstNumber + i);
            out.append(" ".repeat(width - number.length())).append(number).append(") ");
            appendString(out, keysAndValues.get(2 * i));
            out.append(" => ");
            appendString(out, keysAndValues.get(2 * i + 1));
            out.append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] formatEmptyScan() {
        return (paint(DIM, "(empty range)") + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] formatClientError(String message) {
        return (paint(RED, "(error) " + message) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private void append(StringBuilder out, Reply reply, String prefix) {
        if (reply instanceof Reply.Status s) {
            out.append(s.text()).append('\n');
        } else if (reply instanceof Reply.Error e) {
            out.append(paint(RED, "(error) " + e.message())).append('\n');
        } else if (reply instanceof Reply.Int i) {
            out.append(paint(CYAN, "(integer) " + i.value())).append('\n');
        } else if (reply instanceof Reply.Bulk b) {
            appendString(out, b.bytes());
            out.append('\n');
        } else if (reply instanceof Reply.Nil) {
            out.append(paint(DIM, "(nil)")).append('\n');
        } else if (reply instanceof Reply.Bool b) {
            out.append(paint(CYAN, b.value() ? "(true)" : "(false)")).append('\n');
        } else if (reply instanceof Reply.Number n) {
            out.append(paint(CYAN, (n.big() ? "(big number) " : "(double) ") + n.text()))
                    .append('\n');
        } else if (reply instanceof Reply.Array a) {
            appendList(out, a.items(), prefix, false);
        } else if (reply instanceof Reply.Map m) {
            appendList(out, m.keysAndValues(), prefix, true);
        } else {
            throw new IllegalArgumentException("unknown reply " + reply);
        }
    }

    /**
     * Items numbered {@code 1)}, right-aligned to the widest number; a nested list continues on the
     * line of its number and indents its later lines under its first. Maps number pairs {@code 1#} as
     * redis-cli does; a non-empty list as a value starts on the line after its key's, indented.
     */
    private void appendList(StringBuilder out, List<Reply> items, String prefix, boolean map) {
        if (items.isEmpty()) {
            out.append(paint(DIM, map ? "(empty hash)" : "(empty array)")).append('\n');
            return;
        }
        int entries = map ? items.size() / 2 : items.size();
        int width = Integer.toString(entries).length();
        String nested = prefix + " ".repeat(width + 2);
        char separator = map ? '#' : ')';
        for (int i = 0; i < entries; i++) {
            String number = Integer.toString(i + 1);
            // The first item's line already carries the caller's prefix (or number).
            if (i > 0) {
                out.append(prefix);
            }
            out.append(" ".repeat(width - number.length()))
                    .append(number)
                    .append(separator)
                    .append(' ');
            if (map) {
                append(out, items.get(2 * i), nested);
                out.setLength(out.length() - 1); // the key's newline
                Reply value = items.get(2 * i + 1);
                if (isNonEmptyList(value)) {
                    // On the key's line its items would not line up under each other.
                    out.append(" =>\n").append(nested);
                } else {
                    out.append(" => ");
                }
                append(out, value, nested);
            } else {
                append(out, items.get(i), nested);
            }
        }
    }

    private static boolean isNonEmptyList(Reply reply) {
        return reply instanceof Reply.Array a && !a.items().isEmpty()
                || reply instanceof Reply.Map m && !m.keysAndValues().isEmpty();
    }

    static void appendQuoted(StringBuilder out, byte[] bytes) {
        out.append('"');
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                switch (b) {
                    case '\\':
                        out.append("\\\\");
                        break;
                    case '"':
                        out.append("\\\"");
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
                    case 7:
                        out.append("\\a");
                        break;
                    case '\b':
                        out.append("\\b");
                        break;
                    default:
                        if (b >= 0x20 && b < 0x7f) {
                            out.append((char) b);
                        } else {
                            appendHex(out, b);
                        }
                }
                i++;
                continue;
            }
            int length = Utf8.sequenceLength(bytes, i);
            int codePoint = length > 0 ? Utf8.decode(bytes, i, length) : -1;
            if (codePoint >= 0 && isPrintable(codePoint)) {
                out.appendCodePoint(codePoint);
                i += length;
            } else {
                appendHex(out, b);
                i++;
            }
        }
        out.append('"');
    }

    private static boolean isPrintable(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return false;
            default:
                return true;
        }
    }

    private static void appendHex(StringBuilder out, int b) {
        out.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
    }
}
