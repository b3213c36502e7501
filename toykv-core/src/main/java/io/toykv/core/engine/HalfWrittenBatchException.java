package io.toykv.core.engine;

import java.io.IOException;

/**
 * An atomic batch failed (with an exception or an error) after writing a part and before its commit
 * record was known written: the next open decides the batch, and if the part has no commit record it
 * drops it and cuts its shards' keys logs there ({@link IncompleteBatches}). Every later write must be
 * refused until then, or the cut would take it (and a deletion resting on it would leave records
 * pointing into a deleted segment).
 */
public final class HalfWrittenBatchException extends IOException {
    private static final long serialVersionUID = 1L;

    HalfWrittenBatchException(Throwable cause) {
        super(
                "an atomic batch failed after writing part of it (" + cause.getMessage()
                        + "); writes are refused until the store is reopened, which keeps the batch whole or drops it",
                cause);
    }
}
