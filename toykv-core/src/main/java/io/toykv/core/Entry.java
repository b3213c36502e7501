package io.toykv.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * One key and its value, as returned by a {@link Store#scan scan}. The arrays belong to the caller.
 *
 * @param key the key, never null
 * @param value the value, never null (possibly empty)
 */
public record Entry(byte[] key, byte[] value) {

    public Entry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry other && Arrays.equals(key, other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Entry[key=" + Arrays.toString(key) + ", value=" + value.length + " bytes]";
    }
}
