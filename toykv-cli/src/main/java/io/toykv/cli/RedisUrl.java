package io.toykv.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code -u redis://[[user]:password@]host[:port][/db]}, as redis-cli reads it: the user and password
 * are percent-decoded; the port defaults to 8888 (ours, not Redis's 6379) and the database to 0. TLS
 * ({@code rediss://}) is not supported.
 */
record RedisUrl(ServerAddress address, String user, String password, int db) {
    private static final String SCHEME = "redis://";

    /** Parses a URL; the IllegalArgumentException's message says what is wrong with it. */
    static RedisUrl parse(String url) {
        if (url.regionMatches(true, 0, "rediss://", 0, 9)) {
            throw new IllegalArgumentException("rediss:// (TLS) is not supported");
        }
        if (!url.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new IllegalArgumentException("expected redis://[[user]:password@]host[:port][/db]");
        }
        String rest = url.substring(SCHEME.length());
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            if (colon < 0) {
                password = decode(credentials);
            } else {
                user = colon == 0 ? null : decode(credentials.substring(0, colon));
                password = decode(credentials.substring(colon + 1));
            }
        }
        int db = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String path = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!path.isEmpty()) {
                if (path.length() > 9 || !path.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("the database must be a number, got '" + path + "'");
                }
                db = Integer.parseInt(path);
            }
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("no host in " + url);
        }
        ServerAddress address = ServerAddress.parse(rest, ServerAddress.DEFAULT.port());
        if (address == null) {
            if (rest.indexOf(':') >= 0 || rest.indexOf('[') >= 0) {
                throw new IllegalArgumentException("expected host:port, got '" + rest + "'");
            }
            address = new ServerAddress(rest, ServerAddress.DEFAULT.port());
        }
        return new RedisUrl(address, user, password, db);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
