package io.toykv.bench.engine;

import io.toykv.core.SyncMode;

/**
 * The durability setting every engine in a run shares, named after Redis's appendfsync values.
 *
 * <table>
 *   <caption>How each engine is configured</caption>
 *   <tr><th>setting</th><th>toykv</th><th>RocksDB</th></tr>
 *   <tr><td>always</td><td>SyncMode.ALWAYS</td><td>WriteOptions.sync = true</td></tr>
 *   <tr><td>everysec</td><td>SyncMode.EVERY_SECOND</td><td>WAL on, sync = false, a thread calls syncWal() each second</td></tr>
 *   <tr><td>no</td><td>SyncMode.NEVER</td><td>WAL on, sync = false</td></tr>
 * </table>
 * In every setting a write survives a kill -9 of the process once it returns: both engines have put it in
 * the page cache (toykv through its mapped files, RocksDB through a write() to its WAL).
 */
public enum Durability {
    ALWAYS("always", SyncMode.ALWAYS),
    EVERYSEC("everysec", SyncMode.EVERY_SECOND),
    NO("no", SyncMode.NEVER);

    private final String label;
    private final SyncMode toykvMode;

    Durability(String label, SyncMode toykvMode) {
        this.label = label;
        this.toykvMode = toykvMode;
    }

    public String label() {
        return label;
    }

    SyncMode toykvMode() {
        return toykvMode;
    }

    public static Durability parse(String s) {
        for (Durability d : values()) {
            if (d.label.equalsIgnoreCase(s) || d.name().equalsIgnoreCase(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException("durability must be always, everysec or no, was " + s);
    }
}
