package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toykv.resp.Reply;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyScannerTest {
    private final List<String> sent = new ArrayList<>();
    private final Deque<Reply> replies = new ArrayDeque<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final KeyScanner scanner = new KeyScanner(
            command -> {
                List<String> words = new ArrayList<>();
                command.forEach(w -> words.add(new String(w, StandardCharsets.UTF_8)));
                sent.add(String.join(" ", words));
                return replies.removeFirst();
            },
            out);

    private static Reply page(String cursor, String... keys) {
        List<Reply> items = new ArrayList<>();
        for (String k : keys) {
            items.add(Reply.Bulk.of(k));
        }
        return new Reply.Array(List.of(Reply.Bulk.of(cursor), new Reply.Array(items)));
    }

    @Test
    void scanFollowsTheCursorUntilZero() throws Exception {
        replies.add(page("7", "a", "b"));
        replies.add(page("12"));
        replies.add(page("0", "c"));
        assertEquals(3, scanner.scan("u:*", 2));
        assertEquals(
                List.of("SCAN 0 MATCH u:* COUNT 2", "SCAN 7 MATCH u:* COUNT 2", "SCAN 12 MATCH u:* COUNT 2"), sent);
        assertEquals("a\nb\nc\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void scanWithoutOptionsSendsTheCursorAlone() throws Exception {
        replies.add(page("0"));
        assertEquals(0, scanner.scan(null, null));
        assertEquals(List.of("SCAN 0"), sent);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void stopEndsAfterThePageInFlight() throws Exception {
        replies.add(page("5", "a"));
        replies.add(page("0", "b"));
        scanner.stop();
        assertEquals(1, scanner.scan(null, null));
        assertEquals("a\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void scanErrorReplyIsAScanException() {
        replies.add(new Reply.Error("ERR invalid cursor"));
        assertEquals(
                "ERR invalid cursor",
                assertThrows(KeyScanner.ScanException.class, () -> scanner.scan(null, null))
                        .getMessage());
    }

    @Test
    void scanOfSomethingElseIsAScanException() {
        replies.add(Reply.Bulk.of("surprise"));
        assertThrows(KeyScanner.ScanException.class, () -> scanner.scan(null, null));
    }

    @Test
    void prefixScanPagesRangeAndPrintsKeysOnly() throws Exception {
        replies.add(new Reply.Array(List.of(
                Reply.Bulk.of("user:3"),
                new Reply.Array(List.of(
                        Reply.Bulk.of("user:1"), Reply.Bulk.of("v1"), Reply.Bulk.of("user:2"), Reply.Bulk.of("v2"))))));
        replies.add(new Reply.Array(
                List.of(Reply.Nil.NIL, new Reply.Array(List.of(Reply.Bulk.of("user:3"), Reply.Bulk.of("v3"))))));
        assertEquals(3, scanner.scanPrefix("user:".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("RANGE user: user; LIMIT 1000", "RANGE user:3 user; LIMIT 1000"), sent);
        assertEquals("user:1\nuser:2\nuser:3\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void endOfPrefixIncrementsTheLastByteBelowFf() {
        assertArrayEquals(new byte[] {'a', 'c'}, KeyScanner.endOfPrefix(new byte[] {'a', 'b'}));
        assertArrayEquals(new byte[] {'b'}, KeyScanner.endOfPrefix(new byte[] {'a', (byte) 0xff, (byte) 0xff}));
        assertNull(KeyScanner.endOfPrefix(new byte[] {(byte) 0xff}));
        assertNull(KeyScanner.endOfPrefix(new byte[0]));
    }
}
