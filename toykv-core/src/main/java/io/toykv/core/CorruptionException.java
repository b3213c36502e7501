package io.toykv.core;

import java.io.IOException;
import java.nio.file.Path;

/** Data on disk failed a check (checksum, magic number, bounds): the message names the file and offset. */
public class CorruptionException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final String problem;

    public CorruptionException(Path file, long offset, String problem) {
        this(file, offset, problem, null);
    }

    public CorruptionException(Path file, long offset, String problem, Throwable cause) {
        super(file + " at offset " + offset + ": " + problem, cause);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    /** What is wrong, without the file and offset. */
    public String problem() {
        return problem;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }

    /** Byte offset of the damaged record or header within {@link #file()}. */
    public long offset() {
        return offset;
    }
}
