package io.toykv.cli;

import io.toykv.resp.QuotingSplitter;
import java.util.List;

/**
 * Splits one typed or scripted line into command words with {@link QuotingSplitter} (Redis's quoting
 * rules, the ones the server applies to inline requests), reporting a bad line the way redis-cli does.
 */
final class ArgumentSplitter {

    /** The line cannot be split; the message is what redis-cli prints. */
    static final class InvalidArgumentsException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidArgumentsException(Throwable cause) {
            super("Invalid argument(s)", cause);
        }
    }

    private ArgumentSplitter() {}

    static List<byte[]> split(String line) throws InvalidArgumentsException {
        try {
            return QuotingSplitter.split(line);
        } catch (QuotingSplitter.UnbalancedQuotesException e) {
            throw new InvalidArgumentsException(e);
        }
    }
}
