package io.toykv.core;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link CrashTest}: opens a store and writes until it is killed. Before each
 * operation it prints its intent ({@code P key n} or {@code D key}), after it returns {@code OK}; so
 * every operation followed by OK was acknowledged, and at most the last one is in doubt.
 */
public final class CrashWriter {
    private CrashWriter() {}

    static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.US_ASCII);
    }

    /** The value written by operation {@code n}: its length and bytes follow from n alone. */
    static byte[] value(long n) {
        Random r = new Random(n);
        byte[] v = new byte[(int) (n % 997)];
        r.nextBytes(v);
        return v;
    }

    /** Collects garbage in a thread of its own without pause, so a kill lands in a collection more often than not. */
    static void collectAllTheTime(Store store) {
        Thread gc = new Thread(() -> {
            while (true) {
                store.compact();
            }
        });
        gc.setDaemon(true);
        gc.start();
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        long firstOp = Long.parseLong(args[2]);
        String mode = args.length > 3 ? args[3] : "default";
        StoreOptions options = CrashTest.options(mode);
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        Random r = new Random(seed);
        try (Store store = Store.open(dir, options)) {
            if (mode.equals("gc") || mode.equals("always")) {
                collectAllTheTime(store);
            }
            out.write("READY\n");
            out.flush();
            for (long n = firstOp; ; n++) {
                int k = r.nextInt(3000);
                if (r.nextInt(10) == 0) {
                    out.write("D " + k + "\n");
                    out.flush();
                    store.delete(key(k));
                } else {
                    out.write("P " + k + " " + n + "\n");
                    out.flush();
                    store.put(key(k), value(n));
                }
                out.write("OK\n");
                out.flush();
            }
        }
    }
}
