package io.toykv.server.command;

import io.toykv.resp.ReplyWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** COMMAND, CONFIG, INFO, DBSIZE, FLUSHDB, SAVE and SHUTDOWN: commands about the server. */
final class ServerCommands {
    /** The Redis version whose protocol and replies the server follows (HELLO, INFO redis_version). */
    static final String REDIS_VERSION = "7.2.0";

    private final CommandKeyspace keyspace;
    private final KeyspaceSet databases;
    private final ServerControl server;
    private final CommandTable table;
    private final Dispatcher.Stats stats;
    private final InfoSections sections = new InfoSections();

    ServerCommands(
            CommandKeyspace keyspace,
            KeyspaceSet databases,
            ServerControl server,
            CommandTable table,
            Dispatcher.Stats stats) {
        this.keyspace = keyspace;
        this.databases = databases;
        this.server = server;
        this.table = table;
        this.stats = stats;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "command",
                -1,
                false,
                false,
                "server",
                "2.8.13",
                "Describes the commands: COMMAND [COUNT | DOCS [name ...] | INFO [name ...] | LIST].",
                this::command));
        t.add(new CommandSpec(
                "config",
                -2,
                false,
                false,
                "server",
                "2.0.0",
                "Reads settings: CONFIG GET pattern [pattern ...].",
                this::config));
        t.add(new CommandSpec(
                "info", -1, false, false, "server", "1.0.0", "Server facts and counters by section.", this::info));
        t.add(new CommandSpec(
                "dbsize",
                1,
                false,
                false,
                "server",
                "1.0.0",
                "Returns the number of keys.",
                c -> c.out().integer(keyspace.size())));
        t.add(new CommandSpec(
                "flushdb",
                -1,
                false,
                true,
                "server",
                "1.0.0",
                "Removes every key of the selected database.",
                this::flush));
        t.add(new CommandSpec(
                "save",
                1,
                false,
                false,
                "server",
                "1.0.0",
                "Forces every write made so far to the disk, in every database that holds keys.",
                this::save));
        t.add(new CommandSpec(
                "shutdown",
                -1,
                false,
                false,
                "server",
                "1.0.0",
                "Stops the server: finishes commands in flight, closes the store, exits 0.",
                this::shutdown));
    }

    private void command(Call c) {
        ReplyWriter out = c.out();
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
                List<String> names = CommandFilter.parse(c).select(table.all());
                out.arrayHeader(names.size());
                names.forEach(out::bulk);
            }
            case "HELP" ->
                Args.help(
                        c,
                        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                        "(no subcommand)",
                        "    Return details about all Redis commands.",
                        "COUNT",
                        "    Return the total number of commands in this Redis server.",
                        "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
                        "    Return a list of all commands in this Redis server.",
                        "INFO [<command-name> ...]",
                        "    Return details about multiple Redis commands.",
                        "    If no command names are given, documentation details for all",
                        "    commands are returned.",
                        "DOCS [<command-name> ...]",
                        "    Return documentation details about multiple Redis commands.",
                        "    If no command names are given, documentation details for all",
                        "    commands are returned.",
                        "HELP",
                        "    Print this help.");
            case "INFO" -> {
                List<CommandSpec> specs = selected(c);
                out.arrayHeader(specs.size());
                for (CommandSpec spec : specs) {
                    if (spec == null) {
                        out.nullBulk(); // Redis's addReplyNull: $-1 in RESP2, _ in RESP3
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
            default ->
                throw new ReplyException(
                        "ERR unknown subcommand '" + Args.printable(c.arg(1), 128) + "'. Try COMMAND HELP.");
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

    private static void commandInfo(ReplyWriter out, CommandSpec spec) {
        int[] keys = CommandKeys.of(spec.name());
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
        List<String> categories = CommandFilter.categories(spec);
        out.arrayHeader(categories.size());
        categories.forEach(category -> out.simple("@" + category));
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
                    Glob glob = new Glob(
                            c.string(i).toLowerCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    for (Map.Entry<String, String> e : server.config().entrySet()) {
                        if (glob.matches(Args.utf8(e.getKey()))) {
                            matched.put(e.getKey(), e.getValue());
                        }
                    }
                }
                c.out().mapHeader(matched.size());
                matched.forEach((k, v) -> c.out().bulk(k).bulk(v));
            }
            case "SET" -> configSet(c);
            case "RESETSTAT" -> {
                ConnectionCommands.subArity(c, 2, "resetstat");
                stats.commands().reset();
                stats.commandsProcessed().reset();
                stats.errorReplies().reset();
                stats.keyspaceHits().reset();
                stats.keyspaceMisses().reset();
                c.out().ok();
            }
            case "HELP" ->
                Args.help(
                        c,
                        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                        "GET <pattern>",
                        "    Return parameters matching the glob-like <pattern> and their values.",
                        "SET <directive> <value>",
                        "    Set the configuration <directive> to <value> (refused here: "
                                + "settings are fixed at start).",
                        "RESETSTAT",
                        "    Reset statistics reported by the INFO command.",
                        "HELP",
                        "    Print this help.");
            default ->
                throw new ReplyException(
                        "ERR unknown subcommand '" + Args.printable(c.arg(1), 128) + "'. Try CONFIG HELP.");
        }
    }

    /**
     * CONFIG SET: every setting is fixed at start, so a known one is refused as Redis refuses a value
     * it cannot apply, an unknown one as Redis refuses an unknown name.
     */
    private void configSet(Call c) {
        if (c.argc() < 4 || c.argc() % 2 != 0) {
            throw new ReplyException(Dispatcher.wrongArity("config|set"));
        }
        String name = Args.printable(c.arg(2), 128);
        if (!server.config().containsKey(c.string(2).toLowerCase(Locale.ROOT))) {
            throw new ReplyException("ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'");
        }
        throw new ReplyException("ERR CONFIG SET failed (possibly related to argument '" + name
                + "') - toykv's settings are fixed at start (see toykv-server --help)");
    }

    /** SAVE: the engine writes as it goes, so saving is forcing what was written to the device. */
    private void save(Call c) {
        for (int db = 0; db < databases.count(); db++) {
            if (databases.size(db) > 0) {
                databases.keyspace(db).sync();
            }
        }
        c.out().ok();
    }

    /** INFO's sections in Redis's order; {@code default} is all but commandstats and latencystats. */
    private static final List<String> SECTIONS = List.of(
            "server",
            "clients",
            "memory",
            "persistence",
            "stats",
            "replication",
            "cpu",
            "errorstats",
            "keyspace",
            "store",
            "commandstats",
            "latencystats");

    private static final List<String> NOT_DEFAULT = List.of("commandstats", "latencystats");

    private void info(Call c) {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (int i = 1; i < c.argc(); i++) {
            String section = c.string(i).toLowerCase(Locale.ROOT);
            switch (section) {
                case "all", "everything" -> wanted.addAll(SECTIONS);
                case "default" ->
                    SECTIONS.stream().filter(x -> !NOT_DEFAULT.contains(x)).forEach(wanted::add);
                default -> wanted.add(section);
            }
        }
        if (c.argc() == 1) {
            SECTIONS.stream().filter(x -> !NOT_DEFAULT.contains(x)).forEach(wanted::add);
        }
        StringBuilder sb = new StringBuilder();
        Map<String, Object> store = null;
        for (String name : SECTIONS) {
            if (!wanted.contains(name)) {
                continue;
            }
            if (store == null && (name.equals("memory") || name.equals("persistence") || name.equals("store"))) {
                store = keyspace.stats();
            }
            switch (name) {
                case "server" -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("redis_version", REDIS_VERSION);
                    m.put("redis_mode", "standalone");
                    m.putAll(server.serverInfo());
                    section(sb, "Server", m);
                }
                case "clients" -> section(sb, "Clients", server.clientsInfo());
                case "memory" ->
                    section(
                            sb,
                            "Memory",
                            sections.memory(
                                    store,
                                    server.clientsInfo().get("client_buffers_bytes") instanceof Number n
                                            ? n.longValue()
                                            : 0));
                case "persistence" -> section(sb, "Persistence", persistence(store));
                case "stats" -> {
                    Map<String, Object> m = new LinkedHashMap<>(server.statsInfo());
                    m.put("total_commands_processed", stats.commandsProcessed().sum());
                    m.put("total_error_replies", stats.errorReplies().sum());
                    m.put("keyspace_hits", stats.keyspaceHits().sum());
                    m.put("keyspace_misses", stats.keyspaceMisses().sum());
                    section(sb, "Stats", m);
                }
                case "replication" -> section(sb, "Replication", sections.replication());
                case "cpu" -> section(sb, "CPU", sections.cpu());
                case "errorstats" -> section(sb, "Errorstats", stats.commands().errorLines());
                case "commandstats" ->
                    section(sb, "Commandstats", stats.commands().commandLines());
                case "latencystats" ->
                    section(sb, "Latencystats", stats.commands().latencyLines());
                case "keyspace" -> section(sb, "Keyspace", KeyspaceInfo.of(databases.count(), keyspace::shown));
                default -> section(sb, "Store", store);
            }
        }
        c.out().verbatim(sb.toString());
    }

    private Map<String, Object> persistence(Map<String, Object> store) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loading", 0);
        m.put("aof_enabled", 1);
        m.put("appendfsync", server.config().get("appendfsync"));
        m.put("sync_mode", store.get("sync_mode"));
        // As Redis's aof_last_write_status: a background sync that failed (a full disk) and is retried.
        m.put("aof_last_write_status", store.getOrDefault("sync_last_status", "ok"));
        m.put("sync_failures", store.getOrDefault("sync_failures", 0L));
        m.put("sync_last_error", store.getOrDefault("sync_last_error", ""));
        return m;
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
                case "NOSAVE", "SAVE", "NOW", "FORCE" -> {}
                case "ABORT" -> throw new ReplyException("ERR No shutdown in progress.");
                default -> throw new ReplyException(Args.SYNTAX_ERROR);
            }
        }
        // Like Redis, no reply: the connection closes once the server has stopped.
        c.session().closeAfterReply(true);
        server.requestShutdown("SHUTDOWN from client(" + c.session().id() + ")");
    }
}
