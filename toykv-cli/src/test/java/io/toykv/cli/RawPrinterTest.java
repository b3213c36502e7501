package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RawPrinterTest {
    private final RawPrinter printer = new RawPrinter();

    private String print(Reply reply) {
        return new String(printer.format(reply), StandardCharsets.UTF_8);
    }

    @Test
    void everyKindIsOneBareLine() {
        assertEquals("OK\n", print(new Reply.Status("OK")));
        assertEquals("ERR unknown command 'foo'\n", print(new Reply.Error("ERR unknown command 'foo'")));
        assertEquals("1\n", print(new Reply.Int(1)));
        assertEquals("v1\n", print(Reply.Bulk.of("v1")));
        assertEquals("\n", print(Reply.Nil.NIL));
        assertEquals("true\n", print(new Reply.Bool(true)));
        assertEquals("1.5\n", print(new Reply.Number("1.5", false)));
    }

    @Test
    void listItemsOneALineFlattened() {
        Reply reply = new Reply.Array(List.of(
                Reply.Bulk.of("a"),
                new Reply.Array(List.of(Reply.Bulk.of("b"), new Reply.Int(2))),
                Reply.Nil.NIL,
                Reply.Bulk.of("z")));
        assertEquals("a\nb\n2\n\nz\n", print(reply));
        assertEquals("k\nv\n", print(new Reply.Map(List.of(Reply.Bulk.of("k"), Reply.Bulk.of("v")))));
    }

    @Test
    void emptyListIsAnEmptyLine() {
        assertEquals("\n", print(new Reply.Array(List.of())));
    }

    @Test
    void bytesPassUnchanged() {
        byte[] value = {'a', '\n', (byte) 0xff, 0, '"'};
        byte[] expected = {'a', '\n', (byte) 0xff, 0, '"', '\n'};
        assertArrayEquals(expected, printer.format(new Reply.Bulk(value)));
    }

    @Test
    void scanPagesAreKeyLineValueLine() {
        List<byte[]> page = List.of(b("k1"), b("v1"), b("k2"), b(""));
        assertEquals("k1\nv1\nk2\n\n", new String(printer.formatPairs(page, 5), StandardCharsets.UTF_8));
        assertEquals("", new String(printer.formatEmptyScan(), StandardCharsets.UTF_8));
    }

    @Test
    void clientErrorsAreBare() {
        assertEquals(
                "Invalid argument(s)\n",
                new String(printer.formatClientError("Invalid argument(s)"), StandardCharsets.UTF_8));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
