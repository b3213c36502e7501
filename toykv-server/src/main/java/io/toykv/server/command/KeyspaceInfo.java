package io.toykv.server.command;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * INFO's Keyspace section: a line {@code dbN:keys=...,expires=...,avg_ttl=...} for each database with keys
 * ({@code avg_ttl} estimated by {@link AverageTtl}).
 */
final class KeyspaceInfo {
    private KeyspaceInfo() {
    }

    static Map<String, Object> of(KeyspaceSet databases) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int db = 0; db < databases.count(); db++) {
            long keys = databases.size(db);
            if (keys > 0) {
                m.put("db" + db, "keys=" + keys + ",expires=" + databases.expiring(db) + ",avg_ttl="
                        + AverageTtl.estimate(databases.keyspace(db)));
            }
        }
        return m;
    }
}
