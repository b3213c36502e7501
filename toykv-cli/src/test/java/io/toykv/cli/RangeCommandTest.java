package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RangeCommandTest {

    private static String words(List<byte[]> command) {
        return command.stream().map(w -> new String(w, StandardCharsets.UTF_8)).collect(Collectors.joining("|"));
    }

    @Test
    void requestNamesBoundsAndLimit() {
        assertEquals("RANGE|a|b|LIMIT|1000", words(RangeCommand.request(b("a"), b("b"), 1000)));
        assertEquals("RANGE|||LIMIT|1", words(RangeCommand.request(null, null, 1)));
        assertThrows(
                IllegalArgumentException.class, () -> RangeCommand.request(null, null, RangeCommand.MAX_LIMIT + 1));
    }

    @Test
    void pageWithANextStart() throws Exception {
        Reply reply = new Reply.Array(List.of(
                Reply.Bulk.of("k3"),
                new Reply.Array(
                        List.of(Reply.Bulk.of("k1"), Reply.Bulk.of("v1"), Reply.Bulk.of("k2"), Reply.Bulk.of("v2")))));
        RangeCommand.Page page = RangeCommand.parse(reply);
        assertArrayEquals(b("k3"), page.next());
        assertEquals(2, page.pairs());
        assertArrayEquals(b("v2"), page.keysAndValues().get(3));
    }

    @Test
    void lastPageHasNilNext() throws Exception {
        RangeCommand.Page page =
                RangeCommand.parse(new Reply.Array(List.of(Reply.Nil.NIL, new Reply.Array(List.of()))));
        assertNull(page.next());
        assertEquals(0, page.pairs());
    }

    @Test
    void otherShapesAreRefusedWithTheReplyInTheMessage() {
        for (Reply bad : List.of(
                new Reply.Status("OK"),
                new Reply.Array(List.of(Reply.Nil.NIL)),
                new Reply.Array(List.of(new Reply.Int(1), new Reply.Array(List.of()))),
                new Reply.Array(List.of(Reply.Nil.NIL, new Reply.Array(List.of(Reply.Bulk.of("odd"))))),
                new Reply.Array(
                        List.of(Reply.Nil.NIL, new Reply.Array(List.of(Reply.Bulk.of("k"), new Reply.Int(1))))))) {
            RangeCommand.UnexpectedReplyException e =
                    assertThrows(RangeCommand.UnexpectedReplyException.class, () -> RangeCommand.parse(bad));
            assertEquals(true, e.getMessage().startsWith("unexpected reply to RANGE: "), e.getMessage());
        }
    }

    @Test
    void scanArgumentsParse() {
        ScanRequest all = ScanRequest.parse(List.of());
        assertNull(all.start());
        assertEquals(ScanRequest.NO_LIMIT, all.limit());
        ScanRequest r = ScanRequest.parse(List.of(b("a"), b("m"), b("limit"), b("5")));
        assertArrayEquals(b("a"), r.start());
        assertArrayEquals(b("m"), r.end());
        assertEquals(5, r.limit());
        assertArrayEquals(b("limit"), ScanRequest.parse(List.of(b("limit"))).start());
        assertNull(ScanRequest.parse(List.of(b("a"), b("b"), b("c"))));
        assertNull(ScanRequest.parse(List.of(b("LIMIT"), b("0"))));
        assertNull(ScanRequest.parse(List.of(b("LIMIT"), b("x"))));
    }

    @Test
    void addressesParse() {
        assertEquals(new ServerAddress("127.0.0.1", 8888), ServerAddress.parse("127.0.0.1:8888"));
        assertEquals(new ServerAddress("::1", 7000), ServerAddress.parse("[::1]:7000"));
        assertEquals("[::1]:7000", ServerAddress.parse("[::1]:7000").toString());
        assertEquals(new ServerAddress("db.local", 1), ServerAddress.parse("db.local:1"));
        assertNull(ServerAddress.parse("get"));
        assertThrows(IllegalArgumentException.class, () -> ServerAddress.parse("host:0"));
        assertThrows(IllegalArgumentException.class, () -> ServerAddress.parse("host:99999"));
        assertNull(ServerAddress.parse("a:b:1"));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
