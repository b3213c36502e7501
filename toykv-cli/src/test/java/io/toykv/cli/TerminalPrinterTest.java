package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalPrinterTest {
    private final TerminalPrinter printer = new TerminalPrinter();

    private String print(Reply reply) {
        return new String(printer.format(reply), StandardCharsets.UTF_8);
    }

    private static Reply bulk(String s) {
        return Reply.Bulk.of(s);
    }

    private static Reply array(Reply... items) {
        return new Reply.Array(List.of(items));
    }

    @Test
    void statusIsBare() {
        assertEquals("OK\n", print(new Reply.Status("OK")));
    }

    @Test
    void errorIsMarked() {
        assertEquals("(error) ERR unknown command 'foo'\n", print(new Reply.Error("ERR unknown command 'foo'")));
    }

    @Test
    void integerIsMarked() {
        assertEquals("(integer) 1\n", print(new Reply.Int(1)));
        assertEquals("(integer) -9223372036854775808\n", print(new Reply.Int(Long.MIN_VALUE)));
    }

    @Test
    void bulkIsQuoted() {
        assertEquals("\"v1\"\n", print(bulk("v1")));
        assertEquals("\"\"\n", print(bulk("")));
    }

    @Test
    void nilIsMarked() {
        assertEquals("(nil)\n", print(Reply.Nil.NIL));
    }

    @Test
    void controlBytesAndQuotesAreEscaped() {
        assertEquals(
                "\"a\\nb\\r\\t\\\"q\\\" \\\\ \\a\\b\\x00\\x7f\"\n",
                print(bulk("a\nb\r\t\"q\" \\ \u0007\b\u0000\u007f")));
    }

    @Test
    void validUtf8IsShownAsText() {
        assertEquals("\"héllo 日本 🎉\"\n", print(bulk("héllo 日本 🎉")));
    }

    @Test
    void invalidUtf8IsEscapedBytewise() {
        byte[] bytes = {
            'a', (byte) 0xff, (byte) 0xc3, 'b', (byte) 0xc0, (byte) 0x80, (byte) 0xed, (byte) 0xa0, (byte) 0x80
        };
        assertEquals("\"a\\xff\\xc3b\\xc0\\x80\\xed\\xa0\\x80\"\n", print(new Reply.Bulk(bytes)));
    }

    @Test
    void unicodeControlAndFormatCharactersAreEscaped() {
        // U+0085 (NEL, a C1 control) and U+200B (zero width space, a format character)
        assertEquals("\"\\xc2\\x85\\xe2\\x80\\x8b\"\n", print(bulk("\u0085\u200b")));
    }

    @Test
    void arrayIsNumbered() {
        assertEquals(
                "1) \"a\"\n2) \"b\"\n3) (nil)\n4) (integer) 7\n",
                print(array(bulk("a"), bulk("b"), Reply.Nil.NIL, new Reply.Int(7))));
    }

    @Test
    void numbersAreRightAligned() {
        List<Reply> items = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            items.add(bulk("v" + i));
        }
        assertEquals(
                " 1) \"v1\"\n 2) \"v2\"\n 3) \"v3\"\n 4) \"v4\"\n 5) \"v5\"\n"
                        + " 6) \"v6\"\n 7) \"v7\"\n 8) \"v8\"\n 9) \"v9\"\n10) \"v10\"\n",
                print(new Reply.Array(items)));
    }

    @Test
    void nestedArraysIndentUnderTheirNumber() {
        Reply reply = array(bulk("k1"), array(bulk("a"), bulk("b")), array(), bulk("z"));
        assertEquals(
                "1) \"k1\"\n" + "2) 1) \"a\"\n" + "   2) \"b\"\n" + "3) (empty array)\n" + "4) \"z\"\n", print(reply));
    }

    @Test
    void emptyArrayIsNamed() {
        assertEquals("(empty array)\n", print(array()));
    }

    @Test
    void resp3KindsPrintAsRedisCliDoes() {
        assertEquals("(true)\n", print(new Reply.Bool(true)));
        assertEquals("(false)\n", print(new Reply.Bool(false)));
        assertEquals("(double) 1.5\n", print(new Reply.Number("1.5", false)));
        assertEquals(
                "(big number) 123456789012345678901234567890\n",
                print(new Reply.Number("123456789012345678901234567890", true)));
        assertEquals("(empty hash)\n", print(new Reply.Map(List.of())));
    }

    /** A list or map as a map's value starts on a line of its own, its items aligned under each other. */
    @Test
    void nestedListsInAMapStartOnTheirOwnLine() {
        assertEquals(
                "1# \"a\" => (integer) 1\n2# \"b\" =>\n   1) \"x\"\n   2) \"y\"\n",
                print(new Reply.Map(List.of(bulk("a"), new Reply.Int(1), bulk("b"), array(bulk("x"), bulk("y"))))));
        Reply inner = new Reply.Map(List.of(bulk("since"), bulk("1.0"), bulk("flags"), array(bulk("r"))));
        assertEquals(
                "1# \"get\" =>\n   1# \"since\" => \"1.0\"\n   2# \"flags\" =>\n      1) \"r\"\n"
                        + "2# \"none\" => (empty hash)\n",
                print(new Reply.Map(List.of(bulk("get"), inner, bulk("none"), new Reply.Map(List.of())))));
        assertEquals(
                "1) 1# \"k\" => \"v\"\n   2# \"l\" =>\n      1) \"x\"\n",
                print(array(new Reply.Map(List.of(bulk("k"), bulk("v"), bulk("l"), array(bulk("x")))))));
    }

    @Test
    void scanPagesArePairsNumberedAcrossPages() {
        List<byte[]> page = List.of(b("k9"), b("v9"), b("k10"), b("v\n10"));
        assertEquals(
                " 9) \"k9\" => \"v9\"\n10) \"k10\" => \"v\\n10\"\n",
                new String(printer.formatPairs(page, 9), StandardCharsets.UTF_8));
        assertEquals("", new String(printer.formatPairs(List.of(), 1), StandardCharsets.UTF_8));
        assertEquals("(empty range)\n", new String(printer.formatEmptyScan(), StandardCharsets.UTF_8));
    }

    @Test
    void clientErrorsLookLikeServerErrors() {
        assertEquals(
                "(error) wrong number of arguments\n",
                new String(printer.formatClientError("wrong number of arguments"), StandardCharsets.UTF_8));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
