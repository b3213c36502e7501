package io.toykv.server;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** The server's log: one timestamped line per event on standard output, like the original demo. */
final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private final PrintStream out;
    private final boolean quiet;

    Log(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    void info(String line) {
        if (!quiet) {
            out.println(TIME.format(LocalDateTime.now()) + " " + line);
        }
    }

    void warn(String line) {
        out.println(TIME.format(LocalDateTime.now()) + " WARNING " + line);
    }

    /** A failure the process does not go on after: the line, then the stack trace. Never throws. */
    void fatal(String line, Throwable t) {
        try {
            out.println(TIME.format(LocalDateTime.now()) + " FATAL " + line + ": " + t);
            t.printStackTrace(out);
            out.flush();
        } catch (Throwable again) {
            // Out of memory even for the log line: the exit that follows still says it (its status).
        }
    }
}
