package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.toykv.resp.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerDocsTest {
    private static Reply fields(String summary, String since, String group) {
        return new Reply.Array(List.of(
                Reply.Bulk.of("summary"),
                Reply.Bulk.of(summary),
                Reply.Bulk.of("since"),
                Reply.Bulk.of(since),
                Reply.Bulk.of("group"),
                Reply.Bulk.of(group),
                Reply.Bulk.of("arguments"),
                new Reply.Array(List.of())));
    }

    /** As our server answers COMMAND DOCS over RESP2: name, fields, name, fields, ... */
    static final ServerDocs DOCS = ServerDocs.parse(new Reply.Array(List.of(
            Reply.Bulk.of("SET"), fields("Sets the value of a key.", "1.0.0", "string"),
            Reply.Bulk.of("strlen"), fields("Returns the length of a value.", "2.2.0", "string"),
            Reply.Bulk.of("ping"), fields("Returns the server's liveliness response.", "1.0.0", "connection"))));

    /** One argument as Redis 7 describes it, RESP2-flat: name, type, then token, flags, arguments if given. */
    static Reply argument(String name, String type, String token, List<String> flags, Reply... inner) {
        List<Reply> items = new java.util.ArrayList<>(
                List.of(Reply.Bulk.of("name"), Reply.Bulk.of(name), Reply.Bulk.of("type"), Reply.Bulk.of(type)));
        if (token != null) {
            items.addAll(List.of(Reply.Bulk.of("token"), Reply.Bulk.of(token)));
        }
        if (!flags.isEmpty()) {
            items.add(Reply.Bulk.of("flags"));
            items.add(new Reply.Array(
                    flags.stream().<Reply>map(f -> new Reply.Status(f)).toList()));
        }
        if (inner.length > 0) {
            items.add(Reply.Bulk.of("arguments"));
            items.add(new Reply.Array(List.of(inner)));
        }
        return new Reply.Array(items);
    }

    /** SET with KEEPTTL (which our own table lacks) and MSET, as a Redis 7 server describes them. */
    static final ServerDocs WITH_ARGUMENTS = ServerDocs.parse(new Reply.Array(List.of(
            Reply.Bulk.of("set"),
                    new Reply.Array(List.of(
                            Reply.Bulk.of("summary"),
                            Reply.Bulk.of("Sets a key."),
                            Reply.Bulk.of("arguments"),
                            new Reply.Array(List.of(
                                    argument("key", "key", null, List.of()),
                                    argument("value", "string", null, List.of()),
                                    argument(
                                            "condition",
                                            "oneof",
                                            null,
                                            List.of("optional"),
                                            argument("nx", "pure-token", "NX", List.of()),
                                            argument("xx", "pure-token", "XX", List.of())),
                                    argument("get", "pure-token", "GET", List.of("optional")),
                                    argument("keepttl", "pure-token", "KEEPTTL", List.of("optional")))))),
            Reply.Bulk.of("mset"),
                    new Reply.Array(List.of(
                            Reply.Bulk.of("summary"),
                            Reply.Bulk.of("Sets keys."),
                            Reply.Bulk.of("arguments"),
                            new Reply.Array(List.of(argument(
                                    "data",
                                    "block",
                                    null,
                                    List.of("multiple"),
                                    argument("key", "key", null, List.of()),
                                    argument("value", "string", null, List.of())))))),
            Reply.Bulk.of("scan"),
                    new Reply.Array(List.of(
                            Reply.Bulk.of("summary"),
                            Reply.Bulk.of("Iterates."),
                            Reply.Bulk.of("arguments"),
                            new Reply.Array(List.of(
                                    argument("cursor", "integer", null, List.of()),
                                    argument("pattern", "pattern", "MATCH", List.of("optional")),
                                    argument("count", "integer", "COUNT", List.of("optional")))))))));

    @Test
    void theArgumentsGiveOptionTokensWhereTheyMayComeAndAUsageLine() {
        ServerDocs.Doc set = WITH_ARGUMENTS.lookup("SET");
        assertEquals(List.of("NX", "XX", "GET", "KEEPTTL"), set.tokens());
        assertEquals("key value [NX | XX] [GET] [KEEPTTL]", set.usage());
        assertEquals(3, set.optionsFrom());
        ServerDocs.Doc scan = WITH_ARGUMENTS.lookup("scan");
        assertEquals("cursor [MATCH pattern] [COUNT count]", scan.usage());
        assertEquals(2, scan.optionsFrom());
        assertEquals(
                new ServerDocs.Doc("mset", "Sets keys.", "", "", List.of(), "key value [key value ...]", 1),
                WITH_ARGUMENTS.lookup("mset"));
    }

    @Test
    void parsesTheResp2ShapeWithLowerCaseNamesInOrder() {
        assertEquals(List.of("ping", "set", "strlen"), DOCS.names());
        assertEquals(new ServerDocs.Doc("set", "Sets the value of a key.", "1.0.0", "string"), DOCS.lookup("Set"));
        assertEquals(List.of("connection", "string"), DOCS.groups());
    }

    @Test
    void parsesTheResp3Map() {
        ServerDocs docs = ServerDocs.parse(new Reply.Map(List.of(
                Reply.Bulk.of("get"),
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
        assertEquals(
                "strlen\n  Returns the length of a value.\n  group: string  since: 2.2.0\n",
                ClientSession.helpText("STRLEN", DOCS));
    }

    @Test
    void helpForAGroupListsItsCommandsAligned() {
        assertEquals(
                "set     Sets the value of a key.\nstrlen  Returns the length of a value.\n",
                ClientSession.helpText("@string", DOCS));
        assertEquals(
                "No help for @hash; the groups are @connection, @string.\n", ClientSession.helpText("@hash", DOCS));
    }

    @Test
    void clientCommandsKeepTheirOwnHelp() {
        assertEquals(KnownCommand.helpText("get"), ClientSession.helpText("get", DOCS));
        assertEquals(
                KnownCommand.helpText(null)
                        + "The server describes 3 commands: help COMMAND, or help @GROUP for @connection, @string.\n",
                ClientSession.helpText(null, DOCS));
    }

    @Test
    void withoutServerDocsHelpFallsBackToTheClientsOwn() {
        assertEquals(KnownCommand.helpText(null), ClientSession.helpText(null, ServerDocs.NONE));
        assertEquals(
                "strlen is not a toykv-cli command; it is sent to the server as it is.\n",
                ClientSession.helpText("strlen", ServerDocs.NONE));
        assertEquals(
                "No help for @string: the server does not describe its commands (COMMAND DOCS).\n",
                ClientSession.helpText("@string", ServerDocs.NONE));
        assertEquals(
                "No help for frob: neither this client nor the server knows it; it is sent to the server as typed.\n",
                ClientSession.helpText("frob", DOCS));
    }
}
