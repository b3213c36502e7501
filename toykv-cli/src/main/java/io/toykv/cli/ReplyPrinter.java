package io.toykv.cli;

import io.toykv.resp.Reply;
import java.util.List;

/**
 * Turns replies into output bytes. Each call gives whole lines (ending in a newline) or nothing, so
 * callers only concatenate. One implementation per output style.
 */
interface ReplyPrinter {

    /** One reply to one command. */
    byte[] format(Reply reply);

    /**
     * One page of a {@code scan}: {@code keysAndValues} alternate key, value; {@code firstNumber} is the
     * 1-based position of the page's first pair in the whole scan.
     */
    byte[] formatPairs(List<byte[]> keysAndValues, long firstNumber);

    /** What a scan that found nothing prints. */
    byte[] formatEmptyScan();

    /** An error raised by the client itself (bad quoting, wrong arguments, lost connection). */
    byte[] formatClientError(String message);

    /** Whether error replies go to stderr, keeping stdout for data (the styles for scripts), or among the replies. */
    default boolean errorsGoToStderr() {
        return false;
    }
}
