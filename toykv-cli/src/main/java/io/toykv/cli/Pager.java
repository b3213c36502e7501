package io.toykv.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;

/**
 * The session's output to the terminal, one screen at a time: once a reply has filled the screen but
 * one row, the last row asks {@code -- more (N of M lines) -- space: next page, Enter: next line, q: stop}
 * and waits for one key. Space shows the next screen, Enter one more line, {@code q} or Ctrl-C stops:
 * the rest of the reply is dropped (a client scan stops asking for pages) and the prompt comes back. A
 * reply that fits prints as it comes. Rows are counted as the terminal shows them: a line wider than
 * the screen takes as many rows as it wraps to, colour codes take none, wide characters two columns
 * (JLine's own measure, the one its line editor uses).
 *
 * <p>The pager is inline rather than an external {@code $PAGER}: a client scan is paged while it is
 * still fetching, so {@code q} also stops the scan; the colours need no pager options; and no process
 * is started per reply. Lines arrive as whole lines ({@link ReplyPrinter}); a line's bytes are held
 * until its newline so that it is measured whole. {@link #startReply()} begins each command's count,
 * {@link #endReply()} ends it. Off, it passes bytes straight through.
 */
final class Pager extends OutputStream {
    /** The more prompt; {@code %d} the lines shown and the lines received so far. */
    static final String MORE = "-- more (%d of %d lines) -- space: next page, Enter: next line, q: stop";
    /** Ctrl-C as a byte: while the pager waits for a key the terminal sends it as input, not as a signal. */
    private static final int CTRL_C = 3;
    /** Back to the row's start and clear it: the more prompt leaves no trace. */
    private static final String ERASE_LINE = "\r\u001b[K";

    private final Terminal terminal;
    private final OutputStream out;
    private volatile Runnable onStop = () -> {};
    private volatile boolean enabled;

    /** The bytes of a line not yet ended. */
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
    /** Rows this reply may still fill before the next prompt. */
    private int rowsLeft;
    /** Whether rows were written since the last prompt (a page always shows at least one line). */
    private boolean shownSincePrompt;

    private long linesShown;
    private long linesReceived;
    private boolean stopped;

    /** Writes to {@code terminal}'s output and reads keys from its input. */
    Pager(Terminal terminal, boolean enabled) {
        this.terminal = terminal;
        this.out = terminal.output();
        this.enabled = enabled;
        startReply();
    }

    /** {@code action} runs once each time the user stops a reply (so that a scan stops fetching). */
    void onStop(Runnable action) {
        onStop = action;
    }

    boolean isEnabled() {
        return enabled;
    }

    void setEnabled(boolean on) {
        enabled = on;
    }

    /** A command starts: its reply gets a screen less the row the more prompt takes. */
    void startReply() {
        pending.reset();
        rowsLeft = pageRows();
        shownSincePrompt = false;
        linesShown = 0;
        linesReceived = 0;
        stopped = false;
    }

    /** The command ended: a last line without a newline is written as it is (unless stopped). */
    void endReply() {
        if (pending.size() > 0 && !stopped) {
            writeOut(pending.toByteArray(), 0, pending.size());
        }
        pending.reset();
        flush();
    }

    /** Whether the user stopped the current reply. */
    boolean wasStopped() {
        return stopped;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        if (!enabled || pageRows() <= 0) {
            if (!stopped) {
                writeOut(bytes, offset, length);
            }
            return;
        }
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                linesReceived++;
            }
        }
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                pending.write(bytes, start, i + 1 - start);
                start = i + 1;
                showLine(pending.toByteArray());
                pending.reset();
            }
        }
        pending.write(bytes, start, end - start);
    }

    private void showLine(byte[] line) {
        if (stopped) {
            return;
        }
        int rows = rowsOf(new String(line, 0, line.length - 1, StandardCharsets.UTF_8), terminal.getWidth());
        while (shownSincePrompt && rows > rowsLeft) {
            if (!askForMore()) {
                stopped = true;
                onStop.run();
                return;
            }
        }
        writeOut(line, 0, line.length);
        rowsLeft -= rows;
        shownSincePrompt = true;
        linesShown++;
    }

    /** Shows the more prompt and waits for a key: false to stop, else {@link #rowsLeft} is set anew. */
    private boolean askForMore() {
        writeOut(String.format(java.util.Locale.ROOT, MORE, linesShown, linesReceived)
                .getBytes(StandardCharsets.UTF_8));
        flush();
        int key = readKey();
        writeOut(ERASE_LINE.getBytes(StandardCharsets.US_ASCII));
        switch (key) {
            case ' ':
                rowsLeft = pageRows();
                break;
            case '\r':
            case '\n':
                rowsLeft = 1;
                break;
            default:
                return false;
        }
        shownSincePrompt = false;
        return true;
    }

    /**
     * One key that means something here (space, Enter, q, Ctrl-C, or the end of input, taken as q);
     * other keys are ignored. The terminal is raw while it waits, Ctrl-C included (no signal).
     */
    private int readKey() {
        Attributes previous = terminal.enterRawMode();
        try {
            Attributes raw = new Attributes(terminal.getAttributes());
            raw.setLocalFlag(Attributes.LocalFlag.ISIG, false);
            terminal.setAttributes(raw);
            while (true) {
                int key = terminal.reader().read();
                if (key == ' ' || key == '\r' || key == '\n') {
                    return key;
                }
                if (key == 'q' || key == 'Q' || key == CTRL_C || key < 0) {
                    return 'q';
                }
            }
        } catch (IOException e) {
            return 'q';
        } finally {
            terminal.setAttributes(previous);
        }
    }

    /** Rows of a screen a reply may fill before the more prompt: all but the prompt's. */
    private int pageRows() {
        return terminal.getHeight() - 1;
    }

    /**
     * The rows {@code line} (no newline; colour codes allowed) takes on a screen {@code columns} wide:
     * at least one, one more for each time it wraps. With no known width, one.
     */
    static int rowsOf(String line, int columns) {
        if (columns <= 0) {
            return 1;
        }
        int width = AttributedString.fromAnsi(line).columnLength();
        return Math.max(1, (width + columns - 1) / columns);
    }

    private void writeOut(byte[] bytes) {
        writeOut(bytes, 0, bytes.length);
    }

    private void writeOut(byte[] bytes, int offset, int length) {
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
