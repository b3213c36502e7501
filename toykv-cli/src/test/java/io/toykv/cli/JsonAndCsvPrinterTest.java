package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonAndCsvPrinterTest {
    private final JsonPrinter json = new JsonPrinter();
    private final CsvPrinter csv = new CsvPrinter();

    /** Every kind of reply in one: a RESP3 map holding an array of the scalars. */
    private static final Reply ALL = new Reply.Map(List.of(
            Reply.Bulk.of("items"),
            new Reply.Array(List.of(
                    new Reply.Status("OK"),
                    new Reply.Int(-7),
                    Reply.Bulk.of("a \"quoted\"\nline\t\u0001"),
                    Reply.Nil.NIL,
                    new Reply.Bool(true),
                    new Reply.Number("1.5", false),
                    new Reply.Number("inf", false))),
            new Reply.Int(3),
            new Reply.Array(List.of())));

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void jsonWritesOneValueALine() {
        assertEquals(
                "{\"items\":[\"OK\",-7,\"a \\\"quoted\\\"\\nline\\t\\u0001\",null,true,1.5,\"inf\"],\"3\":[]}\n",
                text(json.format(ALL)));
        assertEquals("null\n", text(json.format(Reply.Nil.NIL)));
        assertEquals("\"v\"\n", text(json.format(Reply.Bulk.of("v"))));
    }

    @Test
    void jsonScanPagesArePairArrays() {
        assertEquals(
                "[\"k1\",\"v1\"]\n[\"k\\\"2\",\"\"]\n",
                text(json.formatPairs(
                        List.of(
                                "k1".getBytes(StandardCharsets.UTF_8),
                                "v1".getBytes(StandardCharsets.UTF_8),
                                "k\"2".getBytes(StandardCharsets.UTF_8),
                                new byte[0]),
                        1)));
        assertEquals("", text(json.formatEmptyScan()));
    }

    @Test
    void csvFlattensOneReplyToOneLine() {
        assertEquals(
                "\"items\",\"OK\",-7,\"a \"\"quoted\"\"\nline\t\u0001\",NULL,true,1.5,inf,3\n", text(csv.format(ALL)));
        assertEquals("NULL\n", text(csv.format(Reply.Nil.NIL)));
        assertEquals("\n", text(csv.format(new Reply.Array(List.of()))));
    }

    @Test
    void csvScanPagesAreKeyValueLines() {
        assertEquals(
                "\"k1\",\"v1\"\n",
                text(csv.formatPairs(
                        List.of("k1".getBytes(StandardCharsets.UTF_8), "v1".getBytes(StandardCharsets.UTF_8)), 1)));
    }

    @Test
    void bothKeepErrorsOffStdout() {
        assertTrue(json.errorsGoToStderr());
        assertTrue(csv.errorsGoToStderr());
        assertEquals("ERR x\n", text(json.formatClientError("ERR x")));
    }
}
