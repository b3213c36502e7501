package io.toykv.server.command;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * COMMAND LIST's {@code FILTERBY MODULE name | ACLCAT category | PATTERN glob}. No command comes from
 * a module, so a MODULE filter lists none; a command's ACL categories are its group's ({@code string},
 * {@code keyspace} for generic commands, {@code connection}, {@code admin} for server commands,
 * {@code scripting}) and {@code write} or {@code read}; an unknown category lists none, as in Redis.
 */
final class CommandFilter {
    private enum Kind {
        NONE,
        MODULE,
        ACLCAT,
        PATTERN
    }

    private final Kind kind;
    private final String argument;

    private CommandFilter(Kind kind, String argument) {
        this.kind = kind;
        this.argument = argument;
    }

    /** The filter after {@code COMMAND LIST}; anything but one whole FILTERBY clause is a syntax error. */
    static CommandFilter parse(Call c) {
        if (c.argc() == 2) {
            return new CommandFilter(Kind.NONE, null);
        }
        if (c.argc() != 5 || !c.upper(2).equals("FILTERBY")) {
            throw new ReplyException(Args.SYNTAX_ERROR);
        }
        Kind kind = switch (c.upper(3)) {
            case "MODULE" -> Kind.MODULE;
            case "ACLCAT" -> Kind.ACLCAT;
            case "PATTERN" -> Kind.PATTERN;
            default -> throw new ReplyException(Args.SYNTAX_ERROR);
        };
        return new CommandFilter(kind, c.string(4));
    }

    List<String> select(Collection<CommandSpec> specs) {
        List<String> names = new ArrayList<>();
        Glob glob = kind == Kind.PATTERN // names are lower-case and Redis matches them ignoring case
                ? new Glob(argument.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8))
                : null;
        for (CommandSpec spec : specs) {
            boolean keep = switch (kind) {
                case NONE -> true;
                case MODULE -> false;
                case ACLCAT -> categories(spec).contains(argument.toLowerCase(Locale.ROOT));
                case PATTERN -> glob.matches(spec.name().getBytes(StandardCharsets.UTF_8));
            };
            if (keep) {
                names.add(spec.name());
            }
        }
        return names;
    }

    /** A command's ACL categories, without the '@'. */
    static List<String> categories(CommandSpec spec) {
        String group = switch (spec.group()) {
            case "generic" -> "keyspace";
            case "server" -> "admin";
            default -> spec.group();
        };
        return List.of(spec.write() ? "write" : "read", group);
    }
}
