package io.toykv.cli;

import java.util.regex.Pattern;

/**
 * A server address, {@code HOST:PORT} ({@code [::1]:8888} for IPv6), or a bare host at the default port.
 *
 * <p>Which bare words are hosts is decided by their shape alone (no name lookup, which would be slow
 * and depend on the network): {@code localhost}, an IP address, or a host name of three or more labels
 * ({@code db.example.com}). A name with one dot stays a command word, because that is how Redis modules
 * name their commands ({@code JSON.GET}, {@code FT.SEARCH}); such a host needs its port
 * ({@code myhost.lan:8888}) or {@code -h}.
 */
record ServerAddress(String host, int port) {
    static final ServerAddress DEFAULT = new ServerAddress("127.0.0.1", 8888);

    /**
     * The words that can only be hosts. Compiled on first use, in a holder class: a one-shot command
     * whose first word cannot be one (no dot, colon or bracket) never pays for the regex engine.
     */
    private static final class HostOnly {
        /** One label of a DNS name: letters, digits and hyphens, not starting or ending with a hyphen. */
        private static final String LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";

        static final Pattern PATTERN = Pattern.compile("(?i)localhost|(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}"
                + "(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)|\\[[0-9a-f:.%\\w]+]"
                + "|(?=[0-9a-f:.]*::)[0-9a-f:.]+|(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}"
                // A DNS name of three or more labels, the last one (the top-level domain) not all digits.
                + "|(?:" + LABEL + "\\.){2,}(?=[0-9-]*[a-z])" + LABEL + "\\.?");
    }

    ServerAddress {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    /** As {@link #parse(String, int)} with the default port. */
    static ServerAddress parse(String text) {
        return parse(text, DEFAULT.port());
    }

    /**
     * Parses {@code HOST:PORT}, or a word that can only be a host ({@code localhost}, an IPv4 address,
     * an IPv6 address bare or in brackets, a host name with two or more dots) with {@code defaultPort};
     * null if the text has neither shape (it is then a command: command names never look like that,
     * though module commands have one dot, e.g. {@code JSON.GET}). A port out of range throws: {@code host:99999} is a mistyped address, and
     * taking it for a command would send it to the default server instead.
     */
    static ServerAddress parse(String text, int defaultPort) {
        ServerAddress withPort = parseHostPort(text);
        if (withPort != null) {
            return withPort;
        }
        boolean mayBeHost = text.indexOf('.') >= 0
                || text.indexOf(':') >= 0
                || text.startsWith("[")
                || text.equalsIgnoreCase("localhost");
        if (mayBeHost && HostOnly.PATTERN.matcher(text).matches()) {
            return new ServerAddress(unbracket(text), defaultPort);
        }
        return null;
    }

    /**
     * {@code HOST:PORT}: a port of one to five digits after the last colon, and before it a host in
     * brackets (letters, digits and {@code _:.%}) or one without colons, brackets or blanks; else null.
     * Written out rather than as a regex, which would cost every one-shot command its compilation.
     */
    private static ServerAddress parseHostPort(String text) {
        int colon = text.lastIndexOf(':');
        int portLength = text.length() - colon - 1;
        if (colon <= 0 || portLength < 1 || portLength > 5 || !allMatch(text, colon + 1, text.length(), "")) {
            return null;
        }
        String host = text.substring(0, colon);
        boolean bracketed = host.length() > 2
                && host.startsWith("[")
                && host.endsWith("]")
                && allMatch(host, 1, host.length() - 1, "_:.%");
        boolean plain = !bracketed;
        for (int i = 0; plain && i < host.length(); i++) {
            plain = ":[] \t\n\u000B\f\r".indexOf(host.charAt(i)) < 0;
        }
        return bracketed || plain
                ? new ServerAddress(unbracket(host), Integer.parseInt(text.substring(colon + 1)))
                : null;
    }

    /** Whether text[from, to) is all ASCII digits, or also ASCII letters and {@code others} when those are given. */
    private static boolean allMatch(String text, int from, int to, String others) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            boolean ok = c >= '0' && c <= '9'
                    || !others.isEmpty()
                            && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || others.indexOf(c) >= 0);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
