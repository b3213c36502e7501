package io.toykv.server.command;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every command by lower-case name, in registration order. Filled once, then only read.
 *
 * <p>{@link #lookup(byte[])} runs for every request, so it matches the request's bytes against an
 * open-addressing table of the names' bytes, case-folding ASCII as it goes, without allocating.
 */
public final class CommandTable {
    private static final int MAX_NAME = 32;

    private final Map<String, CommandSpec> byName = new LinkedHashMap<>();
    // Linear probing; at most half full. slotNames[i] is slots[i].name() in bytes, or null if free.
    private byte[][] slotNames = new byte[64][];
    private CommandSpec[] slots = new CommandSpec[64];

    void add(CommandSpec spec) {
        if (spec.name().length() > MAX_NAME || !spec.name().equals(spec.name().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                    "command names are lower-case, at most " + MAX_NAME + " characters: " + spec.name());
        }
        if (byName.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalArgumentException("command registered twice: " + spec.name());
        }
        if (2 * byName.size() > slots.length) {
            slotNames = new byte[slots.length * 2][];
            slots = new CommandSpec[slots.length * 2];
            byName.values().forEach(this::place);
        } else {
            place(spec);
        }
    }

    private void place(CommandSpec spec) {
        byte[] name = spec.name().getBytes(StandardCharsets.ISO_8859_1);
        int mask = slots.length - 1;
        int i = foldedHash(name) & mask;
        while (slotNames[i] != null) {
            i = (i + 1) & mask;
        }
        slotNames[i] = name;
        slots[i] = spec;
    }

    /** The command named by {@code name} in any case, or null. */
    public CommandSpec lookup(byte[] name) {
        if (name.length > MAX_NAME) {
            return null;
        }
        int mask = slots.length - 1;
        for (int i = foldedHash(name) & mask; slotNames[i] != null; i = (i + 1) & mask) {
            if (equalsFolded(name, slotNames[i])) {
                return slots[i];
            }
        }
        return null;
    }

    private static int fold(byte b) {
        int c = b & 0xff;
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    private static int foldedHash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = 31 * h + fold(b);
        }
        return h ^ (h >>> 16);
    }

    /** {@code lower} is lower-case already. */
    private static boolean equalsFolded(byte[] name, byte[] lower) {
        if (name.length != lower.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (fold(name[i]) != (lower[i] & 0xff)) {
                return false;
            }
        }
        return true;
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
