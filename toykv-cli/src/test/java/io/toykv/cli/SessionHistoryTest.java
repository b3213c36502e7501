package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.jline.reader.History;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionHistoryTest {
    @TempDir
    Path dir;

    private SessionHistory attached(Path file, String password) throws IOException {
        Terminal terminal = new DumbTerminal(
                "test",
                "ansi",
                new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(),
                StandardCharsets.UTF_8);
        SessionHistory history = new SessionHistory(file, password);
        Repl.newReader(terminal, history, new KnownKeys());
        return history;
    }

    private static List<String> entries(History history) {
        List<String> lines = new ArrayList<>();
        history.forEach(e -> lines.add(e.line()));
        return lines;
    }

    @Test
    void commandsAreWrittenOneALineWithOwnerOnlyPermissions() throws IOException {
        Path file = dir.resolve("sub/history");
        SessionHistory history = attached(file, null);
        history.record("put k v");
        history.record("get k");
        history.record("scan \"a b\" LIMIT 3");
        assertEquals(List.of("put k v", "get k", "scan \"a b\" LIMIT 3"), Files.readAllLines(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void historyIsReloadedByTheNextSession() throws IOException {
        Path file = dir.resolve("history");
        SessionHistory first = attached(file, null);
        first.record("put k v");
        first.record("get k");
        SessionHistory second = attached(file, null);
        assertEquals(List.of("put k v", "get k"), entries(second));
        second.record("del k");
        assertEquals(List.of("put k v", "get k", "del k"), entries(second));
        assertEquals(List.of("put k v", "get k", "del k"), Files.readAllLines(file));
    }

    @Test
    void passwordsStayOut() throws IOException {
        Path file = dir.resolve("history");
        SessionHistory history = attached(file, "hunter2");
        history.record("AUTH hunter2");
        history.record("auth someone else");
        history.record("hello 3 AUTH default pw");
        history.record("put note hunter2");
        history.record("get k");
        assertEquals(List.of("get k"), Files.readAllLines(file));
        assertEquals(List.of("get k"), entries(history));
    }

    /** Only the command position (and HELLO's AUTH, CONFIG SET of a password) decides, not any word "auth". */
    @Test
    void theWordAuthAsAnArgumentIsKept() throws IOException {
        Path file = dir.resolve("history");
        SessionHistory history = attached(file, null);
        history.record("get Auth");
        history.record("put auth:1 v");
        history.record("del k auth");
        history.record("\"auth\" pw");
        history.record("HELLO 3 SETNAME x AUTH u pw");
        history.record("config set requirepass pw");
        history.record("acl setuser u on >pw");
        history.record("scan 0 match auth*");
        assertEquals(List.of("get Auth", "put auth:1 v", "del k auth", "scan 0 match auth*"), Files.readAllLines(file));
    }

    @Test
    void consecutiveDuplicatesAndBlankLinesStayOut() throws IOException {
        Path file = dir.resolve("history");
        SessionHistory history = attached(file, null);
        history.record("get k");
        history.record("get k");
        history.record("   ");
        history.record("ping");
        history.record("get k");
        assertEquals(List.of("get k", "ping", "get k"), Files.readAllLines(file));
    }

    @Test
    void fileIsCappedAtLoad() throws IOException {
        Path file = dir.resolve("history");
        List<String> many = IntStream.range(0, SessionHistory.MAX_ENTRIES + 50)
                .mapToObj(i -> "get k" + i)
                .toList();
        Files.write(file, many, StandardCharsets.UTF_8);
        SessionHistory history = attached(file, null);
        List<String> kept = Files.readAllLines(file);
        assertEquals(SessionHistory.MAX_ENTRIES, kept.size());
        assertEquals("get k50", kept.get(0));
        assertEquals(SessionHistory.MAX_ENTRIES, entries(history).size());
    }

    /** The JVM's user.home comes from /etc/passwd; a user (or a test run) with another $HOME gets that one. */
    @Test
    void fileIsInHomeFromTheEnvironmentFirst() {
        assertEquals(
                Path.of("/env/home", Cli.DEFAULT_HISTORY_NAME),
                Cli.historyFile(java.util.Map.of("HOME", "/env/home"), "/passwd/home"));
        assertEquals(
                Path.of("/passwd/home", Cli.DEFAULT_HISTORY_NAME), Cli.historyFile(java.util.Map.of(), "/passwd/home"));
        assertEquals(
                Path.of("/passwd/home", Cli.DEFAULT_HISTORY_NAME),
                Cli.historyFile(java.util.Map.of("HOME", ""), "/passwd/home"));
        assertEquals(
                Path.of("/x/h"), Cli.historyFile(java.util.Map.of("HOME", "/env/home", Cli.HISTORY_ENV, "/x/h"), "/p"));
        assertEquals(null, Cli.historyFile(java.util.Map.of(), null));
    }

    @Test
    void noFileMeansMemoryOnly() throws IOException {
        SessionHistory history = attached(null, null);
        history.record("get k");
        assertEquals(List.of("get k"), entries(history));
        assertFalse(Files.list(dir).findAny().isPresent());
    }
}
