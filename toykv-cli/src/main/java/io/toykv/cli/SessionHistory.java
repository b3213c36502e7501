package io.toykv.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jline.reader.impl.history.DefaultHistory;

/**
 * The interactive history: JLine's in-memory list for up/down and Ctrl-R, backed by a plain file with
 * one command a line, created with mode 0600 and appended to as commands run. At load, a file grown past
 * {@link #MAX_ENTRIES} is rewritten (temp file, then rename) with only its newest entries.
 *
 * <p>JLine's own automatic add is switched off here ({@link #add} ignores it) because a line may hold
 * several pasted commands; {@link #record} adds each command, skipping repeats of the previous one and
 * anything carrying a password ({@link #carriesPassword}).
 */
final class SessionHistory extends DefaultHistory {
    static final int MAX_ENTRIES = 1000;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final String password;
    private String last;

    /** {@code file} may be null: history then lives only in memory. */
    SessionHistory(Path file, String password) {
        this.file = file;
        this.password = password;
    }

    /** Reads the file, if any, into memory; an unreadable file just means an empty history. */
    void loadFile() {
        if (file == null || !Files.isRegularFile(file)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() > MAX_ENTRIES) {
                lines = List.copyOf(lines.subList(lines.size() - MAX_ENTRIES, lines.size()));
                rewrite(lines);
            }
            for (String line : lines) {
                if (!line.isBlank() && !line.equals(last)) {
                    super.add(Instant.now(), line);
                    last = line;
                }
            }
        } catch (IOException | RuntimeException e) {
            // A history that cannot be read is not worth refusing a session for.
        }
    }

    /** Ignores JLine's own add after each readLine: see {@link #record}. */
    @Override
    public void add(Instant time, String line) {
        // intentionally empty
    }

    /** Adds one command run by the user, in memory and in the file. */
    void record(String line) {
        String command = line.strip();
        if (command.isEmpty() || command.equals(last) || carriesPassword(command)) {
            return;
        }
        last = command;
        super.add(Instant.now(), command);
        if (file != null) {
            try {
                append(command);
            } catch (IOException e) {
                // History is a convenience; the command has already run.
            }
        }
    }

    /**
     * Whether a line gives a password away: the {@code -a} password anywhere, or a command whose
     * arguments carry one (AUTH; HELLO, MIGRATE with AUTH or AUTH2; CONFIG SET requirepass or
     * masterauth; ACL SETUSER). Only a word's position makes it a keyword: {@code get auth} is kept.
     */
    boolean carriesPassword(String command) {
        if (password != null && !password.isEmpty() && command.contains(password)) {
            return true;
        }
        List<String> words = java.util.Arrays.stream(
                        command.toLowerCase(Locale.ROOT).split("\\s+"))
                .map(w -> w.replace("\"", "").replace("'", ""))
                .toList();
        List<String> args = words.subList(1, words.size());
        switch (words.get(0)) {
            case "auth":
                return true;
            case "hello":
            case "migrate":
                return args.contains("auth") || args.contains("auth2");
            case "config":
                return !args.isEmpty()
                        && args.get(0).equals("set")
                        && (args.contains("requirepass") || args.contains("masterauth"));
            case "acl":
                return !args.isEmpty() && args.get(0).equals("setuser");
            default:
                return false;
        }
    }

    private void append(String command) throws IOException {
        createOwnerOnly(file);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            w.write(command);
            w.write('\n');
        }
    }

    private void rewrite(List<String> lines) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        createOwnerOnly(temp);
        Files.write(temp, lines, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(
                temp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void createOwnerOnly(Path path) throws IOException {
        if (Files.exists(path)) {
            return;
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(path);
        }
    }
}
