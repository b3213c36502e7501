package io.toykv.server.command;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * A number as INCRBYFLOAT reads and writes it. Redis parses with C's strtold into a long double and
 * prints {@code %.17Lf} with the trailing zeros (and a bare '.') removed. Here the sum is exact decimal
 * arithmetic, printed the same way: the text matches Redis's wherever the long double keeps the
 * digits (its 64-bit mantissa holds about 19 significant digits; past that Redis's last digits differ).
 * Accepted text: an optional sign, digits with an optional point, an optional exponent; {@code inf} and
 * {@code infinity} parse (any case, signed) and make the sum refused as infinite, as in Redis. Refused:
 * empty text, leading or trailing spaces, {@code nan}, C's hexadecimal floats, text over 5120 bytes,
 * and magnitudes a long double cannot hold (past about 1.19e4932, or non-zero under about 3.6e-4951).
 */
final class LongDouble {
    static final String NOT_A_FLOAT = "ERR value is not a valid float";
    static final String NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";
    static final LongDouble ZERO = new LongDouble(BigDecimal.ZERO, false);

    /** Redis's MAX_LONG_DOUBLE_CHARS: longer text is refused before parsing. */
    private static final int MAX_CHARS = 5 * 1024;
    /** Decimal exponents of the largest and the smallest (subnormal) x87 long double. */
    private static final int MAX_EXPONENT = 4932;

    private static final int MIN_EXPONENT = -4951;
    private static final int PRINTED_DECIMALS = 17;

    private final BigDecimal value;
    private final boolean infinite;

    private LongDouble(BigDecimal value, boolean infinite) {
        this.value = value;
        this.infinite = infinite;
    }

    static LongDouble parse(byte[] text) {
        if (text.length == 0 || text.length >= MAX_CHARS) {
            throw new ReplyException(NOT_A_FLOAT);
        }
        String s = new String(text, StandardCharsets.ISO_8859_1);
        String unsigned = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        if (unsigned.equalsIgnoreCase("inf") || unsigned.equalsIgnoreCase("infinity")) {
            return new LongDouble(BigDecimal.ZERO, true);
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean allowed = (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E';
            if (!allowed) {
                throw new ReplyException(NOT_A_FLOAT);
            }
        }
        BigDecimal value;
        try {
            value = new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new ReplyException(NOT_A_FLOAT);
        }
        if (value.signum() != 0) {
            long exponent = (long) value.precision() - value.scale() - 1;
            if (exponent > MAX_EXPONENT || exponent < MIN_EXPONENT) {
                throw new ReplyException(NOT_A_FLOAT); // strtold's ERANGE
            }
        }
        return new LongDouble(value, false);
    }

    LongDouble plus(LongDouble other) {
        if (infinite || other.infinite) {
            throw new ReplyException(NAN_OR_INFINITY);
        }
        BigDecimal sum = value.add(other.value);
        if (sum.signum() != 0 && (long) sum.precision() - sum.scale() - 1 > MAX_EXPONENT) {
            throw new ReplyException(NAN_OR_INFINITY);
        }
        return new LongDouble(sum, false);
    }

    /** {@code %.17Lf} less trailing zeros, and never "-0". */
    byte[] toText() {
        String s = value.setScale(PRINTED_DECIMALS, RoundingMode.HALF_EVEN).toPlainString();
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') {
                end--;
            }
            if (s.charAt(end - 1) == '.') {
                end--;
            }
            s = s.substring(0, end);
        }
        if (s.equals("-0")) {
            s = "0";
        }
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
