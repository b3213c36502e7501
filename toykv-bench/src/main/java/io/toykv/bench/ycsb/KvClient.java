package io.toykv.bench.ycsb;

import io.toykv.bench.engine.Durability;
import io.toykv.bench.engine.Engine;
import io.toykv.bench.engine.EngineKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * A YCSB binding over an {@link Engine}: the record is one value ({@link FieldCodec}); an update reads,
 * merges and writes back, as YCSB's own RocksDB binding does. YCSB makes one DB object per client thread;
 * they share one open store per JVM, opened by the first {@link #init()} and closed by the last
 * {@link #cleanup()}. The table name is ignored (one table per store).
 *
 * <p>Properties: {@code toykv.dir} (required), {@code toykv.durability} (always, everysec, no; default
 * everysec).
 */
public abstract class KvClient extends DB {
    public static final String DIR_PROPERTY = "toykv.dir";
    public static final String DURABILITY_PROPERTY = "toykv.durability";

    private static final Object LOCK = new Object();
    /** The shared store; guarded by LOCK. */
    private static Engine shared;
    /** DB objects between init and cleanup; guarded by LOCK. */
    private static int users;

    private Engine engine;

    protected abstract EngineKind kind();

    @Override
    public void init() throws DBException {
        Properties p = getProperties();
        String dir = p.getProperty(DIR_PROPERTY);
        if (dir == null) {
            throw new DBException("property " + DIR_PROPERTY + " (the store's directory) is required");
        }
        synchronized (LOCK) {
            if (shared == null) {
                try {
                    shared =
                            kind().open(Path.of(dir), Durability.parse(p.getProperty(DURABILITY_PROPERTY, "everysec")));
                } catch (IOException | RuntimeException e) {
                    throw new DBException("cannot open " + kind().label() + " in " + dir + ": " + e, e);
                }
            }
            users++;
            engine = shared;
        }
    }

    @Override
    public void cleanup() throws DBException {
        synchronized (LOCK) {
            if (engine == null) {
                return;
            }
            engine = null;
            if (--users == 0) {
                try {
                    shared.close();
                } catch (IOException e) {
                    throw new DBException("close: " + e.getMessage(), e);
                } finally {
                    shared = null;
                }
            }
        }
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
        try {
            byte[] v = engine.get(bytes(key));
            if (v == null) {
                return Status.NOT_FOUND;
            }
            FieldCodec.decode(v, fields, result);
            return Status.OK;
        } catch (IOException | RuntimeException e) {
            return Status.ERROR;
        }
    }

    @Override
    public Status scan(
            String table,
            String startkey,
            int recordcount,
            Set<String> fields,
            Vector<HashMap<String, ByteIterator>> result) {
        try {
            engine.scan(bytes(startkey), recordcount, (k, v) -> {
                HashMap<String, ByteIterator> record = new HashMap<>();
                FieldCodec.decode(v, fields, record);
                result.add(record);
            });
            return Status.OK;
        } catch (IOException | RuntimeException e) {
            return Status.ERROR;
        }
    }

    @Override
    public Status update(String table, String key, Map<String, ByteIterator> values) {
        try {
            byte[] k = bytes(key);
            byte[] old = engine.get(k);
            if (old == null) {
                return Status.NOT_FOUND;
            }
            Map<String, ByteIterator> merged = new HashMap<>();
            FieldCodec.decode(old, null, merged);
            merged.putAll(values);
            engine.put(k, FieldCodec.encode(merged));
            return Status.OK;
        } catch (IOException | RuntimeException e) {
            return Status.ERROR;
        }
    }

    @Override
    public Status insert(String table, String key, Map<String, ByteIterator> values) {
        try {
            engine.put(bytes(key), FieldCodec.encode(values));
            return Status.OK;
        } catch (IOException | RuntimeException e) {
            return Status.ERROR;
        }
    }

    @Override
    public Status delete(String table, String key) {
        try {
            engine.delete(bytes(key));
            return Status.OK;
        } catch (IOException | RuntimeException e) {
            return Status.ERROR;
        }
    }
}
