package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IntrospectionTest extends FixtureTest {
    /** Every field of Redis 7.2's CLIENT LIST line, in its order. */
    static final Pattern CLIENT_LINE = Pattern.compile("id=\\d+ addr=\\S+ laddr=\\S* fd=-?\\d+ name=\\S* age=\\d+ "
            + "idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+ "
            + "multi-mem=0 rbs=\\d+ rbp=\\d+ obl=0 oll=\\d+ omem=\\d+ tot-mem=\\d+ events=rw? cmd=\\S+ user=default "
            + "redir=-1 resp=[23] lib-name=\\S* lib-ver=\\S*");

    private static String bulkText(String reply) {
        return reply.substring(reply.indexOf("\r\n") + 2, reply.length() - 2);
    }

    @Test
    void clientInfoHasEveryRedisFieldWithTheCommandBeingRun() {
        f.call("CLIENT", "SETNAME", "me");
        String line = bulkText(f.call("CLIENT", "INFO")).trim();
        assertTrue(CLIENT_LINE.matcher(line).matches(), line);
        assertTrue(line.contains(" name=me "), line);
        assertTrue(line.contains(" cmd=client|info "), line);
        assertTrue(line.contains(" argv-mem=10 "), "CLIENT INFO's own arguments: " + line);
        assertTrue(line.contains(" qbuf=26 "), "the request being run, as Redis counts it: " + line);
    }

    @Test
    void clientListFiltersAndErrors() {
        assertEquals("-ERR syntax error\r\n", f.call("CLIENT", "LIST", "nope"));
        assertEquals("-ERR Unknown client type 'x'\r\n", f.call("CLIENT", "LIST", "TYPE", "x"));
        assertEquals("-ERR Invalid client ID\r\n", f.call("CLIENT", "LIST", "ID", "abc"));
        assertEquals("$0\r\n\r\n", f.call("CLIENT", "LIST", "TYPE", "pubsub"));
        assertEquals("-ERR client-id should be greater than 0\r\n", f.call("CLIENT", "KILL", "ID", "0"));
        assertEquals("-ERR No such user 'bob'\r\n", f.call("CLIENT", "KILL", "USER", "bob"));
        assertEquals("-ERR syntax error\r\n", f.call("CLIENT", "KILL", "SKIPME", "maybe"));
        assertEquals("-ERR No such client\r\n", f.call("CLIENT", "KILL", "ID"), "one argument: the old form's address");
        assertEquals("-ERR wrong number of arguments for 'client|kill' command\r\n", f.call("CLIENT", "KILL"));
        assertEquals("-ERR syntax error\r\n", f.call("CLIENT", "KILL", "ADDR", "a", "ID"));
        assertEquals("-ERR No such client\r\n", f.call("CLIENT", "KILL", "1.2.3.4:5"));
    }

    @Test
    void infoSectionsFollowRedisDefaultAndAll() {
        f.call("GET", "k");
        f.call("NOSUCH");
        f.call("GET");
        String defaults = f.call("INFO");
        for (String field : new String[] {
            "redis_version:",
            "used_memory:",
            "used_memory_human:",
            "used_cpu_user:",
            "used_cpu_sys:",
            "role:master",
            "connected_slaves:0",
            "master_repl_offset:0",
            "errorstat_ERR:count=2",
            "# Keyspace"
        }) {
            assertTrue(defaults.contains(field), field);
        }
        assertFalse(defaults.contains("cmdstat_"), "commandstats is not a default section");
        String all = f.call("INFO", "all");
        assertTrue(all.contains("cmdstat_get:calls=1,usec="), all);
        assertTrue(all.contains(",rejected_calls=1,failed_calls=0"), "GET with no key was refused: " + all);
        String cpu = f.call("INFO", "cpu", "commandSTATS");
        assertTrue(cpu.contains("used_cpu_user:") && cpu.contains("cmdstat_info:calls="), cpu);
        assertFalse(cpu.contains("used_memory"), cpu);
        assertEquals("+OK\r\n", f.call("CONFIG", "RESETSTAT"));
        assertFalse(f.call("INFO", "commandstats").contains("cmdstat_get"));
        assertFalse(f.call("INFO", "errorstats").contains("errorstat_ERR"));
    }

    @Test
    void latencystatsGivesThreePercentilesPerCommandThatRan() {
        f.call("SET", "k", "v");
        f.call("GET", "k");
        f.call("GET", "k");
        f.call("INCRBY"); // refused before running: no latency
        String latency = f.call("INFO", "latencystats");
        assertTrue(latency.contains("# Latencystats\r\n"), latency);
        Pattern get = Pattern.compile(
                "latency_percentiles_usec_get:p50=\\d+\\.\\d{3},p99=\\d+\\.\\d{3},p99\\.9=\\d+\\.\\d{3}\r\n");
        assertTrue(get.matcher(latency).find(), latency);
        assertTrue(latency.contains("latency_percentiles_usec_set:p50="), latency);
        assertFalse(latency.contains("usec_incrby"), latency);
        assertFalse(f.call("INFO").contains("Latencystats"), "not a default section");
        assertTrue(f.call("INFO", "everything").contains("latency_percentiles_usec_get:"));
        f.call("CONFIG", "RESETSTAT");
        assertFalse(f.call("INFO", "latencystats").contains("usec_get"));
    }

    @Test
    void failedCallsCountErrorsRepliedByTheCommand() {
        f.call("SET", "s", "text");
        f.call("INCR", "s");
        assertTrue(f.call("INFO", "commandstats").contains("cmdstat_incr:calls=1,"));
        assertTrue(f.call("INFO", "commandstats").contains("rejected_calls=0,failed_calls=1"));
    }

    @Test
    void commandListFilterByAndHelp() {
        assertEquals(
                "*2\r\n$6\r\nincrby\r\n$11\r\nincrbyfloat\r\n",
                f.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "INCRBY*"));
        assertEquals("*0\r\n", f.call("COMMAND", "LIST", "FILTERBY", "MODULE", "json"));
        assertEquals("*0\r\n", f.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcategory"));
        String strings = f.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "string");
        assertTrue(strings.contains("$6\r\nappend\r\n") && !strings.contains("$4\r\nping\r\n"), strings);
        assertEquals("-ERR syntax error\r\n", f.call("COMMAND", "LIST", "FILTERBY", "PATTERN"));
        assertEquals("-ERR syntax error\r\n", f.call("COMMAND", "LIST", "FILTERBY", "NAME", "x"));
        assertEquals("-ERR syntax error\r\n", f.call("COMMAND", "LIST", "x"));
        assertTrue(f.call("COMMAND", "HELP").startsWith("*17\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]."));
        assertTrue(f.call("CONFIG", "HELP").startsWith("*9\r\n+CONFIG <subcommand>"));
        f.session.protocol(3);
        assertEquals("*1\r\n_\r\n", f.call("COMMAND", "INFO", "nosuch"));
    }

    /** COMMAND INFO and COMMAND DOCS describe every registered command. */
    @Test
    void commandDocsAndInfoCoverEveryCommand() {
        for (CommandSpec spec : f.dispatcher.table().all()) {
            String info = f.call("COMMAND", "INFO", spec.name());
            assertTrue(info.startsWith("*1\r\n*10\r\n$" + spec.name().length() + "\r\n" + spec.name()), spec.name());
            String docs = f.call("COMMAND", "DOCS", spec.name());
            assertTrue(docs.contains("summary") && docs.contains("since") && docs.contains("group"), spec.name());
        }
    }
}
