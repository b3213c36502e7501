package io.toykv.core.powerloss;

import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A sequence of store calls made from a seed: puts of mixed sizes over a small key space (so that
 * overwrites and deletes leave garbage to collect; values past {@link #LARGE_VALUE} bytes, about one
 * put in fourteen, each get a segment of their own), deletes, {@code sync()}, {@code compact()},
 * {@code clear()}, a clean close and reopen, and a power loss followed by a reopen of what it left; in
 * {@code EVERY_SECOND} mode, the once-a-second sync's rounds at seeded points, so that a run replays.
 * The options (sync mode, shard count, 64 KiB files so that segments and keys files roll) come from the
 * seed too.
 */
record Workload(
        long seed, SyncMode syncMode, int shards, long segmentSize, boolean autoCompaction, int keys, List<Op> ops) {
    static final int MAX_VALUE = 30_000;
    /** The workloads' {@code largeValueSize}: longer values take the large-value path. */
    static final int LARGE_VALUE = 8_000;
    /** One in this many ops of an EVERY_SECOND workload is preceded by a round of the background sync. */
    static final int BACKGROUND_SYNC_RATE = 12;

    /** Where the workload's clock starts (StoreOptions.clock): any time after the epoch. */
    static final long CLOCK_START = 1_000_000_000_000L;

    enum Kind {
        PUT,
        PUT_EXPIRING,
        EXPIRE_AT,
        PERSIST,
        ADVANCE_CLOCK,
        DELETE,
        BATCH,
        /** Puts and deletes in one {@link io.toykv.core.DeferredSync} scope: promised once it closes. */
        DEFERRED,
        SYNC,
        /** In EVERY_SECOND mode, a round of the once-a-second sync, run at this point of the workload. */
        BACKGROUND_SYNC,
        COMPACT,
        CLEAR,
        REOPEN,
        CRASH_AND_REOPEN
    }

    /**
     * One call; {@code key}, {@code size} and {@code millis} (an expiry this far after the clock's time, or
     * how far the clock moves) only where they apply.
     */
    record Op(Kind kind, int key, int size, long millis) {
        Op(Kind kind, int key, int size) {
            this(kind, key, size, 0);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case PUT -> "put(" + key + ", " + size + " bytes)";
                case PUT_EXPIRING -> "put(" + key + ", " + size + " bytes, expiring in " + millis + " ms)";
                case EXPIRE_AT -> "expireAt(" + key + ", in " + millis + " ms)";
                case PERSIST -> "persist(" + key + ")";
                case ADVANCE_CLOCK -> "clock +" + millis + " ms";
                case DELETE -> "delete(" + key + ")";
                case BATCH -> "apply(from key " + key + ", seed " + millis + ")";
                case DEFERRED -> "deferred(from key " + key + ", seed " + millis + ")";
                case BACKGROUND_SYNC -> "background sync";
                default -> kind.name().toLowerCase();
            };
        }

        /**
         * A BATCH's (or DEFERRED's) changes among {@code keys} keys, from its {@code millis} (a seed): two to five distinct
         * keys from {@code key} on (at most 16 apart, so distinct in any workload's key space), each a put
         * of {@code size} bytes or more, or (one in four) a delete.
         */
        List<BatchChange> changes(int keys) {
            SplittableRandom r = new SplittableRandom(millis);
            int n = 2 + r.nextInt(4);
            List<BatchChange> out = new ArrayList<>();
            int k = key;
            for (int i = 0; i < n; i++) {
                out.add(new BatchChange(k % keys, r.nextInt(4) == 0 ? -1 : size + r.nextInt(300)));
                k += 1 + r.nextInt(4);
            }
            return out;
        }
    }

    /** One change of a BATCH: a put of {@code size} bytes to key {@code key}, or a delete ({@code size} -1). */
    record BatchChange(int key, int size) {
        @Override
        public String toString() {
            return size < 0 ? "delete " + key : "put " + key + " " + size + " bytes";
        }
    }

    static Workload generate(long seed, int length) {
        SplittableRandom r = new SplittableRandom(seed);
        SyncMode mode = SyncMode.values()[r.nextInt(SyncMode.values().length)];
        int shards = 1 + r.nextInt(2);
        long segmentSize = (1 + r.nextInt(2)) * 64L * 1024;
        boolean auto = r.nextInt(3) == 0;
        int keys = 20 + r.nextInt(150);
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            if (mode == SyncMode.EVERY_SECOND && r.nextInt(BACKGROUND_SYNC_RATE) == 0) {
                ops.add(new Op(Kind.BACKGROUND_SYNC, 0, 0));
            }
            int x = r.nextInt(1000);
            if (x >= 640 && x < 700) {
                Op batch = new Op(Kind.BATCH, r.nextInt(keys), 8 + r.nextInt(500), r.nextLong());
                ops.add(batch);
                if (r.nextInt(3) == 0) {
                    // An expiry change of one of the batch's keys right after it: its record names the
                    // batch's value (the collections of COMPACT ops move such values too).
                    List<BatchChange> changes = batch.changes(keys);
                    int key = changes.get(r.nextInt(changes.size())).key();
                    ops.add(
                            r.nextBoolean()
                                    ? new Op(Kind.EXPIRE_AT, key, 0, 1 + r.nextInt(4000))
                                    : new Op(Kind.PERSIST, key, 0));
                }
            } else if (x >= 610 && x < 640) {
                ops.add(new Op(Kind.DEFERRED, r.nextInt(keys), 8 + r.nextInt(500), r.nextLong()));
            } else if (x < 700) {
                int s = r.nextInt(10);
                int size =
                        s < 7 ? 8 + r.nextInt(200) : s < 9 ? 200 + r.nextInt(4000) : 4000 + r.nextInt(MAX_VALUE - 4000);
                if (r.nextInt(5) == 0) {
                    ops.add(new Op(Kind.PUT_EXPIRING, r.nextInt(keys), size, 1 + r.nextInt(4000)));
                } else {
                    ops.add(new Op(Kind.PUT, r.nextInt(keys), size));
                }
            } else if (x < 810) {
                ops.add(new Op(Kind.DELETE, r.nextInt(keys), 0));
            } else if (x < 830) {
                ops.add(new Op(Kind.EXPIRE_AT, r.nextInt(keys), 0, 1 + r.nextInt(4000)));
            } else if (x < 845) {
                ops.add(new Op(Kind.PERSIST, r.nextInt(keys), 0));
            } else if (x < 860) {
                ops.add(new Op(Kind.ADVANCE_CLOCK, 0, 0, r.nextInt(3000)));
            } else if (x < 920) {
                ops.add(new Op(Kind.SYNC, 0, 0));
            } else if (x < 955) {
                ops.add(new Op(Kind.COMPACT, 0, 0));
            } else if (x < 975) {
                ops.add(new Op(Kind.REOPEN, 0, 0));
            } else if (x < 995) {
                ops.add(new Op(Kind.CRASH_AND_REOPEN, 0, 0));
            } else {
                ops.add(new Op(Kind.CLEAR, 0, 0));
            }
        }
        return new Workload(seed, mode, shards, segmentSize, auto, keys, List.copyOf(ops));
    }

    /** The same workload with only the ops at {@code keep} (a shrink step). */
    Workload keeping(List<Op> keep) {
        return new Workload(seed, syncMode, shards, segmentSize, autoCompaction, keys, List.copyOf(keep));
    }

    StoreOptions options() {
        return StoreOptions.defaults()
                .shards(shards)
                .syncMode(syncMode)
                .bufferSize(64 * 1024)
                .segmentSize(segmentSize)
                .keysFileSize(64 * 1024)
                .maxValueSize(MAX_VALUE)
                .largeValueSize(LARGE_VALUE)
                .autoCompaction(autoCompaction);
    }

    /**
     * Key {@code id}: its number, padded to a length between 4 and 300 that depends on the id alone; key 0
     * is the empty key.
     */
    static byte[] key(int id) {
        if (id == 0) {
            return new byte[0];
        }
        int length = 4 + (int) Math.floorMod(id * 0x9E3779B97F4A7C15L >>> 17, 297L);
        byte[] k = new byte[Math.max(length, 12)];
        Arrays.fill(k, (byte) '.');
        byte[] name = String.format("k%010d", id).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, k, 0, name.length);
        return k;
    }

    /** The key id of {@code key}, or -1 if no workload writes such a key. */
    static int keyId(byte[] key) {
        if (key.length == 0) {
            return 0;
        }
        if (key.length < 11 || key[0] != 'k') {
            return -1;
        }
        try {
            int id = Integer.parseInt(new String(key, 1, 10, StandardCharsets.US_ASCII));
            return Arrays.equals(key(id), key) ? id : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The value put by write number {@code write}: its number, then bytes made from it, so that every put's value is its own. */
    static byte[] value(long write, int size) {
        byte[] v = new byte[size];
        SplittableRandom r = new SplittableRandom(write);
        for (int i = 8; i < size; i++) {
            v[i] = (byte) r.nextInt(256);
        }
        for (int i = 0; i < 8; i++) {
            v[i] = (byte) (write >>> (8 * i));
        }
        return v;
    }

    /** The write number a value claims to be from, or -1 if it is too short to say. */
    static long writeOf(byte[] value) {
        if (value.length < 8) {
            return -1;
        }
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w |= (value[i] & 0xFFL) << (8 * i);
        }
        return w;
    }

    @Override
    public String toString() {
        return "workload seed " + seed + " (" + syncMode + ", " + shards + " shard(s), segments of " + segmentSize
                + " bytes, autoCompaction " + autoCompaction + ", " + keys + " keys): " + ops;
    }
}
