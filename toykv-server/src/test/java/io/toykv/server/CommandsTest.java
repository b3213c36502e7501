package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command over a real socket, compared with the exact reply bytes Redis would send. */
class CommandsTest {
    @TempDir
    Path dir;

    ToykvServer server;
    RespClient c;

    @BeforeEach
    void start() throws IOException {
        server = TestServers.start(dir);
        c = new RespClient(server.port());
    }

    @AfterEach
    void stop() {
        c.close();
        server.close();
    }

    @Test
    void pingEchoAndSelect() throws IOException {
        assertEquals("+PONG\r\n", c.call("PING"));
        assertEquals("$2\r\nhi\r\n", c.call("ping", "hi"));
        assertEquals("-ERR wrong number of arguments for 'ping' command\r\n", c.call("PING", "a", "b"));
        assertEquals("$5\r\nhello\r\n", c.call("ECHO", "hello"));
        assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", c.call("ECHO"));
        assertEquals("+OK\r\n", c.call("SELECT", "0"));
        assertEquals("-ERR DB index is out of range\r\n", c.call("SELECT", "16"));
        assertEquals("-ERR value is not an integer or out of range\r\n", c.call("SELECT", "x"));
    }

    @Test
    void unknownCommandQuotesItsFirstArguments() throws IOException {
        assertEquals("-ERR unknown command 'foo', with args beginning with: 'a' 'b c' \r\n", c.call("foo", "a", "b c"));
        assertEquals("-ERR unknown command 'nope', with args beginning with: \r\n", c.call("nope"));
        assertEquals("+PONG\r\n", c.call("PING"), "the connection carries on after an unknown command");
    }

    @Test
    void getSetAndPut() throws IOException {
        assertEquals("$-1\r\n", c.call("GET", "k"));
        assertEquals("+OK\r\n", c.call("SET", "k", "v1"));
        assertEquals("$2\r\nv1\r\n", c.call("GET", "k"));
        assertEquals("+OK\r\n", c.call("PUT", "k", "v2"));
        assertEquals("$2\r\nv2\r\n", c.call("get", "k"));
        assertEquals("+OK\r\n", c.call("SET", "empty", ""));
        assertEquals("$0\r\n\r\n", c.call("GET", "empty"));
        assertEquals("-ERR wrong number of arguments for 'get' command\r\n", c.call("GET"));
        assertEquals("-ERR wrong number of arguments for 'set' command\r\n", c.call("SET", "k"));
        assertEquals("-ERR wrong number of arguments for 'put' command\r\n", c.call("PUT", "k"));
    }

    @Test
    void setOptionsNxXxGet() throws IOException {
        assertEquals("$-1\r\n", c.call("SET", "k", "a", "XX"));
        assertEquals("$-1\r\n", c.call("GET", "k"));
        assertEquals("+OK\r\n", c.call("SET", "k", "a", "NX"));
        assertEquals("$-1\r\n", c.call("SET", "k", "b", "nx"));
        assertEquals("+OK\r\n", c.call("SET", "k", "c", "XX"));
        assertEquals("$1\r\nc\r\n", c.call("SET", "k", "d", "GET"));
        assertEquals("$1\r\nd\r\n", c.call("SET", "k", "e", "NX", "GET"), "NX GET replies the old value, no write");
        assertEquals("$1\r\nd\r\n", c.call("GET", "k"));
        assertEquals("$-1\r\n", c.call("SET", "new", "x", "GET"));
        assertEquals("-ERR syntax error\r\n", c.call("SET", "k", "v", "NX", "XX"));
        assertEquals("-ERR syntax error\r\n", c.call("SET", "k", "v", "EX"));
        assertEquals("$1\r\nd\r\n", c.call("GET", "k"), "a refused SET changes nothing");
    }

    @Test
    void delUnlinkExists() throws IOException {
        c.call("MSET", "a", "1", "b", "2", "c", "3");
        assertEquals(":3\r\n", c.call("EXISTS", "a", "b", "a", "zz"), "a key given twice counts twice");
        assertEquals(":2\r\n", c.call("DEL", "a", "b", "zz"));
        assertEquals(":1\r\n", c.call("UNLINK", "c"));
        assertEquals(":0\r\n", c.call("DEL", "c"));
        assertEquals(":0\r\n", c.call("EXISTS", "a"));
        assertEquals("-ERR wrong number of arguments for 'del' command\r\n", c.call("DEL"));
        assertEquals("-ERR wrong number of arguments for 'exists' command\r\n", c.call("EXISTS"));
    }

    @Test
    void mgetMsetStrlenType() throws IOException {
        assertEquals("+OK\r\n", c.call("MSET", "a", "1", "b", "22"));
        assertEquals("*3\r\n$1\r\n1\r\n$-1\r\n$2\r\n22\r\n", c.call("MGET", "a", "x", "b"));
        assertEquals("-ERR wrong number of arguments for 'mset' command\r\n", c.call("MSET", "a", "1", "b"));
        assertEquals(":2\r\n", c.call("STRLEN", "b"));
        assertEquals(":0\r\n", c.call("STRLEN", "x"));
        assertEquals("+string\r\n", c.call("TYPE", "a"));
        assertEquals("+none\r\n", c.call("TYPE", "x"));
    }

    @Test
    void keysScanAndRange() throws IOException {
        c.call("MSET", "user:1", "a", "user:2", "b", "item:1", "c", "user:10", "d");
        assertEquals("*3\r\n$6\r\nuser:1\r\n$7\r\nuser:10\r\n$6\r\nuser:2\r\n", c.call("KEYS", "user:*"));
        assertEquals("*1\r\n$6\r\nitem:1\r\n", c.call("KEYS", "i*"));
        assertEquals("*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n", c.call("KEYS", "user:?"));
        assertEquals(
                "*2\r\n$1\r\n0\r\n*4\r\n$6\r\nitem:1\r\n$6\r\nuser:1\r\n$7\r\nuser:10\r\n$6\r\nuser:2\r\n",
                c.call("SCAN", "0"));
        assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", c.call("SCAN", "0", "TYPE", "hash"));
        assertEquals("-ERR invalid cursor\r\n", c.call("SCAN", "abc"));
        assertEquals("-ERR invalid cursor\r\n", c.call("SCAN", "12345"));
        assertEquals("-ERR syntax error\r\n", c.call("SCAN", "0", "COUNT", "0"));
        assertEquals("-ERR syntax error\r\n", c.call("SCAN", "0", "MATCH"));
        assertEquals(
                "*2\r\n$7\r\nuser:10\r\n*4\r\n$6\r\nitem:1\r\n$1\r\nc\r\n$6\r\nuser:1\r\n$1\r\na\r\n",
                c.call("RANGE", "", "", "LIMIT", "2"));
        assertEquals(
                "*2\r\n$-1\r\n*4\r\n$7\r\nuser:10\r\n$1\r\nd\r\n$6\r\nuser:2\r\n$1\r\nb\r\n",
                c.call("RANGE", "user:10", "", "LIMIT", "5"));
        assertEquals(
                "*2\r\n$-1\r\n*2\r\n$6\r\nuser:1\r\n$7\r\nuser:10\r\n", c.call("RANGE", "user:", "user:2", "NOVALUES"));
        assertEquals("-ERR LIMIT must be between 1 and 10000\r\n", c.call("RANGE", "", "", "LIMIT", "0"));
        assertEquals("-ERR syntax error\r\n", c.call("RANGE", "", "", "BOGUS"));
    }

    @Test
    void scanWithSmallCountVisitsEveryKeyOnce() throws IOException {
        for (int i = 0; i < 95; i++) {
            c.call("SET", "k" + i, "v");
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            String reply = c.call("SCAN", cursor, "COUNT", "7");
            String[] lines = reply.split("\r\n");
            cursor = lines[2];
            for (int i = 5; i < lines.length; i += 2) {
                assertTrue(seen.add(lines[i]), "returned twice: " + lines[i]);
            }
            assertTrue(++calls < 100, "scan does not end");
        } while (!cursor.equals("0"));
        assertEquals(95, seen.size());
        assertEquals(14, calls);
    }

    @Test
    void dbsizeFlushdbFlushall() throws IOException {
        c.call("MSET", "a", "1", "b", "2");
        assertEquals(":2\r\n", c.call("DBSIZE"));
        assertEquals("+OK\r\n", c.call("FLUSHDB"));
        assertEquals(":0\r\n", c.call("DBSIZE"));
        c.call("SET", "a", "1");
        assertEquals("+OK\r\n", c.call("FLUSHALL", "ASYNC"));
        assertEquals(":0\r\n", c.call("DBSIZE"));
        assertEquals("-ERR syntax error\r\n", c.call("FLUSHDB", "LATER"));
        assertEquals("-ERR wrong number of arguments for 'dbsize' command\r\n", c.call("DBSIZE", "x"));
    }

    @Test
    void clientSubcommands() throws IOException {
        assertEquals("$-1\r\n", c.call("CLIENT", "GETNAME"));
        assertEquals("+OK\r\n", c.call("CLIENT", "SETNAME", "worker-1"));
        assertEquals("$8\r\nworker-1\r\n", c.call("CLIENT", "GETNAME"));
        assertEquals(
                "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
                c.call("CLIENT", "SETNAME", "a b"));
        assertEquals("+OK\r\n", c.call("CLIENT", "SETINFO", "LIB-NAME", "jedis"));
        assertEquals("-ERR Unrecognized option 'color'\r\n", c.call("CLIENT", "SETINFO", "color", "red"));
        assertTrue(c.call("CLIENT", "ID").matches(":\\d+\r\n"));
        assertEquals("-ERR unknown subcommand 'frob'. Try CLIENT HELP.\r\n", c.call("CLIENT", "frob"));
        assertEquals("-ERR wrong number of arguments for 'client|setname' command\r\n", c.call("CLIENT", "SETNAME"));
        assertEquals("-ERR wrong number of arguments for 'client' command\r\n", c.call("CLIENT"));
    }

    @Test
    void helloSwitchesToResp3() throws IOException {
        String hello = c.call("HELLO", "3");
        assertTrue(
                hello.startsWith("%7\r\n$6\r\nserver\r\n$5\r\ntoykv\r\n$7\r\nversion\r\n$5\r\n7.2.0\r\n"
                        + "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:"),
                hello);
        assertTrue(
                hello.endsWith("$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                        + "$7\r\nmodules\r\n*0\r\n"),
                hello);
        assertEquals("_\r\n", c.call("GET", "missing"), "RESP3 null");
        assertEquals("%1\r\n$11\r\nappendfsync\r\n$8\r\neverysec\r\n", c.call("CONFIG", "GET", "appendfsync"));
        assertTrue(c.call("INFO", "keyspace").equals("=16\r\ntxt:# Keyspace\r\n\r\n"));
        assertTrue(c.call("HELLO", "2").startsWith("*14\r\n"));
        assertEquals("$-1\r\n", c.call("GET", "missing"));
        assertEquals("-NOPROTO unsupported protocol version\r\n", c.call("HELLO", "4"));
        assertEquals("-ERR Protocol version is not an integer or out of range\r\n", c.call("HELLO", "x"));
        assertEquals("-ERR Syntax error in HELLO option 'bogus'\r\n", c.call("HELLO", "3", "bogus"));
    }

    @Test
    void authWithoutPasswordConfigured() throws IOException {
        assertEquals(
                "-ERR AUTH <password> called without any password configured for the default user. "
                        + "Are you sure your configuration is correct?\r\n",
                c.call("AUTH", "secret"));
    }

    @Test
    void commandCountDocsInfoAndConfig() throws IOException {
        String count = c.call("COMMAND", "COUNT");
        assertTrue(count.matches(":\\d+\r\n"), count);
        assertEquals(
                "*2\r\n$3\r\nget\r\n*8\r\n$7\r\nsummary\r\n$27\r\nReturns the value of a key.\r\n"
                        + "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n"
                        + "$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n",
                c.call("COMMAND", "DOCS", "get"));
        assertEquals(
                "*2\r\n$6\r\ndbsize\r\n*6\r\n$7\r\nsummary\r\n$27\r\nReturns the number of keys.\r\n"
                        + "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n",
                c.call("COMMAND", "DOCS", "dbsize"));
        assertEquals(
                "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*2\r\n+@read\r\n"
                        + "+@string\r\n*0\r\n*0\r\n*0\r\n",
                c.call("COMMAND", "INFO", "get"));
        assertEquals("*1\r\n$-1\r\n", c.call("COMMAND", "INFO", "nosuch"), "Redis's addReplyNull: a null bulk");
        String all = c.call("COMMAND");
        assertTrue(all.startsWith("*" + count.substring(1, count.length() - 2) + "\r\n"), all);
        assertEquals(
                "*4\r\n$4\r\nsave\r\n$0\r\n\r\n$11\r\nappendfsync\r\n$8\r\neverysec\r\n",
                c.call("CONFIG", "GET", "save", "appendfsync"));
        assertEquals("*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n", c.call("CONFIG", "GET", "append*y"));
        assertEquals("*0\r\n", c.call("CONFIG", "GET", "nosuch"));
        assertEquals(
                "-ERR CONFIG SET failed (possibly related to argument 'save') - toykv's settings are fixed at start"
                        + " (see toykv-server --help)\r\n",
                c.call("CONFIG", "SET", "save", ""),
                "a setting CONFIG GET shows");
        assertEquals(
                "-ERR CONFIG SET failed (possibly related to argument 'MaxMemory') - toykv's settings are fixed at"
                        + " start (see toykv-server --help)\r\n",
                c.call("CONFIG", "SET", "MaxMemory", "bla"));
        assertEquals(
                "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
                c.call("CONFIG", "SET", "nosuch", "1"));
        assertEquals("-ERR wrong number of arguments for 'config|set' command\r\n", c.call("CONFIG", "SET", "save"));
        assertEquals(
                "-ERR wrong number of arguments for 'config|set' command\r\n",
                c.call("CONFIG", "SET", "save", "", "maxmemory"));
        assertEquals("-ERR unknown subcommand 'bogus'. Try CONFIG HELP.\r\n", c.call("CONFIG", "bogus"));
    }

    @Test
    void commandDocsGivesOptionTokensAndFlags() throws IOException {
        String docs = c.call("COMMAND", "DOCS", "scan");
        String option = "*8\r\n$4\r\nname\r\n$%d\r\n%s\r\n$4\r\ntype\r\n$%d\r\n%s\r\n$5\r\ntoken\r\n"
                + "$%d\r\n%s\r\n$5\r\nflags\r\n*1\r\n+optional\r\n";
        String arguments = "$9\r\narguments\r\n*4\r\n"
                + "*4\r\n$4\r\nname\r\n$6\r\ncursor\r\n$4\r\ntype\r\n$7\r\ninteger\r\n"
                + String.format(option, 7, "pattern", 7, "pattern", 5, "MATCH")
                + String.format(option, 5, "count", 7, "integer", 5, "COUNT")
                + String.format(option, 4, "type", 6, "string", 4, "TYPE");
        assertTrue(docs.startsWith("*2\r\n$4\r\nscan\r\n*8\r\n$7\r\nsummary\r\n"), docs);
        assertTrue(docs.endsWith("$5\r\ngroup\r\n$7\r\ngeneric\r\n" + arguments), docs);
        // SET's NX and XX are a oneof inside it, as in Redis.
        String set = c.call("COMMAND", "DOCS", "set");
        assertTrue(
                set.contains("$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n"
                        + "*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n"
                        + "$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n"),
                set);
    }

    @Test
    void infoHasEverySection() throws IOException {
        c.call("SET", "a", "1");
        String info = c.call("INFO");
        for (String s : new String[] {
            "# Server",
            "# Clients",
            "# Stats",
            "# Persistence",
            "# Keyspace",
            "# Store",
            "redis_version:7.2.0",
            "connected_clients:1",
            "db0:keys=1,expires=0,avg_ttl=0",
            "live_keys:1",
            "aof_last_write_status:ok",
            "sync_failures:0",
            "sync_last_status:ok"
        }) {
            assertTrue(info.contains(s), s + " missing from " + info);
        }
        assertTrue(c.call("INFO", "clients").contains("connected_clients:1"));
        assertEquals("$0\r\n\r\n", c.call("INFO", "nosuchsection"));
    }

    @Test
    void quitRepliesThenCloses() throws IOException {
        assertEquals("+OK\r\n", c.call("QUIT"));
        assertTrue(c.closedByServer());
    }

    @Test
    void badKeyIsAnErrorAndTheConnectionCarriesOn() throws IOException {
        assertEquals("-ERR key of 1025 bytes exceeds maxKeySize 1024\r\n", c.call("SET", "k".repeat(1025), "v"));
        assertEquals(
                "-ERR key of 1025 bytes exceeds maxKeySize 1024\r\n", c.call("MSET", "ok", "1", "k".repeat(1025), "2"));
        assertEquals("$-1\r\n", c.call("GET", "ok"), "MSET with a bad pair writes nothing");
        assertEquals("+PONG\r\n", c.call("PING"));
    }

    @Test
    void theEmptyKeyIsAKeyLikeAnyOther() throws IOException {
        assertEquals("$-1\r\n", c.call("GET", ""));
        assertEquals(":0\r\n", c.call("EXISTS", ""));
        assertEquals("+OK\r\n", c.call("SET", "", "v"));
        assertEquals("$1\r\nv\r\n", c.call("GET", ""));
        assertEquals(":1\r\n", c.call("EXISTS", ""));
        assertEquals(":1\r\n", c.call("INCR", "n"));
        assertEquals("+OK\r\n", c.call("MSET", "", "w", "a", "1"));
        assertEquals("*2\r\n$1\r\nw\r\n$1\r\n1\r\n", c.call("MGET", "", "a"));
        assertEquals(":1\r\n", c.call("DEL", ""));
        assertEquals("$-1\r\n", c.call("GET", ""));
    }

    @Test
    void inlineCommandsWithQuotes() throws IOException {
        c.send("SET greeting \"hello world\\n\"\r\n");
        assertEquals("+OK\r\n", c.readReply());
        c.send("GET greeting\n");
        assertEquals("$12\r\nhello world\n\r\n", c.readReply());
        c.send("\r\n\r\nPING\r\n");
        assertEquals("+PONG\r\n", c.readReply(), "empty lines are skipped");
        c.send("SET a 'b\r\n");
        assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n", c.readReply());
        assertTrue(c.closedByServer());
    }
}
