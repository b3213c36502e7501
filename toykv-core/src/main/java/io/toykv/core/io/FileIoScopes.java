package io.toykv.core.io;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The directories with a {@link FileIo} of their own ({@link FileIo#install}). A copy-on-write array:
 * installs are rare (a store's open and close), lookups happen on every force.
 */
final class FileIoScopes {
    private record Scope(Path dir, FileIo io) {}

    private static final Scope[] NONE = new Scope[0];
    private static volatile Scope[] scopes = NONE;

    private FileIoScopes() {}

    static FileIo lookup(Path path) {
        Scope[] s = scopes;
        if (s.length == 0) {
            return FileIo.REAL;
        }
        Path p = path.toAbsolutePath().normalize();
        for (Scope scope : s) {
            if (p.startsWith(scope.dir)) {
                return scope.io;
            }
        }
        return FileIo.REAL;
    }

    static FileIo.Installed install(Path dir, FileIo io) {
        if (io == FileIo.REAL) {
            return () -> {};
        }
        Scope scope = new Scope(dir.toAbsolutePath().normalize(), io);
        synchronized (FileIoScopes.class) {
            for (Scope other : scopes) {
                // One FileIo over nested directories is one scope in effect (the databases of a
                // store, under its directory, opened with its options); two would make a path's
                // FileIo depend on the order of the installs.
                if (other.io != io && (other.dir.startsWith(scope.dir) || scope.dir.startsWith(other.dir))) {
                    throw new IllegalStateException(dir + " overlaps " + other.dir + ", which has a FileIo installed");
                }
            }
            Scope[] next = Arrays.copyOf(scopes, scopes.length + 1);
            next[next.length - 1] = scope;
            scopes = next;
        }
        return new FileIo.Installed() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (FileIoScopes.class) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    scopes = Arrays.stream(scopes).filter(x -> x != scope).toArray(Scope[]::new);
                }
            }
        };
    }
}
