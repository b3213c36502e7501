package io.toykv.server.command;

import java.nio.charset.StandardCharsets;

/** Parsing and quoting of arguments, with Redis's error wording. */
final class Args {
    static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    static final String SYNTAX_ERROR = "ERR syntax error";

    private Args() {}

    /** A signed decimal without sign '+', leading zeros or spaces, as Redis's string2ll accepts. */
    static long parseLong(byte[] s) {
        if (s.length == 0 || s.length > 20) {
            throw new ReplyException(NOT_AN_INTEGER);
        }
        int i = 0;
        boolean negative = false;
        if (s[0] == '-') {
            negative = true;
            i = 1;
            if (s.length == 1) {
                throw new ReplyException(NOT_AN_INTEGER);
            }
        }
        if (s[i] == '0' && (s.length > i + 1 || negative)) { // "0" alone; never "-0"
            throw new ReplyException(NOT_AN_INTEGER);
        }
        long v = 0;
        for (; i < s.length; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) {
                throw new ReplyException(NOT_AN_INTEGER);
            }
            // Accumulate negatively so Long.MIN_VALUE parses too.
            if (v < (Long.MIN_VALUE + d) / 10) {
                throw new ReplyException(NOT_AN_INTEGER);
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                throw new ReplyException(NOT_AN_INTEGER);
            }
            v = -v;
        }
        return v;
    }

    /** Redis's addReplySubcommandSyntaxError: a subcommand unknown or given the wrong number of arguments. */
    static String subcommandSyntaxError(Call c) {
        return "ERR unknown subcommand or wrong number of arguments for '" + printable(c.arg(1), 128) + "'. Try "
                + c.upper(0) + " HELP.";
    }

    /** A HELP reply: one simple string per line, as Redis's addReplyHelp writes it. */
    static void help(Call c, String... lines) {
        c.out().arrayHeader(lines.length);
        for (String line : lines) {
            c.out().simple(line);
        }
    }

    /** Text for logs and error messages: printable ASCII kept, the rest as \xHH, cut at {@code max}. */
    static String printable(byte[] b, int max) {
        StringBuilder sb = new StringBuilder(Math.min(b.length, max) + 8);
        for (int i = 0; i < b.length; i++) {
            if (sb.length() >= max) {
                sb.append("...");
                break;
            }
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
