package io.toykv.server.command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * INFO's Keyspace section: a line {@code dbN:keys=...,expires=...,avg_ttl=...} for each database with keys
 * ({@code avg_ttl} estimated by {@link AverageTtl}).
 */
final class KeyspaceInfo {
    private KeyspaceInfo() {}

    /**
     * {@code shown} gives the keyspace database {@code db} shows the commands (inside EXEC, the
     * transaction's writes and swaps included), or null for one without keys, left uncreated.
     */
    static Map<String, Object> of(int count, IntFunction<Keyspace> shown) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int db = 0; db < count; db++) {
            Keyspace k = shown.apply(db);
            long keys = k == null ? 0 : k.size();
            if (keys > 0) {
                m.put(
                        "db" + db,
                        "keys=" + keys + ",expires=" + k.expiringKeys() + ",avg_ttl=" + AverageTtl.estimate(k));
            }
        }
        return m;
    }
}
