package io.toykv.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests of the packaged jar as a process under a small heap, started as {@link ServerProcessIT} starts it. */
abstract class SmallHeapProcessTest {
    static final String HEAP = "-Xmx256m";

    @TempDir
    Path dir;

    final ServerProcessIT processes = new ServerProcessIT();

    @BeforeEach
    void useDir() {
        processes.dir = dir;
    }

    @AfterEach
    void killLeftovers() {
        processes.killLeftovers();
    }

    /** The jar on {@code data} with {@link #HEAP}, exit on OutOfMemoryError, a GC log, two shards, and {@code extra}. */
    ServerProcessIT.Server startSmallHeap(Path data, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                ServerProcessIT.javaBin(),
                HEAP,
                "-XX:+ExitOnOutOfMemoryError",
                "-Xlog:gc",
                "-jar",
                ServerProcessIT.jar().toString(),
                "--port",
                "0",
                "--dir",
                data.toString(),
                "--shards",
                "2"));
        cmd.addAll(List.of(extra));
        return processes.start(cmd, Map.of());
    }
}
