package io.toykv.core;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link AtomicBatchCrashTest}: applies atomic batches until it is killed. Batch
 * {@code n} sets every key {@code key(0..KEYS-1)} (spread over the shards) to {@code value(n)}, gives
 * {@code marker(n)} a value and an expiry an hour ahead, and deletes {@code marker(n - 1)}. Before each
 * batch it prints {@code B n}, after it returns {@code OK}.
 */
public final class AtomicBatchCrashWriter {
    static final int KEYS = 12;

    private AtomicBatchCrashWriter() {}

    static StoreOptions options(String mode) {
        return (mode.equals("small")
                        ? StoreModelTest.smallFiles()
                        : StoreOptions.defaults().shards(3))
                .syncMode(SyncMode.ALWAYS);
    }

    static byte[] marker(long n) {
        return ("marker-" + n).getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long first = Long.parseLong(args[2]);
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        try (Store store = Store.open(dir, options(args[3]))) {
            out.write("READY\n");
            out.flush();
            for (long n = first; ; n++) {
                WriteBatch batch = new WriteBatch();
                for (int k = 0; k < KEYS; k++) {
                    batch.put(CrashWriter.key(k), CrashWriter.value(n));
                }
                batch.put(marker(n), CrashWriter.value(n), System.currentTimeMillis() + 3_600_000)
                        .delete(marker(n - 1));
                out.write("B " + n + "\n");
                out.flush();
                store.apply(batch);
                out.write("OK\n");
                out.flush();
            }
        }
    }
}
