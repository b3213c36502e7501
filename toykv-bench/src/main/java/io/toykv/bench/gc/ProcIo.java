package io.toykv.bench.gc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's {@code write_bytes} from /proc/self/io: bytes it caused to be sent to the block device. */
final class ProcIo {
    private ProcIo() {
    }

    static long writeBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).trim());
            }
        }
        throw new IOException("/proc/self/io has no write_bytes line");
    }
}
