package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.ShardRouter;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In {@link SyncMode#ALWAYS} mode a group commit costs one device flush, whatever the shards its writers
 * wrote to: the forces made on writers' threads are counted through {@link StoreOptions#fileIo}.
 */
class GroupCommitFlushTest {
    private static final int THREADS = 8;
    private static final int PUTS_PER_THREAD = 150;

    @TempDir
    Path dir;

    @Test
    void concurrentPutsAcrossShardsShareOneForceOfOneFilePerGroup() throws Exception {
        CountingFileIo io = new CountingFileIo();
        StoreOptions options = StoreOptions.defaults()
                .shards(4)
                .syncMode(SyncMode.ALWAYS)
                .autoCompaction(false)
                .fileIo(io);
        Set<Integer> shardsWritten = ConcurrentHashMap.newKeySet();
        try (Store store = Store.open(dir, options)) {
            io.counting = true;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Thread w = new Thread(
                        () -> {
                            try {
                                start.await();
                                for (int i = 0; i < PUTS_PER_THREAD; i++) {
                                    byte[] key = key(thread, i);
                                    store.put(key, value(thread, i));
                                    shardsWritten.add(ShardRouter.shardOf(key, 4));
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "writer-" + t);
                io.writers.add(w);
                writers.add(w);
                w.start();
            }
            start.countDown();
            for (Thread w : writers) {
                w.join();
            }
            io.counting = false;
            int puts = THREADS * PUTS_PER_THREAD;
            assertEquals(4, shardsWritten.size(), "the puts went to every shard");
            // Every force a writer made is a group commit's, of the one journal file: no msync of a
            // shard's buffer or keys log, no second file per group.
            assertEquals(Map.of("journal.log", io.writerForces.get()), io.writerForcesByFile());
            long rounds = io.writerForces.get();
            assertTrue(rounds >= 1, "the puts were forced");
            assertTrue(
                    rounds <= puts / 2,
                    rounds + " forces for " + puts + " puts by " + THREADS + " threads: writers did not share forces");
            for (int t = 0; t < THREADS; t++) {
                for (int i = 0; i < PUTS_PER_THREAD; i++) {
                    assertArrayEquals(value(t, i), store.get(key(t, i)));
                }
            }
        }
        try (Store store = Store.open(dir, StoreOptions.defaults().syncMode(SyncMode.ALWAYS))) {
            assertEquals(THREADS * PUTS_PER_THREAD, store.size());
        }
    }

    private static byte[] key(int thread, int i) {
        return ("k" + thread + "-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int thread, int i) {
        return ("value of " + thread + "/" + i + " ".repeat(200)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The real file system, counting the forces made on the writer threads by file name. A journal force
     * waits a little, as a slow device would, so that writers queue behind it.
     */
    private static final class CountingFileIo extends ForwardingFileIo {
        final Set<Thread> writers = new HashSet<>();
        volatile boolean counting;
        final AtomicLong writerForces = new AtomicLong();
        private final Map<String, AtomicLong> byFile = new ConcurrentHashMap<>();

        Map<String, Long> writerForcesByFile() {
            Map<String, Long> m = new java.util.TreeMap<>();
            byFile.forEach((k, v) -> m.put(k, v.get()));
            return m;
        }

        private boolean onWriter() {
            return counting && writers.contains(Thread.currentThread());
        }

        private void count(Path path) {
            if (onWriter()) {
                writerForces.incrementAndGet();
                byFile.computeIfAbsent(path.getFileName().toString(), k -> new AtomicLong())
                        .incrementAndGet();
            }
        }

        @Override
        public void force(FileChannel ch, Path path, boolean metaData) throws IOException {
            count(path);
            super.force(ch, path, metaData);
            if (onWriter()) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void force(MappedByteBuffer map, Path path, int index, int length) {
            count(path);
            super.force(map, path, index, length);
        }

        @Override
        public void forceDirectory(Path dir) throws IOException {
            count(dir);
            super.forceDirectory(dir);
        }
    }
}
