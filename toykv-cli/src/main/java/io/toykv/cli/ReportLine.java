package io.toykv.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where --latency and --stat write their reports. On a terminal each report replaces the last on one
 * line, as redis-cli's --latency does: a carriage return and ANSI erase-line ({@code ESC [2K}) before
 * it, no newline until {@link #close}; column titles are written once, above. On a pipe each report is
 * a line of its own and titles repeat as asked, so a log or {@code grep} sees every figure.
 */
final class ReportLine implements AutoCloseable {
    /** Back to the start of the line and erase it. */
    static final String REWRITE = "\r\u001b[2K";

    private final OutputStream out;
    private final boolean terminal;
    private boolean titled;
    /** A report is on the screen without its newline (terminal only). */
    private boolean open;

    ReportLine(OutputStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Column titles: on a pipe every time, on a terminal only the first time. */
    void title(String titles) throws IOException {
        if (terminal && titled) {
            return;
        }
        titled = true;
        write(titles + "\n");
    }

    /** One report: a line of its own, or in place of the last on a terminal. */
    void report(String line) throws IOException {
        if (terminal) {
            open = true;
            write(REWRITE + line);
        } else {
            write(line + "\n");
        }
    }

    /** Ends the line of the last report on a terminal, so what follows starts on a line of its own. */
    @Override
    public void close() throws IOException {
        if (open) {
            open = false;
            write("\n");
        }
    }

    private void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
