package io.toykv.core.io;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileIoTest {
    @TempDir
    Path dir;

    private static FileIo unusable() {
        return (FileIo) Proxy.newProxyInstance(
                FileIo.class.getClassLoader(), new Class<?>[] {FileIo.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void pathsUnderAnInstalledDirectoryGetItsFileIo() throws IOException {
        FileIo io = unusable();
        try (FileIo.Installed installed = FileIo.install(dir.resolve("store"), io)) {
            assertSame(io, FileIo.of(dir.resolve("store")));
            assertSame(io, FileIo.of(dir.resolve("store/shard-000/values.b")));
            assertSame(io, FileIo.of(dir.resolve("store/x/../y")));
            assertSame(FileIo.REAL, FileIo.of(dir.resolve("store2/values.b")));
            assertSame(FileIo.REAL, FileIo.of(dir.resolve("other")));
        }
        assertSame(FileIo.REAL, FileIo.of(dir.resolve("store/shard-000/values.b")));
    }

    @Test
    void closingTwiceRemovesOnlyOnce() {
        FileIo a = unusable();
        FileIo b = unusable();
        FileIo.Installed first = FileIo.install(dir.resolve("a"), a);
        try (FileIo.Installed second = FileIo.install(dir.resolve("b"), b)) {
            first.close();
            first.close();
            assertSame(b, FileIo.of(dir.resolve("b/f")));
            assertSame(FileIo.REAL, FileIo.of(dir.resolve("a/f")));
        }
    }

    @Test
    void cannotInstallOverlappingDirectories() {
        try (FileIo.Installed installed = FileIo.install(dir.resolve("a"), unusable())) {
            assertThrows(IllegalStateException.class, () -> FileIo.install(dir.resolve("a/b"), unusable()));
            assertThrows(IllegalStateException.class, () -> FileIo.install(dir, unusable()));
        }
    }

    @Test
    void installingTheRealFileSystemChangesNothing() {
        try (FileIo.Installed installed = FileIo.install(dir, FileIo.REAL)) {
            assertSame(FileIo.REAL, FileIo.of(dir.resolve("f")));
        }
    }
}
