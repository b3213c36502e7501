package io.toykv.core.engine;

/**
 * One change of an atomic batch ({@link AtomicBatches}), in the engine's terms: {@code expireAt} is 0
 * for none, {@link Shard#KEEP_EXPIRY} (puts only), or milliseconds since the epoch.
 */
public record BatchOp(Kind kind, byte[] key, byte[] value, long expireAt) {
    public enum Kind {
        /** Sets the key's value and expiry; an expiry that has passed deletes the key. */
        PUT,
        /** Removes the key. */
        DELETE,
        /** Sets the expiry of a present key (0: removes it) keeping its value; one that has passed deletes it. */
        EXPIRE
    }
}
