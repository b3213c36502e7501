package io.toykv.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server address, {@code HOST:PORT} ({@code [::1]:8888} for IPv6). */
record Address(String host, int port) {
    static final Address DEFAULT = new Address("127.0.0.1", 8888);

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.%\\w]+]|[^\\s:\\[\\]]+):(\\d{1,5})");

    Address {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    /**
     * Parses {@code HOST:PORT}; null if the text does not have that shape (it is then a command). A port
     * out of range throws: {@code host:99999} is a mistyped address, and taking it for a command would
     * send it to the default server instead.
     */
    static Address parse(String text) {
        Matcher m = HOST_PORT.matcher(text);
        if (!m.matches()) {
            return null;
        }
        int port = Integer.parseInt(m.group(2));
        String host = m.group(1);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Address(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
