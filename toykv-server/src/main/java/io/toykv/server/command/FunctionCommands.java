package io.toykv.server.command;

/**
 * FUNCTION with the subcommands that make sense on a server without scripting: FLUSH (there is never a
 * library to delete, so it checks its arguments and answers OK, as Redis does on an empty library set),
 * LIST (always empty) and HELP. Clients and Redis's own test runner call FUNCTION FLUSH when they reset a
 * server. LOAD, DELETE, CALL and the rest answer Redis's unknown-subcommand error.
 */
final class FunctionCommands {
    void register(CommandTable t) {
        t.add(new CommandSpec(
                "function",
                -2,
                false,
                false,
                "scripting",
                "7.0.0",
                "Function library commands: FLUSH and LIST (no library can be loaded here).",
                this::function));
    }

    private void function(Call c) {
        switch (c.upper(1)) {
            case "FLUSH" -> {
                if (c.argc() > 3) {
                    throw new ReplyException(Args.subcommandSyntaxError(c));
                }
                if (c.argc() == 3 && !c.upper(2).equals("SYNC") && !c.upper(2).equals("ASYNC")) {
                    throw new ReplyException("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
                }
                c.out().ok();
            }
            case "LIST" -> {
                for (int i = 2; i < c.argc(); i++) {
                    String option = c.upper(i);
                    if (option.equals("LIBRARYNAME") && i + 1 < c.argc()) {
                        i++;
                    } else if (!option.equals("WITHCODE")) {
                        throw new ReplyException("ERR Unknown argument " + c.string(i));
                    }
                }
                c.out().arrayHeader(0);
            }
            case "HELP" ->
                Args.help(
                        c,
                        "FUNCTION <subcommand> [<arg> ...]. Subcommands are:",
                        "FLUSH [ASYNC|SYNC]",
                        "    Delete all the libraries (there are none: functions are not supported).",
                        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                        "    Return general information on all the libraries (none).",
                        "HELP",
                        "    Print this help.");
            default -> throw new ReplyException(Args.subcommandSyntaxError(c));
        }
    }
}
