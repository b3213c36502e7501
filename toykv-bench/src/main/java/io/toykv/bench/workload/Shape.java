package io.toykv.bench.workload;

/**
 * A key and value size. Keys are ids written as zero-padded lower-case hex of the key's length, so that
 * the 8-byte keys are exactly {@code String.format("%08x", id)} as the toykv-core issue defines them.
 *
 * @param name the label used on the command line and in the CSV
 * @param keySize bytes per key: 8 or 16
 * @param valueSize bytes per value
 */
public record Shape(String name, int keySize, int valueSize) {
    /** The original toy-kv's shape: 8-byte keys, 256-byte values. */
    public static final Shape SEED = new Shape("k8v256", 8, 256);

    public static final Shape K16V1K = new Shape("k16v1k", 16, 1024);
    public static final Shape K16V4K = new Shape("k16v4k", 16, 4096);

    public Shape {
        if (keySize != 8 && keySize != 16) {
            throw new IllegalArgumentException("keySize must be 8 or 16, was " + keySize);
        }
        if (valueSize < 8) {
            throw new IllegalArgumentException(
                    "valueSize must be at least 8 (the id is stored in it), was " + valueSize);
        }
    }

    /** User bytes of one pair. */
    public long pairBytes() {
        return keySize + valueSize;
    }

    public static Shape parse(String s) {
        for (Shape shape : new Shape[] {SEED, K16V1K, K16V4K}) {
            if (shape.name.equals(s)) {
                return shape;
            }
        }
        throw new IllegalArgumentException("shape must be k8v256, k16v1k or k16v4k, was " + s);
    }
}
