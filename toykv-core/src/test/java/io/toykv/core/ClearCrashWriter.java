package io.toykv.core;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link ClearCrashTest}: fills {@link #DATABASES} databases of many shards with
 * {@link #KEYS} keys each, then clears one database or all, again and again until it is killed. Before
 * each step it prints its intent, {@code OK} after it returns: {@code W n} (every key of every database
 * set to value n, one atomic batch a database), {@code C db} (a clear of one database), {@code F} (a clear of all).
 */
public final class ClearCrashWriter {
    static final int DATABASES = 3;
    static final int KEYS = 3000;

    private ClearCrashWriter() {}

    static StoreOptions options(String mode) {
        return StoreOptions.defaults()
                .shards(16)
                .syncMode(SyncMode.valueOf(mode))
                .autoCompaction(false);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Random r = new Random(Long.parseLong(args[1]));
        long n = Long.parseLong(args[2]);
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        try (Databases dbs = Databases.open(dir, options(args[3]), DATABASES)) {
            out.write("READY\n");
            out.flush();
            for (; ; n++) {
                DatabasesCrashWriter.say(out, "W " + n);
                for (int db = 0; db < DATABASES; db++) {
                    WriteBatch batch = new WriteBatch(); // one force, not one a key, in ALWAYS mode
                    for (int k = 0; k < KEYS; k++) {
                        batch.put(CrashWriter.key(k), CrashWriter.value(n));
                    }
                    dbs.database(db).apply(batch);
                }
                DatabasesCrashWriter.say(out, "OK");
                if (r.nextInt(3) == 0) {
                    DatabasesCrashWriter.say(out, "F");
                    dbs.clearAll();
                } else {
                    int db = r.nextInt(DATABASES);
                    DatabasesCrashWriter.say(out, "C " + db);
                    dbs.database(db).clear();
                }
                DatabasesCrashWriter.say(out, "OK");
            }
        }
    }
}
