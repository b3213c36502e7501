package io.toykv.core;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link LargeValueCrashTest}: puts values of which about one in five is past the
 * store's {@code largeValueSize} (so each gets a segment of its own) over a few hundred keys, and
 * deletes some, until it is killed; in mode {@code gc} another thread collects garbage all the while.
 * Before each operation it prints its intent ({@code P key n} or {@code D key}), after it returns
 * {@code OK}, as {@link CrashWriter} does.
 */
public final class LargeValueCrashWriter {
    static final int KEYS = 300;
    static final int LARGE_VALUE = 16 * 1024;

    private LargeValueCrashWriter() {}

    static StoreOptions options(String mode) {
        return StoreOptions.defaults().shards(2).largeValueSize(LARGE_VALUE).syncMode(SyncMode.NEVER);
    }

    /** The value written by operation {@code n}: one in five of 16 KiB to 216 KiB, the others under 1 KiB. */
    static byte[] value(long n) {
        int length = n % 5 == 0 ? LARGE_VALUE + 1 + (int) (n * 7919 % 200_000) : (int) (n % 997);
        byte[] v = new byte[length];
        new Random(n).nextBytes(v);
        return v;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Random r = new Random(Long.parseLong(args[1]));
        long firstOp = Long.parseLong(args[2]);
        String mode = args[3];
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        try (Store store = Store.open(dir, options(mode))) {
            if (mode.equals("gc")) {
                CrashWriter.collectAllTheTime(store);
            }
            out.write("READY\n");
            out.flush();
            for (long n = firstOp; ; n++) {
                int k = r.nextInt(KEYS);
                if (r.nextInt(8) == 0) {
                    out.write("D " + k + "\n");
                    out.flush();
                    store.delete(CrashWriter.key(k));
                } else {
                    out.write("P " + k + " " + n + "\n");
                    out.flush();
                    store.put(CrashWriter.key(k), value(n));
                }
                out.write("OK\n");
                out.flush();
            }
        }
    }
}
