package io.toykv.cli;

import io.toykv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the server says about its commands in its reply to {@code COMMAND DOCS}: for each command, a
 * summary, the version it appeared in, and its group ({@code string}, {@code generic}, ...). The reply
 * is a map from name to a map of fields (RESP3), or the same as flat arrays (RESP2); fields this
 * client does not use (history, ...) are skipped. From the {@code arguments} section (Redis 7's: name,
 * type, token, flags, nested arguments) it keeps the option tokens, where they may first come, and a
 * usage line for hints. A server without the command gives
 * {@link #NONE}, and the client falls back to its own few commands.
 */
final class ServerDocs {
    /**
     * One command's documentation; any field may be empty.
     *
     * @param tokens the option words of its arguments ({@code NX}, {@code MATCH}), upper case, in order
     * @param usage its arguments as help shows them, e.g. {@code key value [NX | XX] [GET]}
     * @param optionsFrom the first argument position (1-based) an option may take: after the leading
     *     required arguments without a token
     */
    record Doc(
            String name,
            String summary,
            String since,
            String group,
            List<String> tokens,
            String usage,
            int optionsFrom) {
        Doc(String name, String summary, String since, String group) {
            this(name, summary, since, group, List.of(), "", 1);
        }
    }

    static final ServerDocs NONE = new ServerDocs(Map.of());

    static final List<byte[]> REQUEST =
            List.of("COMMAND".getBytes(StandardCharsets.US_ASCII), "DOCS".getBytes(StandardCharsets.US_ASCII));

    /** By lower-case name, in name order. */
    private final Map<String, Doc> byName;

    private ServerDocs(Map<String, Doc> byName) {
        this.byName = byName;
    }

    /** The docs in a reply to {@link #REQUEST}; {@link #NONE} for an error or a reply of another shape. */
    static ServerDocs parse(Reply reply) {
        List<Reply> pairs = pairs(reply);
        if (pairs == null) {
            return NONE;
        }
        Map<String, Doc> byName = new TreeMap<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            String name = text(pairs.get(i));
            List<Reply> fields = pairs(pairs.get(i + 1));
            if (name == null || fields == null) {
                return NONE;
            }
            String summary = "";
            String since = "";
            String group = "";
            List<Reply> arguments = List.of();
            for (int f = 0; f + 1 < fields.size(); f += 2) {
                String field = text(fields.get(f));
                if ("arguments".equalsIgnoreCase(field) && fields.get(f + 1) instanceof Reply.Array a) {
                    arguments = a.items();
                    continue;
                }
                String value = text(fields.get(f + 1));
                if (field == null || value == null) {
                    continue;
                }
                switch (field.toLowerCase(Locale.ROOT)) {
                    case "summary":
                        summary = value;
                        break;
                    case "since":
                        since = value;
                        break;
                    case "group":
                        group = value;
                        break;
                    default:
                        break;
                }
            }
            String lower = name.toLowerCase(Locale.ROOT);
            List<String> tokens = new ArrayList<>();
            collectTokens(arguments, tokens);
            byName.put(
                    lower,
                    new Doc(
                            lower,
                            summary,
                            since,
                            group,
                            List.copyOf(tokens),
                            usage(arguments, " "),
                            optionsFrom(arguments)));
        }
        return new ServerDocs(Collections.unmodifiableMap(byName));
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    /** The doc of a command, ignoring case; null when the server did not describe it. */
    Doc lookup(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every command name, lower case, in order. */
    List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The commands of a group (ignoring case), in name order. */
    List<Doc> group(String group) {
        List<Doc> docs = new ArrayList<>();
        for (Doc doc : byName.values()) {
            if (doc.group().equalsIgnoreCase(group)) {
                docs.add(doc);
            }
        }
        return docs;
    }

    /** {@code help NAME} for a server command. */
    static String helpText(Doc doc) {
        StringBuilder out = new StringBuilder(doc.name()).append('\n');
        if (!doc.summary().isEmpty()) {
            out.append("  ").append(doc.summary()).append('\n');
        }
        List<String> facts = new ArrayList<>();
        if (!doc.group().isEmpty()) {
            facts.add("group: " + doc.group());
        }
        if (!doc.since().isEmpty()) {
            facts.add("since: " + doc.since());
        }
        if (!facts.isEmpty()) {
            out.append("  ").append(String.join("  ", facts)).append('\n');
        }
        return out.toString();
    }

    /** {@code help @GROUP}: one line per command, names aligned; null for a group with no commands. */
    String groupHelpText(String group) {
        List<Doc> docs = group(group);
        if (docs.isEmpty()) {
            return null;
        }
        int width = docs.stream().mapToInt(d -> d.name().length()).max().orElse(0);
        StringBuilder out = new StringBuilder();
        for (Doc doc : docs) {
            out.append(doc.name())
                    .append(" ".repeat(width - doc.name().length() + 2))
                    .append(doc.summary())
                    .append('\n');
        }
        return out.toString();
    }

    /** The groups, in order. */
    List<String> groups() {
        return byName.values().stream()
                .map(Doc::group)
                .filter(g -> !g.isEmpty())
                .distinct()
                .sorted()
                .toList();
    }

    /** One argument's fields by lower-case name (text, or the nested arguments as a list). */
    private static Map<String, Object> fields(Reply argument) {
        List<Reply> pairs = pairs(argument);
        Map<String, Object> fields = new java.util.HashMap<>();
        for (int i = 0; pairs != null && i + 1 < pairs.size(); i += 2) {
            String field = text(pairs.get(i));
            Reply value = pairs.get(i + 1);
            if (field == null) {
                continue;
            }
            String lower = field.toLowerCase(Locale.ROOT);
            if (value instanceof Reply.Array a) {
                fields.put(
                        lower,
                        lower.equals("flags")
                                ? a.items().stream()
                                        .map(ServerDocs::text)
                                        .filter(t -> t != null)
                                        .toList()
                                : a.items());
            } else if (text(value) != null) {
                fields.put(lower, text(value));
            }
        }
        return fields;
    }

    @SuppressWarnings("unchecked")
    private static List<Reply> inner(Map<String, Object> fields) {
        return fields.get("arguments") instanceof List<?> l ? (List<Reply>) l : List.of();
    }

    private static boolean flag(Map<String, Object> fields, String flag) {
        return fields.get("flags") instanceof List<?> l && l.contains(flag);
    }

    private static void collectTokens(List<Reply> arguments, List<String> tokens) {
        for (Reply argument : arguments) {
            Map<String, Object> fields = fields(argument);
            if (fields.get("token") instanceof String token && !tokens.contains(token.toUpperCase(Locale.ROOT))) {
                tokens.add(token.toUpperCase(Locale.ROOT));
            }
            collectTokens(inner(fields), tokens);
        }
    }

    /** Redis's usage notation: {@code key [key ...]}, {@code [MATCH pattern]}, {@code [NX | XX]}. */
    private static String usage(List<Reply> arguments, String separator) {
        List<String> parts = new ArrayList<>();
        for (Reply argument : arguments) {
            Map<String, Object> fields = fields(argument);
            String type = String.valueOf(fields.getOrDefault("type", ""));
            String name = String.valueOf(fields.getOrDefault("name", "arg"));
            String part = switch (type) {
                case "oneof" -> usage(inner(fields), " | ");
                case "block" -> usage(inner(fields), " ");
                case "pure-token" -> "";
                default -> name;
            };
            if (fields.get("token") instanceof String token) {
                part = part.isEmpty() ? token : token + " " + part;
            }
            if (flag(fields, "multiple")) {
                part = part + " [" + part + " ...]";
            }
            parts.add(flag(fields, "optional") ? "[" + part + "]" : part);
        }
        return String.join(separator, parts);
    }

    private static int optionsFrom(List<Reply> arguments) {
        int from = 1;
        for (Reply argument : arguments) {
            Map<String, Object> fields = fields(argument);
            if (fields.containsKey("token") || flag(fields, "optional") || flag(fields, "multiple")) {
                break;
            }
            from++;
        }
        return from;
    }

    /** A map's items or an array's as a flat key, value list; null for anything else. */
    private static List<Reply> pairs(Reply reply) {
        if (reply instanceof Reply.Map m) {
            return m.keysAndValues();
        }
        if (reply instanceof Reply.Array a && a.items().size() % 2 == 0) {
            return a.items();
        }
        return null;
    }

    private static String text(Reply reply) {
        if (reply instanceof Reply.Bulk b) {
            return new String(b.bytes(), StandardCharsets.UTF_8);
        }
        if (reply instanceof Reply.Status s) {
            return s.text();
        }
        return null;
    }
}
