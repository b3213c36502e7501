package io.toykv.server.command;

import io.toykv.core.Entry;
import io.toykv.core.ScanIterator;
import io.toykv.core.Store;

/**
 * INFO keyspace's {@code avg_ttl}: like Redis's, an estimate from a sample, here the time to live in
 * milliseconds averaged over the keys with an expiry among the first {@value #SAMPLE} keys in key
 * order; 0 when the sample holds none. Bounded so that INFO stays cheap on a large store.
 */
final class AverageTtl {
    static final int SAMPLE = 128;

    private AverageTtl() {}

    static long estimate(Keyspace keyspace) {
        if (keyspace.expiringKeys() == 0) {
            return 0;
        }
        long now = keyspace.now();
        long sum = 0;
        long count = 0;
        try (ScanIterator it = keyspace.scan(null, null)) {
            for (int i = 0; i < SAMPLE && it.hasNext(); i++) {
                Entry e = it.next();
                long expiry = keyspace.expiry(e.key());
                if (expiry != Store.NO_EXPIRY && expiry != Store.NO_KEY) {
                    sum += Math.max(0, expiry - now);
                    count++;
                }
            }
        }
        return count == 0 ? 0 : sum / count;
    }
}
