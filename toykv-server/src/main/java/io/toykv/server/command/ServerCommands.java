package io.toykv.server.command;

import io.toykv.server.resp.RespWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** COMMAND, CONFIG, INFO, DBSIZE, FLUSHDB, FLUSHALL and SHUTDOWN: commands about the server. */
final class ServerCommands {
    /** The Redis version whose protocol and replies the server follows (HELLO, INFO redis_version). */
    static final String REDIS_VERSION = "7.2.0";

    /** First key, last key, step (COMMAND INFO) for the commands that take keys. */
    private static final Map<String, int[]> KEY_POSITIONS = Map.of(
            "get", new int[] {1, 1, 1}, "set", new int[] {1, 1, 1}, "put", new int[] {1, 1, 1},
            "del", new int[] {1, -1, 1}, "unlink", new int[] {1, -1, 1}, "exists", new int[] {1, -1, 1},
            "mget", new int[] {1, -1, 1}, "mset", new int[] {1, -1, 2}, "strlen", new int[] {1, 1, 1},
            "type", new int[] {1, 1, 1});

    private final Keyspace keyspace;
    private final KeyspaceSet databases;
    private final ServerControl server;
    private final CommandTable table;
    private final Dispatcher.Stats stats;

    ServerCommands(Keyspace keyspace, KeyspaceSet databases, ServerControl server, CommandTable table,
            Dispatcher.Stats stats) {
        this.keyspace = keyspace;
        this.databases = databases;
        this.server = server;
        this.table = table;
        this.stats = stats;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec("command", -1, false, false, "server", "2.8.13",
                "Describes the commands: COMMAND [COUNT | DOCS [name ...] | INFO [name ...] | LIST].", this::command));
        t.add(new CommandSpec("config", -2, false, false, "server", "2.0.0",
                "Reads settings: CONFIG GET pattern [pattern ...].", this::config));
        t.add(new CommandSpec("info", -1, false, false, "server", "1.0.0",
                "Server facts and counters by section.", this::info));
        t.add(new CommandSpec("dbsize", 1, false, false, "server", "1.0.0", "Returns the number of keys.",
                c -> c.out().integer(keyspace.size())));
        t.add(new CommandSpec("flushdb", -1, false, true, "server", "1.0.0", "Removes every key of the selected database.",
                this::flush));
        t.add(new CommandSpec("shutdown", -1, false, false, "server", "1.0.0",
                "Stops the server: finishes commands in flight, closes the store, exits 0.", this::shutdown));
    }

    private void command(Call c) {
        RespWriter out = c.out();
        if (c.argc() == 1) {
            out.arrayHeader(table.size());
            for (CommandSpec spec : table.all()) {
                commandInfo(out, spec);
            }
            return;
        }
        switch (c.upper(1)) {
            case "COUNT" -> {
                ConnectionCommands.subArity(c, 2, "count");
                out.integer(table.size());
            }
            case "LIST" -> {
                out.arrayHeader(table.size());
                for (CommandSpec spec : table.all()) {
                    out.bulk(spec.name());
                }
            }
            case "INFO" -> {
                List<CommandSpec> specs = selected(c);
                out.arrayHeader(specs.size());
                for (CommandSpec spec : specs) {
                    if (spec == null) {
                        out.nullArray();
                    } else {
                        commandInfo(out, spec);
                    }
                }
            }
            case "DOCS" -> {
                List<CommandSpec> specs = new ArrayList<>(selected(c));
                specs.removeIf(s -> s == null);
                out.mapHeader(specs.size());
                for (CommandSpec spec : specs) {
                    out.bulk(spec.name());
                    List<CommandArguments.Arg> arguments = CommandArguments.of(spec.name());
                    out.mapHeader(arguments.isEmpty() ? 3 : 4);
                    out.bulk("summary").bulk(spec.summary());
                    out.bulk("since").bulk(spec.since().equals("toykv") ? "0.1.0" : spec.since());
                    out.bulk("group").bulk(spec.group());
                    if (!arguments.isEmpty()) {
                        out.bulk("arguments");
                        CommandArguments.write(out, arguments);
                    }
                }
            }
            default -> throw new ReplyException("ERR unknown subcommand '" + Args.printable(c.arg(1), 128)
                    + "'. Try COMMAND HELP.");
        }
    }

    /** The commands named after the subcommand (null for unknown names), or all of them. */
    private List<CommandSpec> selected(Call c) {
        List<CommandSpec> specs = new ArrayList<>();
        if (c.argc() == 2) {
            specs.addAll(table.all());
        } else {
            for (int i = 2; i < c.argc(); i++) {
                specs.add(table.lookup(c.arg(i)));
            }
        }
        return specs;
    }

    private static void commandInfo(RespWriter out, CommandSpec spec) {
        int[] keys = KEY_POSITIONS.getOrDefault(spec.name(), new int[] {0, 0, 0});
        out.arrayHeader(10);
        out.bulk(spec.name());
        out.integer(spec.arity());
        List<String> flags = new ArrayList<>();
        flags.add(spec.write() ? "write" : "readonly");
        if (spec.noAuth()) {
            flags.add("no_auth");
        }
        out.arrayHeader(flags.size());
        for (String f : flags) {
            out.simple(f);
        }
        out.integer(keys[0]).integer(keys[1]).integer(keys[2]);
        out.arrayHeader(1).simple("@" + spec.group());
        out.arrayHeader(0); // tips
        out.arrayHeader(0); // key specifications
        out.arrayHeader(0); // subcommands
    }

    private void config(Call c) {
        switch (c.upper(1)) {
            case "GET" -> {
                if (c.argc() < 3) {
                    throw new ReplyException(Dispatcher.wrongArity("config|get"));
                }
                Map<String, String> matched = new LinkedHashMap<>();
                for (int i = 2; i < c.argc(); i++) {
                    Glob glob = new Glob(c.string(i).toLowerCase(Locale.ROOT).getBytes(
                            java.nio.charset.StandardCharsets.UTF_8));
                    for (Map.Entry<String, String> e : server.config().entrySet()) {
                        if (glob.matches(Args.utf8(e.getKey()))) {
                            matched.put(e.getKey(), e.getValue());
                        }
                    }
                }
                c.out().mapHeader(matched.size());
                matched.forEach((k, v) -> c.out().bulk(k).bulk(v));
            }
            case "SET" -> throw new ReplyException("ERR Unknown option or number of arguments for CONFIG SET - '"
                    + (c.argc() > 2 ? Args.printable(c.arg(2), 128) : "") + "'");
            case "RESETSTAT" -> c.out().ok();
            default -> throw new ReplyException("ERR unknown subcommand '" + Args.printable(c.arg(1), 128)
                    + "'. Try CONFIG HELP.");
        }
    }

    private void info(Call c) {
        List<String> sections = new ArrayList<>();
        for (int i = 1; i < c.argc(); i++) {
            sections.add(c.string(i).toLowerCase(Locale.ROOT));
        }
        boolean all = sections.isEmpty() || sections.contains("all") || sections.contains("everything")
                || sections.contains("default");
        StringBuilder sb = new StringBuilder();
        if (all || sections.contains("server")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("redis_version", REDIS_VERSION);
            m.put("redis_mode", "standalone");
            m.putAll(server.serverInfo());
            section(sb, "Server", m);
        }
        if (all || sections.contains("clients")) {
            section(sb, "Clients", server.clientsInfo());
        }
        if (all || sections.contains("stats")) {
            Map<String, Object> m = new LinkedHashMap<>(server.statsInfo());
            m.put("total_commands_processed", stats.commandsProcessed().sum());
            m.put("total_error_replies", stats.errorReplies().sum());
            m.put("keyspace_hits", stats.keyspaceHits().sum());
            m.put("keyspace_misses", stats.keyspaceMisses().sum());
            section(sb, "Stats", m);
        }
        Map<String, Object> store = null;
        if (all || sections.contains("persistence")) {
            store = keyspace.stats();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loading", 0);
            m.put("aof_enabled", 1);
            m.put("appendfsync", server.config().get("appendfsync"));
            m.put("sync_mode", store.get("sync_mode"));
            // As Redis's aof_last_write_status: a background sync that failed (a full disk) and is retried.
            m.put("aof_last_write_status", store.getOrDefault("sync_last_status", "ok"));
            m.put("sync_failures", store.getOrDefault("sync_failures", 0L));
            m.put("sync_last_error", store.getOrDefault("sync_last_error", ""));
            section(sb, "Persistence", m);
        }
        if (all || sections.contains("keyspace")) {
            section(sb, "Keyspace", KeyspaceInfo.of(databases));
        }
        if (all || sections.contains("store")) {
            section(sb, "Store", store != null ? store : keyspace.stats());
        }
        c.out().verbatim(sb.toString());
    }

    private static void section(StringBuilder sb, String title, Map<String, Object> lines) {
        if (sb.length() > 0) {
            sb.append("\r\n");
        }
        sb.append("# ").append(title).append("\r\n");
        lines.forEach((k, v) -> sb.append(k).append(':').append(v).append("\r\n"));
    }

    private void flush(Call c) {
        checkFlushArguments(c);
        keyspace.clear();
        c.out().ok();
    }

    /** FLUSHDB's and FLUSHALL's: nothing, ASYNC or SYNC (both run at once here). */
    static void checkFlushArguments(Call c) {
        if (c.argc() > 2) {
            throw new ReplyException(Args.SYNTAX_ERROR);
        }
        if (c.argc() == 2 && !c.upper(1).equals("ASYNC") && !c.upper(1).equals("SYNC")) {
            throw new ReplyException(Args.SYNTAX_ERROR);
        }
    }

    private void shutdown(Call c) {
        for (int i = 1; i < c.argc(); i++) {
            switch (c.upper(i)) {
                case "NOSAVE", "SAVE", "NOW", "FORCE" -> { }
                case "ABORT" -> throw new ReplyException("ERR No shutdown in progress.");
                default -> throw new ReplyException(Args.SYNTAX_ERROR);
            }
        }
        // Like Redis, no reply: the connection closes once the server has stopped.
        c.session().closeAfterReply(true);
        server.requestShutdown("SHUTDOWN from client(" + c.session().id() + ")");
    }
}
