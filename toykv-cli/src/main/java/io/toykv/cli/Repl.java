package io.toykv.cli;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.Signals;

/**
 * The interactive loop. Ctrl-C clears the line being edited, or interrupts the running command, and
 * never ends the session; Ctrl-D on an empty line, {@code quit} and {@code exit} end it with status 0.
 * A pasted block of several lines runs line by line, each line its own history entry, shown again with
 * the prompt before its reply. On a dumb terminal ({@code TERM=dumb}: the tty reads whole lines) Ctrl-C
 * works the same, and a Tab sent with the line completes it ({@link DumbCompletion}). Replies taller
 * than the screen show a screen at a time ({@link Pager}), except on a dumb terminal.
 */
final class Repl {
    private final Terminal terminal;
    private final ClientSession session;
    private final SessionHistory history;
    private final LineReader reader;
    private final CommandCompleter completer;
    /** The session's output, a screen at a time; null when the session writes to the terminal unpaged. */
    private final Pager pager;

    Repl(Terminal terminal, ClientSession session, SessionHistory history, KnownKeys knownKeys) {
        this(terminal, session, history, knownKeys, false, null);
    }

    /**
     * With {@code colour}, the line being typed is highlighted ({@link LineHighlighter}); {@code pager},
     * unless null, is what {@code session} writes to, and {@code :pager} turns it on and off.
     */
    Repl(
            Terminal terminal,
            ClientSession session,
            SessionHistory history,
            KnownKeys knownKeys,
            boolean colour,
            Pager pager) {
        this.terminal = terminal;
        this.pager = pager;
        if (pager != null) {
            pager.onStop(session::stopOutput);
        }
        this.session = session;
        this.history = history;
        this.completer = new CommandCompleter(knownKeys, session::docsIfConnected, session::keysStartingWith);
        this.reader = newReader(terminal, history, completer);
        if (reader instanceof HintingLineReader hinting) {
            hinting.setFallbackHints(line -> ArgumentHints.serverHint(line, session.cachedDocs()));
        }
        // Hints and highlighting run on every key press: they read the docs already fetched, never the network.
        if (colour && reader instanceof org.jline.reader.impl.LineReaderImpl impl) {
            impl.setHighlighter(new LineHighlighter(session::cachedDocs));
        }
    }

    /** The line reader with our parser, completer, hints and history; separate so tests can drive it. */
    static LineReader newReader(Terminal terminal, SessionHistory history, KnownKeys knownKeys) {
        return newReader(terminal, history, new CommandCompleter(knownKeys));
    }

    static LineReader newReader(Terminal terminal, SessionHistory history, CommandCompleter completer) {
        Map<String, Object> variables = new HashMap<>();
        variables.put(LineReader.HISTORY_SIZE, SessionHistory.MAX_ENTRIES);
        HintingLineReader reader = new HintingLineReader(terminal, variables);
        reader.setParser(new LineParser());
        reader.setCompleter(completer);
        reader.option(LineReader.Option.DISABLE_EVENT_EXPANSION, true);
        reader.option(LineReader.Option.HISTORY_INCREMENTAL, false);
        reader.option(LineReader.Option.CASE_INSENSITIVE, true);
        reader.option(LineReader.Option.AUTO_FRESH_LINE, true);
        reader.setHistory(history);
        history.attach(reader);
        history.loadFile();
        return reader;
    }

    /** Runs until the user leaves; returns the exit status. */
    int run() {
        // A dumb terminal leaves the tty in line mode, where Ctrl-C is a real SIGINT (the JVM would exit
        // with 130): it becomes the terminal's INT, as a capable terminal's raw mode makes it.
        Object previousInt =
                isDumb(terminal) ? Signals.register("INT", () -> terminal.raise(Terminal.Signal.INT)) : null;
        try {
            return loop();
        } finally {
            if (previousInt != null) {
                Signals.unregister("INT", previousInt);
            }
        }
    }

    private int loop() {
        session.connect();
        String start = null;
        while (true) {
            String line;
            try {
                line = reader.readLine(session.prompt(), null, start);
            } catch (UserInterruptException e) {
                start = null;
                if (isDumb(terminal)) {
                    // The tty echoed ^C and JLine cannot move the cursor: the prompt goes on a new line.
                    terminal.writer().println();
                }
                continue;
            } catch (EndOfFileException e) {
                return 0;
            }
            start = null;
            int tab = isDumb(terminal) ? line.indexOf('\t') : -1;
            if (tab >= 0) {
                DumbCompletion.Result completed = DumbCompletion.complete(reader, completer, line.substring(0, tab));
                if (!completed.listed().isEmpty()) {
                    terminal.writer().println(String.join("  ", completed.listed()));
                }
                start = completed.line();
                continue;
            }
            String[] commands = line.split("\\R");
            for (String command : commands) {
                if (commands.length > 1 && !command.isBlank()) {
                    // A pasted block shows whole while it is edited; its replies would then all follow
                    // together. Each command is shown again, as if typed, before its reply.
                    terminal.writer().println(session.prompt() + command);
                    terminal.writer().flush();
                }
                if (!runLine(command)) {
                    return 0;
                }
            }
        }
    }

    /**
     * A line starting with {@code :} sets the client, not the server: {@code :timing on|off} and
     * {@code :pager on|off} (alone, each says which). {@code pager} is null where there is none (a dumb
     * terminal). Returns what to print.
     */
    static String clientSetting(ClientSession session, Pager pager, String line) {
        String[] words = line.split("\\s+");
        String name = words[0].toLowerCase(java.util.Locale.ROOT);
        if (words.length > 2 || !(name.equals(":timing") || name.equals(":pager"))) {
            return "unknown setting " + words[0] + "; the settings are: :timing [on|off], :pager [on|off]\n";
        }
        boolean timing = name.equals(":timing");
        if (words.length == 2) {
            if (!words[1].equalsIgnoreCase("on") && !words[1].equalsIgnoreCase("off")) {
                return "usage: " + name + " [on|off]\n";
            }
            boolean on = words[1].equalsIgnoreCase("on");
            if (timing) {
                session.setTiming(on);
            } else if (pager != null) {
                pager.setEnabled(on);
            } else if (on) {
                return "pager is off: it needs a terminal that can read single keys (TERM is dumb)\n";
            }
        }
        if (timing) {
            return "timing is " + (session.isTiming() ? "on" : "off") + "\n";
        }
        return "pager is " + (pager != null && pager.isEnabled() ? "on" : "off") + "\n";
    }

    static boolean isDumb(Terminal terminal) {
        return Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
    }

    /** Runs one line; false when it asked to leave. */
    private boolean runLine(String line) {
        if (line.isBlank()) {
            return true;
        }
        history.record(line);
        if (line.strip().startsWith(":")) {
            terminal.writer().print(clientSetting(session, pager, line.strip()));
            terminal.writer().flush();
            return true;
        }
        List<byte[]> words;
        try {
            words = ArgumentSplitter.split(line);
        } catch (ArgumentSplitter.InvalidArgumentsException e) {
            terminal.writer().println(e.getMessage());
            terminal.writer().flush();
            return true;
        }
        KnownCommand spec = KnownCommand.lookup(new String(words.get(0), StandardCharsets.UTF_8));
        if ((spec == KnownCommand.QUIT || spec == KnownCommand.EXIT) && words.size() == 1) {
            return false;
        }
        if (spec == KnownCommand.CLEAR && words.size() == 1) {
            terminal.puts(Capability.clear_screen);
            terminal.flush();
            return true;
        }
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> session.interrupt());
        if (pager != null) {
            pager.startReply();
        }
        try {
            session.execute(words);
            if (pager != null) {
                pager.endReply();
            }
            if (session.isConnected() && !session.wasInterrupted()) {
                // Once per session, after the first command: the server's docs for hints and Tab. Not
                // after a Ctrl-C: a server too slow for the command would hold the prompt back again.
                session.docs();
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
        }
        if (session.wasInterrupted()) {
            // The terminal echoed ^C; the next prompt starts on a line of its own.
            terminal.writer().println();
            terminal.writer().flush();
        }
        return true;
    }
}
