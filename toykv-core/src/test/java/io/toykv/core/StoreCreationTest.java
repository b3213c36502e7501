package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.ShardManifest;
import io.toykv.core.engine.StoreManifest;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store is created in this order: each shard directory (then a force of the store directory), each
 * shard's files (its buffer, its head segment, keys file 1, each made under a temp name and renamed) and
 * its shard manifest, and the store manifest last. A crash at any point leaves a directory the next open
 * takes for a creation to finish.
 */
class StoreCreationTest {
    private static final int SHARDS = 2;

    @TempDir
    Path dir;

    /** One step of a creation, undone: what a crash just before the step leaves. */
    private record Undo(String leaves, Step step) {}

    @FunctionalInterface
    private interface Step {
        void undo(Path store) throws IOException;
    }

    /**
     * The steps of a creation, latest first, each undone as a crash before it would have left things: a
     * rename becomes its temp file, then the temp file goes. Shard 1 is undone before shard 0; the
     * shards are made in parallel, and the states of one shard whole and the other cut short stand for
     * every interleaving, since neither looks at the other.
     */
    private static List<Undo> creationUndone(Path whole) throws IOException {
        List<Undo> undo = new ArrayList<>();
        undo.add(new Undo(
                "store manifest written, not renamed",
                s -> Files.move(s.resolve(FileNames.MANIFEST), FileNames.temp(s.resolve(FileNames.MANIFEST)))));
        undo.add(new Undo(
                "every shard made, no store manifest",
                s -> Files.delete(FileNames.temp(s.resolve(FileNames.MANIFEST)))));
        for (int i = SHARDS - 1; i >= 0; i--) {
            int shard = i;
            undoFile(undo, shard, ShardManifest.NAME, "shard manifest");
            undoFile(undo, shard, FileNames.keysFile(Path.of(""), 1).toString(), "keys file 1");
            for (Path f : MissingFilesTest.files(FileNames.shardDir(whole, i), FileNames.SEGMENT_SUFFIX)) {
                undoFile(undo, shard, f.getFileName().toString(), "segment");
            }
            undoFile(undo, shard, FileNames.BUFFER, "buffer");
            undo.add(new Undo("shard " + shard + ": no directory", s -> Files.delete(FileNames.shardDir(s, shard))));
        }
        return undo;
    }

    private static void undoFile(List<Undo> undo, int shard, String name, String what) {
        undo.add(new Undo("shard " + shard + ": " + what + " written, not renamed", s -> {
            Path f = FileNames.shardDir(s, shard).resolve(name);
            Files.move(f, FileNames.temp(f));
        }));
        undo.add(new Undo(
                "shard " + shard + ": no " + what,
                s -> Files.delete(FileNames.temp(FileNames.shardDir(s, shard).resolve(name)))));
    }

    @Test
    void crashDuringCreationLeavesAStoreThatOpens() throws IOException {
        Path whole = dir.resolve("whole");
        Store.open(whole, MissingFilesTest.options(SHARDS)).close();
        Files.deleteIfExists(whole.resolve(FileNames.LOCK));
        List<Undo> undo = creationUndone(whole);
        for (int n = 1; n <= undo.size(); n++) {
            Path at = dir.resolve("crash-" + n);
            copyStore(whole, at);
            for (int k = 0; k < n; k++) {
                undo.get(k).step().undo(at);
            }
            String leaves = undo.get(n - 1).leaves();
            try (Store s = Store.open(at, MissingFilesTest.options(SHARDS))) {
                assertEquals(0, s.size(), leaves);
                s.put(MissingFilesTest.key(1), MissingFilesTest.value(1));
            } catch (CorruptionException e) {
                throw new AssertionError("a crash that leaves \"" + leaves + "\": " + e.getMessage(), e);
            }
            try (Store s = Store.open(at, MissingFilesTest.options(SHARDS))) {
                assertArrayEquals(MissingFilesTest.value(1), s.get(MissingFilesTest.key(1)), leaves);
            }
            StoreManifest.Contents m = StoreManifest.read(at);
            assertNotNull(m, leaves);
            for (int i = 0; i < SHARDS; i++) {
                assertEquals(
                        m.storeId(),
                        ShardManifest.read(FileNames.shardDir(at, i)).storeId(),
                        leaves);
            }
        }
        assertTrue(undo.size() > 2 + SHARDS * 7, "every step undone: " + undo.size());
    }

    private static void copyStore(Path from, Path to) throws IOException {
        MissingFilesTest.copyTree(from, to);
        for (Path d : MissingFilesTest.files(from, "")) {
            if (Files.isDirectory(d)) {
                Files.delete(to.resolve(d.getFileName()));
                MissingFilesTest.copyTree(d, to.resolve(d.getFileName()));
            }
        }
    }

    @Test
    void aShardDirectoryWithAKeyRecordIsNoLeftoverOfCreation() throws IOException {
        try (Store s = Store.open(dir, MissingFilesTest.options(SHARDS))) {
            s.put(MissingFilesTest.key(1), MissingFilesTest.value(1));
        }
        Files.delete(dir.resolve(FileNames.MANIFEST));
        for (int i = 0; i < SHARDS; i++) {
            Files.delete(FileNames.shardDir(dir, i).resolve(ShardManifest.NAME));
        }
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> Store.open(dir, MissingFilesTest.options(SHARDS)));
        assertTrue(e.getMessage().contains("holds key records"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve(FileNames.MANIFEST)), "no new manifest written");
    }

    @Test
    void aLeftoverOfAnotherShardCountIsRefusedNotDeleted() throws IOException {
        Files.createDirectories(FileNames.shardDir(dir, SHARDS));
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> Store.open(dir, MissingFilesTest.options(SHARDS)));
        assertTrue(e.getMessage().contains("is not one of the " + SHARDS + " shard directories"), e.getMessage());
        try (Store s = Store.open(dir, MissingFilesTest.options(SHARDS + 1))) {
            assertEquals(SHARDS + 1, s.options().shards());
        }
    }
}
