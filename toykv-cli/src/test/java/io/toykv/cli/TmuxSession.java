package io.toykv.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One program running in a detached tmux window on a tmux server of its own (its own socket in a
 * temporary directory, so no user's tmux is touched and nothing is left behind): keys go in with
 * {@code send-keys}, the screen comes back with {@code capture-pane}. Waits poll the screen until the
 * expected text is there, with generous limits, so a slow machine makes a test slower, never red.
 */
final class TmuxSession implements AutoCloseable {
    /** How long a wait for the screen lasts before the test fails. */
    static final long WAIT_SECONDS = 30;
    /** Printed by the wrapper shell after the program ends, with its exit status. */
    static final String EXITED = "[exited ";

    /** The tmux server's socket, in a directory of its own that {@link #close()} removes. */
    private final Path socket;

    private final String target;

    private TmuxSession(Path socket, String target) {
        this.socket = socket;
        this.target = target;
    }

    /** Null when tmux cannot run here, else its version line. */
    static String version() {
        try {
            Result r = exec(List.of("tmux", "-V"));
            return r.status == 0 ? r.out.strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Starts {@code command} (run by sh, with {@code env} set) in a new window of {@code width} x
     * {@code height}; after it ends the window shows {@code [exited STATUS]} and stays.
     */
    static TmuxSession start(String name, List<String> env, List<String> command, int width, int height)
            throws IOException {
        Path socket = Files.createTempDirectory("toykv-tmux").resolve("s");
        StringBuilder line = new StringBuilder("exec env");
        for (String e : env) {
            line.append(' ').append(quote(e));
        }
        // The wrapper shell shares the program's process group (an interactive shell would give the
        // program its own), so a Ctrl-C that reaches the program as SIGINT must not end the wrapper: it
        // traps INT (a caught signal, unlike an ignored one, is not inherited by the program).
        line.append(" sh -c ")
                .append(quote("trap : INT; \"$@\"; echo \"" + EXITED + "$?]\"; exec sleep 600"))
                .append(" sh");
        for (String word : command) {
            line.append(' ').append(quote(word));
        }
        TmuxSession session = new TmuxSession(socket, name);
        session.tmux(
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                Integer.toString(width),
                "-y",
                Integer.toString(height),
                line.toString());
        return session;
    }

    /** Types {@code text} literally, in pieces small enough for one tmux command each. */
    void type(String text) throws IOException {
        for (int from = 0; from < text.length(); from += 4096) {
            tmux("send-keys", "-t", target, "-l", "--", text.substring(from, Math.min(text.length(), from + 4096)));
        }
    }

    /** Types {@code text}, then Enter. */
    void typeLine(String text) throws IOException {
        type(text);
        press("Enter");
    }

    /** Presses keys by tmux's names: Enter, Tab, C-c, C-r, C-d. */
    void press(String... keys) throws IOException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", target));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** Pastes {@code text} as a terminal does: bracketed when the program asked for it, lines ending in CR. */
    void paste(String text) throws IOException {
        Path file = Files.createTempFile("toykv-paste", ".txt");
        try {
            Files.writeString(file, text);
            tmux("load-buffer", "-b", "paste", file.toString());
            tmux("paste-buffer", "-p", "-d", "-b", "paste", "-t", target);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The screen and its scrollback, wrapped lines joined, blank lines at the end dropped. */
    String screen() throws IOException {
        return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", target).stripTrailing();
    }

    /** Waits until the screen satisfies {@code test}; fails with the last screen after {@link #WAIT_SECONDS}. */
    String await(String what, Predicate<String> test) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        String screen = screen();
        while (!test.test(screen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT_SECONDS + " s for " + what + "; the screen:\n" + screen);
            }
            Thread.sleep(50);
            screen = screen();
        }
        return screen;
    }

    /** Waits until {@code text} shows {@code times} times or more. */
    String awaitCount(String text, int times) throws IOException, InterruptedException {
        return await(times + " x '" + text + "'", s -> count(s, text) >= times);
    }

    static int count(String screen, String text) {
        int n = 0;
        for (int at = screen.indexOf(text); at >= 0; at = screen.indexOf(text, at + text.length())) {
            n++;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        try {
            tmux("kill-server");
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socket.getParent());
        }
    }

    private String tmux(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
        command.addAll(List.of(args));
        Result r = exec(command);
        if (r.status != 0 && !args[0].equals("kill-server")) {
            throw new IOException(String.join(" ", command.subList(0, Math.min(command.size(), 6))) + " ... failed ("
                    + r.status + "): " + r.out);
        }
        return r.out;
    }

    private record Result(int status, String out) {}

    private static Result exec(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: "
                        + String.join(" ", command.subList(0, Math.min(command.size(), 4))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }

    /** The word in single quotes for sh. */
    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
