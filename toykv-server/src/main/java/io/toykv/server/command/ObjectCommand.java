package io.toykv.server.command;

/**
 * OBJECT ENCODING, FREQ, IDLETIME, REFCOUNT and HELP. Every value is a string, so ENCODING names the
 * encoding Redis would give the value: {@code raw} for one APPEND or SETRANGE changed in place
 * ({@link RawEncodedValues}), else by its text: {@code int} for a 64-bit decimal integer of at most 20
 * characters, {@code embstr} up to 44 bytes, {@code raw} past that. REFCOUNT is 1 (values are never
 * shared). FREQ answers Redis's error for a server without an LFU policy, which this server is; IDLETIME
 * answers an error, since access times are not kept. A missing key is a null reply, per protocol.
 */
final class ObjectCommand {
    static final String LFU_NOT_SELECTED = "ERR An LFU maxmemory policy is not selected, access frequency not "
            + "tracked. Please note that when switching between policies at runtime LRU and LFU data will take "
            + "some time to adjust.";
    static final String IDLE_NOT_TRACKED = "ERR idle time is not tracked: this server keeps no access times";
    private final Keyspace keyspace;
    private final RawEncodedValues rawValues;

    ObjectCommand(Keyspace keyspace, RawEncodedValues rawValues) {
        this.keyspace = keyspace;
        this.rawValues = rawValues;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "object",
                -2,
                false,
                false,
                "generic",
                "2.2.3",
                "Inspects the internals of a value: ENCODING, FREQ, IDLETIME, REFCOUNT.",
                this::object));
    }

    private void object(Call c) {
        String sub = c.upper(1);
        if (sub.equals("HELP") && c.argc() == 2) {
            Args.help(
                    c,
                    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "ENCODING <key>",
                    "    Return the kind of internal representation used in order to store the value",
                    "    associated with a <key>.",
                    "FREQ <key>",
                    "    Return the access frequency index of the <key>. The returned integer is",
                    "    proportional to the logarithm of the recent access frequency of the key.",
                    "IDLETIME <key>",
                    "    Return the idle time of the <key>, that is the approximated number of",
                    "    seconds elapsed since the last access to the key.",
                    "REFCOUNT <key>",
                    "    Return the number of references of the value associated with the specified",
                    "    <key>.",
                    "HELP",
                    "    Print this help.");
            return;
        }
        boolean known =
                sub.equals("ENCODING") || sub.equals("FREQ") || sub.equals("IDLETIME") || sub.equals("REFCOUNT");
        if (!known || c.argc() != 3) {
            throw new ReplyException(Args.subcommandSyntaxError(c));
        }
        byte[] value = keyspace.get(c.arg(2));
        if (value == null) {
            c.out().nullBulk();
            return;
        }
        switch (sub) {
            case "ENCODING" ->
                c.out()
                        .bulk(
                                rawValues.isRaw(SelectedKeyspace.currentDatabase(), c.arg(2), value)
                                        ? "raw"
                                        : encoding(value));
            case "REFCOUNT" -> c.out().integer(1);
            case "FREQ" -> throw new ReplyException(LFU_NOT_SELECTED);
            default -> throw new ReplyException(IDLE_NOT_TRACKED);
        }
    }

    static String encoding(byte[] value) {
        if (value.length <= 20) {
            try {
                Args.parseLong(value);
                return "int";
            } catch (ReplyException notAnInteger) {
                // text, not a number
            }
        }
        return value.length <= RawEncodedValues.SHORT ? "embstr" : "raw";
    }
}
