package io.toykv.core;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link ExpiryCrashTest}: writes keys with and without expiries, and changes
 * expiries, in {@code ALWAYS} mode until it is killed. Before each operation it prints its intent, after
 * it returns {@code OK} and the answer: {@code P key n expiry} (a put of value n; expiry -1 for none),
 * {@code E key expiry} (expireAt), {@code X key} (persist), {@code D key} (delete). Expiries are either
 * an hour ahead or 1 to 400 ms ahead, so many pass before the store is opened again.
 */
public final class ExpiryCrashWriter {
    private ExpiryCrashWriter() {}

    static StoreOptions options(String mode) {
        return (mode.equals("small")
                        ? StoreModelTest.smallFiles()
                        : StoreOptions.defaults().shards(3))
                .syncMode(SyncMode.ALWAYS);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Random r = new Random(Long.parseLong(args[1]));
        long firstOp = Long.parseLong(args[2]);
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        try (Store store = Store.open(dir, options(args[3]))) {
            out.write("READY\n");
            out.flush();
            for (long n = firstOp; ; n++) {
                int k = r.nextInt(500);
                long expiry = r.nextBoolean()
                        ? System.currentTimeMillis() + 3_600_000
                        : System.currentTimeMillis() + 1 + r.nextInt(400);
                int what = r.nextInt(10);
                String answer;
                if (what < 5) {
                    long e = what < 2 ? Store.NO_EXPIRY : expiry;
                    out.write("P " + k + " " + n + " " + e + "\n");
                    out.flush();
                    store.put(CrashWriter.key(k), CrashWriter.value(n), e);
                    answer = "";
                } else if (what < 8) {
                    out.write("E " + k + " " + expiry + "\n");
                    out.flush();
                    answer = store.expireAt(CrashWriter.key(k), expiry) ? " 1" : " 0";
                } else if (what < 9) {
                    out.write("X " + k + "\n");
                    out.flush();
                    answer = store.persist(CrashWriter.key(k)) ? " 1" : " 0";
                } else {
                    out.write("D " + k + "\n");
                    out.flush();
                    store.delete(CrashWriter.key(k));
                    answer = "";
                }
                out.write("OK" + answer + "\n");
                out.flush();
            }
        }
    }
}
