package io.toykv.core;

import io.toykv.core.engine.BatchOp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Changes to apply together with {@link Store#apply}: all or nothing, in the order added. Keys and
 * values are copied as they are added, so the caller may reuse its arrays. Not thread-safe; reusable
 * after {@link #clear}. Expiry times are as for {@link Store#put(byte[], byte[], long)} and
 * {@link Store#expireAt}.
 */
public final class WriteBatch {
    private final List<BatchOp> ops = new ArrayList<>();

    /** Sets {@code key} to {@code value} without an expiry (one the key had is removed, as Redis SET does). */
    public WriteBatch put(byte[] key, byte[] value) {
        return put(key, value, Store.NO_EXPIRY);
    }

    /**
     * Sets {@code key} to {@code value}, expiring at {@code expireAtMillis} (or {@link Store#NO_EXPIRY},
     * or {@link Store#KEEP_EXPIRY}); a time that has passed when the batch is applied deletes the key.
     *
     * @throws IllegalArgumentException {@code expireAtMillis} is 0 or a negative value other than the constants
     */
    public WriteBatch put(byte[] key, byte[] value, long expireAtMillis) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        long at = Store.engineExpiry(expireAtMillis);
        ops.add(new BatchOp(BatchOp.Kind.PUT, key.clone(), value.clone(), at));
        return this;
    }

    /** Removes {@code key} (nothing if it is absent). */
    public WriteBatch delete(byte[] key) {
        ops.add(new BatchOp(
                BatchOp.Kind.DELETE, Objects.requireNonNull(key, "key").clone(), null, 0));
        return this;
    }

    /**
     * Sets the expiry of {@code key} to {@code expireAtMillis} keeping its value (Redis PEXPIREAT); a
     * time that has passed (0 or negative included) deletes the key; nothing if the key is absent.
     */
    public WriteBatch expireAt(byte[] key, long expireAtMillis) {
        // As Store#expireAt: the engine's 0 means "none", and a time at or before the epoch has passed.
        ops.add(new BatchOp(
                BatchOp.Kind.EXPIRE, Objects.requireNonNull(key, "key").clone(), null, Math.max(1, expireAtMillis)));
        return this;
    }

    /** Removes the expiry of {@code key} keeping its value (Redis PERSIST); nothing if it has none. */
    public WriteBatch persist(byte[] key) {
        ops.add(new BatchOp(
                BatchOp.Kind.EXPIRE, Objects.requireNonNull(key, "key").clone(), null, 0));
        return this;
    }

    /** Changes added so far. */
    public int size() {
        return ops.size();
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** Forgets every change added. */
    public void clear() {
        ops.clear();
    }

    List<BatchOp> ops() {
        return Collections.unmodifiableList(ops);
    }
}
