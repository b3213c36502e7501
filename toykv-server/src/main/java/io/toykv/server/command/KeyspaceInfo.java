package io.toykv.server.command;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * INFO's Keyspace section: a line {@code dbN:keys=...,expires=...,avg_ttl=...} for each database with keys
 * ({@code avg_ttl} estimated by {@link AverageTtl}).
 */
final class KeyspaceInfo {
    private KeyspaceInfo() {}

    /**
     * {@code selected} stands for database {@code current}: the keyspace the commands see, so that INFO
     * inside EXEC counts the transaction's own writes.
     */
    static Map<String, Object> of(KeyspaceSet databases, int current, Keyspace selected) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int db = 0; db < databases.count(); db++) {
            long keys = db == current ? selected.size() : databases.size(db);
            if (keys > 0) {
                Keyspace k = db == current ? selected : databases.keyspace(db);
                long expiring = db == current ? selected.expiringKeys() : databases.expiring(db);
                m.put("db" + db, "keys=" + keys + ",expires=" + expiring + ",avg_ttl=" + AverageTtl.estimate(k));
            }
        }
        return m;
    }
}
