package io.toykv.server.command;

import io.toykv.resp.ReplyWriter;
import java.util.List;
import java.util.Map;

/**
 * The {@code arguments} section of COMMAND DOCS, as Redis 7 gives it: for each argument its name, its
 * type ({@code key}, {@code string}, {@code integer}, {@code unix-time}, {@code pattern}, {@code pure-token}, {@code oneof},
 * {@code block}), the token that introduces an option ({@code NX}, {@code MATCH}, {@code LIMIT}), flags
 * ({@code optional}, {@code multiple}) and, for oneof and block, the arguments inside. Only what this
 * server accepts is listed; commands with subcommands (COMMAND, CONFIG, CLIENT) and those without
 * arguments have no section, as in Redis.
 */
final class CommandArguments {
    private CommandArguments() {}

    /** One argument; {@code token} is null when none introduces it. */
    record Arg(String name, String type, String token, boolean optional, boolean multiple, List<Arg> arguments) {
        /** The number of fields {@link #write} writes. */
        int fields() {
            return 2 + (token != null ? 1 : 0) + (optional || multiple ? 1 : 0) + (arguments.isEmpty() ? 0 : 1);
        }
    }

    private static Arg arg(String name, String type) {
        return new Arg(name, type, null, false, false, List.of());
    }

    private static Arg optional(Arg a) {
        return new Arg(a.name(), a.type(), a.token(), true, a.multiple(), a.arguments());
    }

    private static Arg multiple(Arg a) {
        return new Arg(a.name(), a.type(), a.token(), a.optional(), true, a.arguments());
    }

    private static Arg token(String token) {
        return new Arg(token.toLowerCase(java.util.Locale.ROOT), "pure-token", token, false, false, List.of());
    }

    private static Arg option(String name, String type, String token) {
        return new Arg(name, type, token, true, false, List.of());
    }

    private static Arg group(String name, String type, Arg... inside) {
        return new Arg(name, type, null, false, false, List.of(inside));
    }

    private static final List<Arg> SET = List.of(
            arg("key", "key"),
            arg("value", "string"),
            optional(group("condition", "oneof", token("NX"), token("XX"))),
            optional(token("GET")),
            optional(group(
                    "expiration",
                    "oneof",
                    option("seconds", "integer", "EX"),
                    option("milliseconds", "integer", "PX"),
                    option("unix-time-seconds", "unix-time", "EXAT"),
                    option("unix-time-milliseconds", "unix-time", "PXAT"),
                    token("KEEPTTL"))));
    private static final List<Arg> GETEX = List.of(
            arg("key", "key"),
            optional(group(
                    "expiration",
                    "oneof",
                    option("seconds", "integer", "EX"),
                    option("milliseconds", "integer", "PX"),
                    option("unix-time-seconds", "unix-time", "EXAT"),
                    option("unix-time-milliseconds", "unix-time", "PXAT"),
                    token("PERSIST"))));
    private static final Arg EXPIRE_CONDITION =
            optional(group("condition", "oneof", token("NX"), token("XX"), token("GT"), token("LT")));
    private static final List<Arg> KEYS = List.of(multiple(arg("key", "key")));
    private static final List<Arg> KEY = List.of(arg("key", "key"));
    private static final List<Arg> KEY_VALUE = List.of(arg("key", "key"), arg("value", "string"));
    private static final List<Arg> RANGE = List.of(arg("key", "key"), arg("start", "integer"), arg("end", "integer"));

    private static final Map<String, List<Arg>> BY_COMMAND = Map.ofEntries(
            Map.entry("get", KEY),
            Map.entry("strlen", KEY),
            Map.entry("type", KEY),
            Map.entry("set", SET),
            Map.entry("put", SET),
            Map.entry("getex", GETEX),
            Map.entry("setex", List.of(arg("key", "key"), arg("seconds", "integer"), arg("value", "string"))),
            Map.entry("psetex", List.of(arg("key", "key"), arg("milliseconds", "integer"), arg("value", "string"))),
            Map.entry("expire", List.of(arg("key", "key"), arg("seconds", "integer"), EXPIRE_CONDITION)),
            Map.entry("pexpire", List.of(arg("key", "key"), arg("milliseconds", "integer"), EXPIRE_CONDITION)),
            Map.entry("expireat", List.of(arg("key", "key"), arg("unix-time-seconds", "unix-time"), EXPIRE_CONDITION)),
            Map.entry(
                    "pexpireat",
                    List.of(arg("key", "key"), arg("unix-time-milliseconds", "unix-time"), EXPIRE_CONDITION)),
            Map.entry("ttl", KEY),
            Map.entry("pttl", KEY),
            Map.entry("expiretime", KEY),
            Map.entry("pexpiretime", KEY),
            Map.entry("persist", KEY),
            Map.entry("del", KEYS),
            Map.entry("unlink", KEYS),
            Map.entry("exists", KEYS),
            Map.entry("mget", KEYS),
            Map.entry("mset", List.of(multiple(group("data", "block", arg("key", "key"), arg("value", "string"))))),
            Map.entry("watch", KEYS),
            Map.entry("keys", List.of(arg("pattern", "pattern"))),
            Map.entry("incr", KEY),
            Map.entry("decr", KEY),
            Map.entry("getdel", KEY),
            Map.entry("incrby", List.of(arg("key", "key"), arg("increment", "integer"))),
            Map.entry("decrby", List.of(arg("key", "key"), arg("decrement", "integer"))),
            Map.entry("incrbyfloat", List.of(arg("key", "key"), arg("increment", "double"))),
            Map.entry("append", KEY_VALUE),
            Map.entry("getset", KEY_VALUE),
            Map.entry("setnx", KEY_VALUE),
            Map.entry("getrange", RANGE),
            Map.entry("substr", RANGE),
            Map.entry("setrange", List.of(arg("key", "key"), arg("offset", "integer"), arg("value", "string"))),
            Map.entry("setbit", List.of(arg("key", "key"), arg("offset", "integer"), arg("value", "integer"))),
            Map.entry("getbit", List.of(arg("key", "key"), arg("offset", "integer"))),
            Map.entry("msetnx", List.of(multiple(group("data", "block", arg("key", "key"), arg("value", "string"))))),
            Map.entry("rename", List.of(arg("key", "key"), arg("newkey", "key"))),
            Map.entry("renamenx", List.of(arg("key", "key"), arg("newkey", "key"))),
            Map.entry(
                    "copy",
                    List.of(
                            arg("source", "key"),
                            arg("destination", "key"),
                            option("destination-db", "integer", "DB"),
                            optional(token("REPLACE")))),
            Map.entry("touch", KEYS),
            Map.entry(
                    "lcs",
                    List.of(
                            arg("key1", "key"),
                            arg("key2", "key"),
                            optional(token("LEN")),
                            optional(token("IDX")),
                            option("min-match-len", "integer", "MINMATCHLEN"),
                            optional(token("WITHMATCHLEN")))),
            Map.entry(
                    "scan",
                    List.of(
                            arg("cursor", "integer"),
                            option("pattern", "pattern", "MATCH"),
                            option("count", "integer", "COUNT"),
                            option("type", "string", "TYPE"))),
            Map.entry(
                    "range",
                    List.of(
                            arg("start", "string"),
                            arg("end", "string"),
                            option("limit", "integer", "LIMIT"),
                            optional(token("NOVALUES")))),
            Map.entry("ping", List.of(optional(arg("message", "string")))),
            Map.entry("echo", List.of(arg("message", "string"))),
            Map.entry("select", List.of(arg("index", "integer"))),
            Map.entry("move", List.of(arg("key", "key"), arg("db", "integer"))),
            Map.entry("swapdb", List.of(arg("index1", "integer"), arg("index2", "integer"))),
            Map.entry("auth", List.of(optional(arg("username", "string")), arg("password", "string"))),
            Map.entry(
                    "hello",
                    List.of(optional(group(
                            "arguments",
                            "block",
                            arg("protover", "integer"),
                            optional(new Arg(
                                    "auth",
                                    "block",
                                    "AUTH",
                                    false,
                                    false,
                                    List.of(arg("username", "string"), arg("password", "string")))),
                            option("clientname", "string", "SETNAME"))))),
            Map.entry("info", List.of(optional(multiple(arg("section", "string"))))),
            Map.entry("flushdb", List.of(optional(group("flush-type", "oneof", token("ASYNC"), token("SYNC"))))),
            Map.entry("flushall", List.of(optional(group("flush-type", "oneof", token("ASYNC"), token("SYNC"))))),
            Map.entry(
                    "shutdown",
                    List.of(
                            optional(group("save-selector", "oneof", token("NOSAVE"), token("SAVE"))),
                            optional(token("NOW")),
                            optional(token("FORCE")),
                            optional(token("ABORT")))));

    /** A command's arguments; empty when it has no section. */
    static List<Arg> of(String command) {
        return BY_COMMAND.getOrDefault(command, List.of());
    }

    /** Writes an array of argument maps. */
    static void write(ReplyWriter out, List<Arg> args) {
        out.arrayHeader(args.size());
        for (Arg a : args) {
            out.mapHeader(a.fields());
            out.bulk("name").bulk(a.name());
            out.bulk("type").bulk(a.type());
            if (a.token() != null) {
                out.bulk("token").bulk(a.token());
            }
            if (a.optional() || a.multiple()) {
                out.bulk("flags").arrayHeader((a.optional() ? 1 : 0) + (a.multiple() ? 1 : 0));
                if (a.optional()) {
                    out.simple("optional");
                }
                if (a.multiple()) {
                    out.simple("multiple");
                }
            }
            if (!a.arguments().isEmpty()) {
                out.bulk("arguments");
                write(out, a.arguments());
            }
        }
    }
}
