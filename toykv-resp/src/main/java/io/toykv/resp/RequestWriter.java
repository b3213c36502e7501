package io.toykv.resp;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/** Encodes commands as RESP arrays of bulk strings, the one request form every server accepts. */
public final class RequestWriter {
    private static final byte[] CRLF = {'\r', '\n'};

    private final OutputStream out;
    private final byte[] digits = new byte[20];

    public RequestWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Writes one command; nothing is flushed. */
    public void write(List<byte[]> args) throws IOException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least one word");
        }
        out.write('*');
        writeDecimal(args.size());
        for (byte[] arg : args) {
            out.write('$');
            writeDecimal(arg.length);
            out.write(arg);
            out.write(CRLF);
        }
    }

    public void flush() throws IOException {
        out.flush();
    }

    private void writeDecimal(int n) throws IOException {
        int i = digits.length;
        do {
            digits[--i] = (byte) ('0' + n % 10);
            n /= 10;
        } while (n > 0);
        out.write(digits, i, digits.length - i);
        out.write(CRLF);
    }
}
