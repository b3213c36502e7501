package io.toykv.cli;

import java.util.regex.Matcher;
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
record Address(String host, int port) {
    static final Address DEFAULT = new Address("127.0.0.1", 8888);

    /** One label of a DNS name: letters, digits and hyphens, not starting or ending with a hyphen. */
    private static final String LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.%\\w]+]|[^\\s:\\[\\]]+):(\\d{1,5})");
    private static final Pattern HOST_ONLY = Pattern.compile("(?i)localhost|(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}"
            + "(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)|\\[[0-9a-f:.%\\w]+]"
            + "|(?=[0-9a-f:.]*::)[0-9a-f:.]+|(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}"
            // A DNS name of three or more labels, the last one (the top-level domain) not all digits.
            + "|(?:" + LABEL + "\\.){2,}(?=[0-9-]*[a-z])" + LABEL + "\\.?");

    Address {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    /** As {@link #parse(String, int)} with the default port. */
    static Address parse(String text) {
        return parse(text, DEFAULT.port());
    }

    /**
     * Parses {@code HOST:PORT}, or a word that can only be a host ({@code localhost}, an IPv4 address,
     * an IPv6 address bare or in brackets, a host name with two or more dots) with {@code defaultPort};
     * null if the text has neither shape (it is then a command: command names never look like that,
     * though module commands have one dot, e.g. {@code JSON.GET}). A port out of range throws: {@code host:99999} is a mistyped address, and
     * taking it for a command would send it to the default server instead.
     */
    static Address parse(String text, int defaultPort) {
        Matcher m = HOST_PORT.matcher(text);
        if (m.matches()) {
            return new Address(unbracket(m.group(1)), Integer.parseInt(m.group(2)));
        }
        if (HOST_ONLY.matcher(text).matches()) {
            return new Address(unbracket(text), defaultPort);
        }
        return null;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
