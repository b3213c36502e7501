package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.toykv.cli.resp.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerDocsTest {
    private static Reply fields(String summary, String since, String group) {
        return new Reply.Array(List.of(Reply.Bulk.of("summary"), Reply.Bulk.of(summary), Reply.Bulk.of("since"),
                Reply.Bulk.of(since), Reply.Bulk.of("group"), Reply.Bulk.of(group),
                Reply.Bulk.of("arguments"), new Reply.Array(List.of())));
    }

    /** As our server answers COMMAND DOCS over RESP2: name, fields, name, fields, ... */
    static final ServerDocs DOCS = ServerDocs.parse(new Reply.Array(List.of(
            Reply.Bulk.of("SET"), fields("Sets the value of a key.", "1.0.0", "string"),
            Reply.Bulk.of("strlen"), fields("Returns the length of a value.", "2.2.0", "string"),
            Reply.Bulk.of("ping"), fields("Returns the server's liveliness response.", "1.0.0", "connection"))));

    @Test
    void parsesTheResp2ShapeWithLowerCaseNamesInOrder() {
        assertEquals(List.of("ping", "set", "strlen"), DOCS.names());
        assertEquals(new ServerDocs.Doc("set", "Sets the value of a key.", "1.0.0", "string"), DOCS.lookup("Set"));
        assertEquals(List.of("connection", "string"), DOCS.groups());
    }

    @Test
    void parsesTheResp3Map() {
        ServerDocs docs = ServerDocs.parse(new Reply.Map(List.of(Reply.Bulk.of("get"),
                new Reply.Map(List.of(Reply.Bulk.of("summary"), Reply.Bulk.of("Returns the value of a key."))))));
        assertEquals(new ServerDocs.Doc("get", "Returns the value of a key.", "", ""), docs.lookup("GET"));
    }

    @Test
    void anErrorOrAnotherShapeIsNone() {
        assertSame(ServerDocs.NONE, ServerDocs.parse(new Reply.Error("ERR unknown command 'COMMAND'")));
        assertSame(ServerDocs.NONE, ServerDocs.parse(new Reply.Array(List.of(Reply.Bulk.of("get"), new Reply.Int(1)))));
    }

    @Test
    void helpForAServerCommand() {
        assertEquals("strlen\n  Returns the length of a value.\n  group: string  since: 2.2.0\n",
                Session.helpText("STRLEN", DOCS));
    }

    @Test
    void helpForAGroupListsItsCommandsAligned() {
        assertEquals("set     Sets the value of a key.\nstrlen  Returns the length of a value.\n",
                Session.helpText("@string", DOCS));
        assertEquals("No help for @hash; the groups are @connection, @string.\n", Session.helpText("@hash", DOCS));
    }

    @Test
    void clientCommandsKeepTheirOwnHelp() {
        assertEquals(CommandSpec.helpText("get"), Session.helpText("get", DOCS));
        assertEquals(CommandSpec.helpText(null)
                + "The server describes 3 commands: help COMMAND, or help @GROUP for @connection, @string.\n",
                Session.helpText(null, DOCS));
    }

    @Test
    void withoutServerDocsHelpFallsBackToTheClientsOwn() {
        assertEquals(CommandSpec.helpText(null), Session.helpText(null, ServerDocs.NONE));
        assertEquals("strlen is not a toykv-cli command; it is sent to the server as it is.\n",
                Session.helpText("strlen", ServerDocs.NONE));
        assertEquals("No help for @string: the server does not describe its commands (COMMAND DOCS).\n",
                Session.helpText("@string", ServerDocs.NONE));
        assertEquals("No help for frob: neither this client nor the server knows it; it is sent to the server as typed.\n",
                Session.helpText("frob", DOCS));
    }
}
