package io.toykv.bench.workload;

/**
 * The embedded workloads, in the order a run performs them. {@link #FILLSEQ} fills a store of its own;
 * the rest run one after another on a second store that {@link #FILLRANDOM} filled.
 */
public enum Workload {
    /** N puts of ids 0..N-1 in key order into an empty store. */
    FILLSEQ("fillseq"),
    /** N puts of the seed order (ids shuffled with Random(42)) into an empty store. */
    FILLRANDOM("fillrandom"),
    /** N puts over existing keys, each key once, in another shuffled order. */
    OVERWRITE("overwrite"),
    /** N gets of existing keys in a shuffled order; each value is checked. */
    READRANDOM("readrandom"),
    /** N gets of keys that are not in the store (ids N..2N-1). */
    READMISSING("readmissing"),
    /** N/10 seeks to a random existing key, each reading the next 10 entries. */
    SEEKRANDOM("seekrandom"),
    /** One ordered scan of the whole store by one thread (whatever the run's thread count); entries per second. */
    FULLSCAN("fullscan"),
    /** Close and open again; the figure is the open time. */
    REOPEN("reopen"),
    /** N deletes of every key in a shuffled order. */
    DELETERANDOM("deleterandom");

    /** Entries each seek reads. */
    public static final int SHORT_SCAN = 10;

    private final String label;

    Workload(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Seed of this workload's key order (the fill order's is fixed at 42 by the toykv-core issue). */
    long seed() {
        return this == FILLRANDOM ? Keys.FILL_SEED : 42 + ordinal();
    }

    public static Workload parse(String s) {
        for (Workload w : values()) {
            if (w.label.equalsIgnoreCase(s)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload " + s + "; known: fillseq, fillrandom, overwrite, "
                + "readrandom, readmissing, seekrandom, fullscan, reopen, deleterandom");
    }
}
