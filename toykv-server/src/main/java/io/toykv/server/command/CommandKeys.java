package io.toykv.server.command;

import java.util.Map;

/** Where a command's keys are, as COMMAND INFO gives it: first key, last key (-1: the last argument), step. */
final class CommandKeys {
    private static final int[] NONE = {0, 0, 0};
    private static final int[] ONE = {1, 1, 1};
    private static final int[] ALL = {1, -1, 1};
    private static final int[] PAIRS = {1, -1, 2};
    private static final int[] TWO = {1, 2, 1};

    private static final Map<String, int[]> BY_COMMAND = Map.ofEntries(
            Map.entry("get", ONE),
            Map.entry("set", ONE),
            Map.entry("put", ONE),
            Map.entry("strlen", ONE),
            Map.entry("type", ONE),
            Map.entry("incr", ONE),
            Map.entry("decr", ONE),
            Map.entry("incrby", ONE),
            Map.entry("decrby", ONE),
            Map.entry("incrbyfloat", ONE),
            Map.entry("append", ONE),
            Map.entry("getrange", ONE),
            Map.entry("substr", ONE),
            Map.entry("setrange", ONE),
            Map.entry("getdel", ONE),
            Map.entry("getset", ONE),
            Map.entry("setnx", ONE),
            Map.entry("setex", ONE),
            Map.entry("psetex", ONE),
            Map.entry("getex", ONE),
            Map.entry("expire", ONE),
            Map.entry("pexpire", ONE),
            Map.entry("expireat", ONE),
            Map.entry("pexpireat", ONE),
            Map.entry("ttl", ONE),
            Map.entry("pttl", ONE),
            Map.entry("expiretime", ONE),
            Map.entry("pexpiretime", ONE),
            Map.entry("persist", ONE),
            Map.entry("del", ALL),
            Map.entry("unlink", ALL),
            Map.entry("exists", ALL),
            Map.entry("mget", ALL),
            Map.entry("touch", ALL),
            Map.entry("mset", PAIRS),
            Map.entry("msetnx", PAIRS),
            Map.entry("rename", TWO),
            Map.entry("lcs", TWO),
            Map.entry("renamenx", TWO),
            Map.entry("copy", TWO),
            Map.entry("object", new int[] {2, 2, 1}));

    private CommandKeys() {}

    static int[] of(String command) {
        return BY_COMMAND.getOrDefault(command, NONE);
    }
}
