package io.toykv.server.command;

import java.util.LinkedHashMap;
import java.util.Map;

/** INFO's Keyspace section: a line {@code dbN:keys=...,expires=...,avg_ttl=0} for each database with keys. */
final class KeyspaceInfo {
    private KeyspaceInfo() {
    }

    static Map<String, Object> of(KeyspaceSet databases) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int db = 0; db < databases.count(); db++) {
            long keys = databases.size(db);
            if (keys > 0) {
                // avg_ttl is 0: the engine keeps no sum of the expiries (Redis's figure is an estimate too).
                m.put("db" + db, "keys=" + keys + ",expires=" + databases.expiring(db) + ",avg_ttl=0");
            }
        }
        return m;
    }
}
