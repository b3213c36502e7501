package io.toykv.server.command;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every command by lower-case name, in registration order. Filled once, then only read. */
public final class CommandTable {
    private final Map<String, CommandSpec> byName = new LinkedHashMap<>();

    void add(CommandSpec spec) {
        if (byName.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalArgumentException("command registered twice: " + spec.name());
        }
    }

    /** The command named by {@code name} in any case, or null. */
    public CommandSpec lookup(byte[] name) {
        if (name.length > 32) {
            return null;
        }
        char[] lower = new char[name.length];
        for (int i = 0; i < name.length; i++) {
            int c = name[i] & 0xff;
            lower[i] = (char) (c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        return byName.get(new String(lower));
    }

    public CommandSpec lookup(String name) {
        return lookup(name.getBytes(StandardCharsets.UTF_8));
    }

    public Collection<CommandSpec> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    public int size() {
        return byName.size();
    }
}
