package io.toykv.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the styles for scripts (raw, JSON, CSV) share: stdout carries data only (errors and the
 * client's own messages go to stderr as plain lines), a scan that finds nothing prints nothing, and a
 * scan page is one {@link #pair} after another.
 */
abstract class ScriptPrinter implements ReplyPrinter {

    /** One scan pair, as whole lines. */
    abstract byte[] pair(byte[] key, byte[] value);

    @Override
    public final byte[] formatPairs(List<byte[]> keysAndValues, long firstNumber) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i + 1 < keysAndValues.size(); i += 2) {
            out.writeBytes(pair(keysAndValues.get(i), keysAndValues.get(i + 1)));
        }
        return out.toByteArray();
    }

    @Override
    public final byte[] formatEmptyScan() {
        return new byte[0];
    }

    @Override
    public final byte[] formatClientError(String message) {
        return (message + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public final boolean errorsGoToStderr() {
        return true;
    }
}
