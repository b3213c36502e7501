package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColourTest {
    private final TerminalPrinter printer = new TerminalPrinter(true);

    private String text(Reply reply) {
        return new String(printer.format(reply), StandardCharsets.UTF_8);
    }

    @Test
    void eachKindHasItsColourAndTheLineEndStaysOutside() {
        assertEquals("\u001b[31m(error) ERR no\u001b[0m\n", text(new Reply.Error("ERR no")));
        assertEquals("\u001b[2m(nil)\u001b[0m\n", text(Reply.Nil.NIL));
        assertEquals("\u001b[36m(integer) 7\u001b[0m\n", text(new Reply.Int(7)));
        assertEquals("\u001b[32m\"v\"\u001b[0m\n", text(Reply.Bulk.of("v")));
        assertEquals("OK\n", text(new Reply.Status("OK")));
        assertEquals(
                "1) \u001b[32m\"a\"\u001b[0m\n2) \u001b[2m(nil)\u001b[0m\n",
                text(new Reply.Array(List.of(Reply.Bulk.of("a"), Reply.Nil.NIL))));
    }

    @Test
    void withoutColourTheOutputIsUnchanged() {
        assertEquals("(nil)\n", new String(new TerminalPrinter().format(Reply.Nil.NIL), StandardCharsets.UTF_8));
        assertEquals("(nil)\n", new String(new TerminalPrinter(false).format(Reply.Nil.NIL), StandardCharsets.UTF_8));
    }

    @Test
    void colourIsOnForATerminalUnlessNoColorOrTheFlagSaysOtherwise() {
        assertTrue(Cli.useColour(null, true, null));
        assertTrue(Cli.useColour(null, true, ""), "NO_COLOR set to the empty string does not count");
        assertFalse(Cli.useColour(null, true, "1"));
        assertFalse(Cli.useColour(null, false, null), "a pipe");
        assertFalse(Cli.useColour(false, true, null));
        assertTrue(Cli.useColour(true, false, "1"), "--color wins over NO_COLOR and a pipe");
    }
}
