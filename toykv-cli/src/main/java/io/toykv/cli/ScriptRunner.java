package io.toykv.cli;

import io.toykv.cli.resp.ServerConnection;
import io.toykv.resp.Reply;
import io.toykv.resp.ServerClosedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs a script from a non-terminal stdin: one command a line, blank lines and {@code #} comments
 * skipped, no prompt, nothing on stderr unless something fails.
 *
 * <p>Commands are pipelined: this thread parses lines and writes requests without waiting, flushing
 * whenever stdin has nothing more buffered; a reader thread ({@code toykv-cli-replies}) takes one
 * {@link Pending} per request off a bounded queue, reads its reply and prints it, so output stays in
 * input order. Lines the client answers itself (help, errors) travel through the same queue. A scan
 * needs several round trips, so it first waits until every earlier reply is printed. With
 * {@code stopOnError} every command waits for its reply before the next is sent, so that nothing after
 * the first failure reaches the server.
 *
 * <p>Errors go to stderr as {@code line N: message}; the exit status is 0 when every command succeeded.
 */
final class ScriptRunner {
    /** Requests in flight at most; bounds memory when the server is slower than stdin. */
    static final int MAX_IN_FLIGHT = 16 * 1024;

    /** What the reader thread does for one input line, in order. */
    private record Pending(int line, byte[] output, String error, boolean shutdown) {
        static final Pending END = new Pending(-1, null, null, false);

        Pending(int line, byte[] output, String error) {
            this(line, output, error, false);
        }

        boolean awaitsReply() {
            return output == null && error == null;
        }
    }

    private final ServerConnection connection;
    private final ReplyPrinter printer;
    private final OutputStream out;
    private final PrintStream err;
    private final boolean stopOnError;

    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(MAX_IN_FLIGHT);
    /** Lines queued; only the parsing thread touches it. */
    private long queued;
    /** Lines the reader thread has finished. */
    private final java.util.concurrent.atomic.AtomicLong finished = new java.util.concurrent.atomic.AtomicLong();
    /** The parsing thread waits on this for the reader thread; set while it does, so that a pipelined
     *  run costs no lock per reply. */
    private final Object progress = new Object();

    private volatile boolean waiting;
    private volatile boolean failed;
    private volatile IOException broken;

    ScriptRunner(
            ServerConnection connection, ReplyPrinter printer, OutputStream out, PrintStream err, boolean stopOnError) {
        this.connection = connection;
        this.printer = printer;
        this.out = out;
        this.err = err;
        this.stopOnError = stopOnError;
    }

    /** Runs every line of {@code in}; returns the exit status. */
    int run(BufferedReader in) throws IOException {
        Thread replies = new Thread(this::printReplies, "toykv-cli-replies");
        replies.setDaemon(true);
        replies.start();
        try {
            readLines(in);
        } finally {
            try {
                connection.flush();
            } catch (IOException e) {
                recordBroken(e);
            }
            enqueue(Pending.END);
            joinQuietly(replies);
            out.flush();
        }
        if (broken != null) {
            err.println("Error: " + ClientSession.reason(broken));
            return 1;
        }
        return failed ? 1 : 0;
    }

    private void readLines(BufferedReader in) throws IOException {
        String line;
        int number = 0;
        while ((line = in.readLine()) != null && broken == null) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (!runLine(number, line)) {
                return;
            }
            if (stopOnError) {
                connection.flush();
                awaitQuiet();
                if (failed) {
                    return;
                }
            } else if (!in.ready()) {
                connection.flush();
            }
        }
    }

    /** Handles one non-blank line; false when the script should stop. */
    private boolean runLine(int number, String line) throws IOException {
        List<byte[]> words;
        try {
            words = ArgumentSplitter.split(line);
        } catch (ArgumentSplitter.InvalidArgumentsException e) {
            enqueue(new Pending(number, null, e.getMessage()));
            return true;
        }
        KnownCommand spec = KnownCommand.of(words);
        List<byte[]> args = words.subList(1, words.size());
        if (spec == KnownCommand.QUIT || spec == KnownCommand.EXIT) {
            return false;
        }
        if (spec != null && !spec.acceptsArgumentCount(args.size())) {
            enqueue(new Pending(
                    number,
                    null,
                    "wrong number of arguments for '" + spec.commandName() + "', usage: " + spec.usage()));
            return true;
        }
        if (spec == KnownCommand.CLEAR) {
            return true;
        }
        if (spec == KnownCommand.HELP) {
            String text =
                    KnownCommand.helpText(args.isEmpty() ? null : new String(args.get(0), StandardCharsets.UTF_8));
            enqueue(new Pending(number, text.getBytes(StandardCharsets.UTF_8), null));
            return true;
        }
        if (spec == KnownCommand.SCAN) {
            connection.flush();
            awaitQuiet();
            return scan(number, args);
        }
        connection.send(ClientSession.translate(spec, words));
        if (ClientSession.isShutdown(words)) {
            // Nothing after it can reach the server: the script ends here, as after quit.
            enqueue(new Pending(number, null, null, true));
            return false;
        }
        enqueue(new Pending(number, null, null));
        return true;
    }

    /** Runs a scan on this thread while the reader thread is idle; false when the script should stop. */
    private boolean scan(int number, List<byte[]> args) throws IOException {
        ScanRequest request = ScanRequest.parse(args);
        if (request == null) {
            reportError(number, "syntax error, usage: " + KnownCommand.SCAN.usage());
            return !stopOnError;
        }
        byte[] start = request.start();
        long remaining = request.limit();
        long printed = 0;
        try {
            do {
                int pageSize = (int) Math.min(ClientSession.SCAN_PAGE_SIZE, remaining);
                Reply reply = connection.call(RangeCommand.request(start, request.end(), pageSize));
                if (reply instanceof Reply.Error e) {
                    reportError(number, e.message());
                    return !stopOnError;
                }
                RangeCommand.Page page = RangeCommand.parse(reply);
                out.write(printer.formatPairs(page.keysAndValues(), printed + 1));
                printed += page.pairs();
                remaining -= page.pairs();
                start = page.next();
            } while (start != null && remaining > 0);
        } catch (RangeCommand.UnexpectedReplyException e) {
            reportError(number, e.getMessage());
            return !stopOnError;
        } catch (IOException e) {
            recordBroken(e);
            return false;
        }
        if (printed == 0) {
            out.write(printer.formatEmptyScan());
        }
        out.flush();
        return true;
    }

    private void reportError(int number, String message) throws IOException {
        failed = true;
        out.flush();
        err.println("line " + number + ": " + message);
        err.flush();
    }

    /** Queues one line's outcome for the reader thread; END is not counted as a line. */
    private void enqueue(Pending pending) {
        if (pending != Pending.END) {
            queued++;
        }
        if (queue.offer(pending)) {
            return;
        }
        // The reader may be waiting for a reply to a request still in our buffer.
        try {
            connection.flush();
        } catch (IOException e) {
            recordBroken(e);
        }
        try {
            queue.put(pending);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing line " + pending.line(), e);
        }
    }

    /** Waits until the reader thread has finished every queued line. */
    private void awaitQuiet() {
        synchronized (progress) {
            waiting = true;
            try {
                // The reader counts first and reads the flag second; this thread sets the flag first and
                // reads the count second, so one of the two always sees the other.
                while (finished.get() < queued && broken == null) {
                    progress.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                waiting = false;
            }
        }
    }

    /**
     * The reader thread: prints each line's outcome in order. After the connection or stdout breaks it
     * keeps taking lines off the queue, without reading, so that the parsing thread never blocks.
     */
    private void printReplies() {
        while (true) {
            Pending pending;
            try {
                pending = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (pending == Pending.END) {
                return;
            }
            try {
                if (broken != null) {
                    // skip: the script is ending
                } else if (pending.output() != null) {
                    out.write(pending.output());
                } else if (pending.error() != null) {
                    reportError(pending.line(), pending.error());
                } else {
                    Reply reply = pending.shutdown() ? readShutdownReply() : connection.read();
                    if (reply == null) {
                        // the server closed the connection: SHUTDOWN succeeded
                    } else if (reply instanceof Reply.Error e) {
                        reportError(pending.line(), e.message());
                    } else {
                        out.write(printer.format(reply));
                    }
                }
                if (queue.isEmpty() && broken == null) {
                    out.flush();
                }
            } catch (IOException e) {
                recordBroken(e);
            }
            finished.incrementAndGet();
            if (waiting) {
                synchronized (progress) {
                    progress.notifyAll();
                }
            }
        }
    }

    /** SHUTDOWN's reply: null when the server closed the connection, as it does when it obeys. */
    private Reply readShutdownReply() throws IOException {
        try {
            return connection.read();
        } catch (ServerClosedException e) {
            connection.close();
            return null;
        }
    }

    private void recordBroken(IOException e) {
        synchronized (progress) {
            if (broken == null) {
                broken = e;
            }
            progress.notifyAll();
        }
        connection.close();
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
