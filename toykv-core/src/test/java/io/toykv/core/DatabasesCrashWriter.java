package io.toykv.core;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link DatabasesCrashTest}: writes to {@link #DATABASES} databases in
 * {@code ALWAYS} mode until it is killed. Before each operation it prints its intent, {@code OK} after it
 * returns: {@code P db key n} (a put of value n), {@code D db key} (delete), {@code M key from to}
 * (move), {@code S a b} (swap), {@code C db} (clear), {@code F} (clear of all), {@code X a k1 n b k2 k3}
 * (one {@link Databases#apply}: put value n to k1 of a and to k3 of b, delete k2 of b), {@code W a k1 n b
 * k2 k3 clear} (one {@link Databases#apply} with a swap: put value n to k1 of a, swap a and b, put n to
 * k2 of a, then, after the swap too, clear b if {@code clear}, else delete k3 of b).
 */
public final class DatabasesCrashWriter {
    static final int DATABASES = 4;
    static final int KEYS = 100;

    private DatabasesCrashWriter() {}

    static StoreOptions options(String mode) {
        return ExpiryCrashWriter.options(mode);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Random r = new Random(Long.parseLong(args[1]));
        long firstOp = Long.parseLong(args[2]);
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        try (Databases dbs = Databases.open(dir, options(args[3]), DATABASES)) {
            out.write("READY\n");
            out.flush();
            for (long n = firstOp; ; n++) {
                int k = r.nextInt(KEYS);
                int db = r.nextInt(DATABASES);
                int other = (db + 1 + r.nextInt(DATABASES - 1)) % DATABASES;
                int what = r.nextInt(100);
                if (what < 45) {
                    say(out, "P " + db + " " + k + " " + n);
                    dbs.database(db).put(CrashWriter.key(k), CrashWriter.value(n));
                } else if (what < 57) {
                    say(out, "D " + db + " " + k);
                    dbs.database(db).delete(CrashWriter.key(k));
                } else if (what < 70) {
                    int k2 = r.nextInt(KEYS);
                    int k3 = r.nextInt(KEYS);
                    say(out, "X " + db + " " + k + " " + n + " " + other + " " + k2 + " " + k3);
                    dbs.apply(new DatabaseChanges()
                            .put(db, CrashWriter.key(k), CrashWriter.value(n), Store.NO_EXPIRY)
                            .delete(other, CrashWriter.key(k2))
                            .put(other, CrashWriter.key(k3), CrashWriter.value(n), Store.NO_EXPIRY));
                } else if (what < 75) {
                    int k2 = r.nextInt(KEYS);
                    int k3 = r.nextInt(KEYS);
                    boolean clear = k3 % 4 == 0;
                    say(out, "W " + db + " " + k + " " + n + " " + other + " " + k2 + " " + k3 + " " + clear);
                    DatabaseChanges changes = new DatabaseChanges()
                            .put(db, CrashWriter.key(k), CrashWriter.value(n), Store.NO_EXPIRY)
                            .swap(db, other)
                            .put(db, CrashWriter.key(k2), CrashWriter.value(n), Store.NO_EXPIRY);
                    dbs.apply(clear ? changes.clear(other) : changes.delete(other, CrashWriter.key(k3)));
                } else if (what < 92) {
                    say(out, "M " + k + " " + db + " " + other);
                    dbs.move(CrashWriter.key(k), db, other);
                } else if (what < 97) {
                    say(out, "S " + db + " " + other);
                    dbs.swap(db, other);
                } else if (what < 99) {
                    say(out, "F");
                    dbs.clearAll();
                } else {
                    say(out, "C " + db);
                    dbs.database(db).clear();
                }
                say(out, "OK");
            }
        }
    }

    static void say(BufferedWriter out, String line) throws java.io.IOException {
        out.write(line + "\n");
        out.flush();
    }
}
