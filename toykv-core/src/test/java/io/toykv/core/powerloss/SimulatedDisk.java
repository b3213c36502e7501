package io.toykv.core.powerloss;

import io.toykv.core.io.FileIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A device under a directory tree, kept beside the real files: the real files are the page cache (what
 * the store reads and maps), and this class keeps what the device holds, by the rules a power loss
 * follows:
 * <ul>
 *   <li>a file's bytes are durable once the file is forced (fsync, fdatasync), or, for the pages a
 *       mapping's force covers, once that force returns (msync); allocation forces the zeros it makes;
 *   <li>a creation, rename or unlink is durable once its directory is forced; until then a power loss
 *       keeps a prefix of the directory's changes, in order (a journaling file system's commits);
 *   <li>an unforced page of a file whose entry survives may hold its durable bytes, its written bytes,
 *       or, torn, a mix of the two by 512-byte sectors ({@link CrashImage}).
 * </ul>
 * A sparse file's size is taken as durable with its entry (ext4 and xfs log the size with the
 * creation); its bytes are zeros either way.
 *
 * <p>Every call is serialized on this object, and {@link #crashPoints} is called, in the calling
 * thread and under that lock, after each effect: the listener may {@link #capture} the state there.
 * Only {@link CrashPoint.Kind#WRITE} points come between forces; a write through a mapping is no call
 * at all, so its effect shows at the next point.
 */
public final class SimulatedDisk implements FileIo {
    public static final int PAGE = 4096;

    /** A file or directory as the device knows it; the same object under each name it has had. */
    static final class Inode {
        final boolean directory;
        /** The durable bytes; never changed in place (captures share it). */
        byte[] durable;
        /** The page-cache bytes of a file whose last name was unlinked or replaced, taken at that moment. */
        byte[] orphanImage;

        Inode(boolean directory, byte[] durable) {
            this.directory = directory;
            this.durable = durable;
        }
    }

    /** One change to a directory's entries: {@code removed} goes (may be null), {@code added} names {@code inode} (may be null). */
    record NameChange(Path removed, Path added, Inode inode) {
        void applyTo(Map<Path, Inode> names) {
            if (removed != null) {
                names.remove(removed);
            }
            if (added != null) {
                names.put(added, inode);
            }
        }
    }

    /** Called after each effect; may call {@link #capture}. */
    public interface CrashPoints {
        void at(CrashPoint point);

        /**
         * Another thread's sync ({@link #concurrentForcePoint}) starts now, before it reads or forces
         * anything: what it promises durable is what returned before this moment, not what returns
         * while it runs (other threads go on writing through mappings meanwhile).
         */
        default void syncStarting() {}
    }

    private final Path root;
    /** Entries as the page cache has them: every file and directory under the root. */
    private final Map<Path, Inode> live = new HashMap<>();
    /** Entries as the device has them. */
    private final Map<Path, Inode> durable = new HashMap<>();
    /** Per directory, its changes not yet forced, oldest first. */
    private final Map<Path, List<NameChange>> pending = new HashMap<>();

    private CrashPoints crashPoints = p -> {};
    private long effects;
    private boolean inCrashPoint;
    private boolean concurrentSyncs;

    /** A device under {@code root} (which must exist) holding what is there now, all of it durable. */
    public SimulatedDisk(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        try (Stream<Path> all = Files.walk(this.root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.equals(this.root)) {
                    continue;
                }
                Inode i = Files.isDirectory(p) ? new Inode(true, new byte[0]) : new Inode(false, Files.readAllBytes(p));
                live.put(p, i);
                durable.put(p, i);
            }
        }
    }

    public Path root() {
        return root;
    }

    public synchronized void crashPoints(CrashPoints listener) {
        this.crashPoints = listener;
    }

    /** Effects so far (each a possible crash point). */
    public synchronized long effects() {
        return effects;
    }

    private Path norm(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private void point(CrashPoint.Kind kind, Path path) {
        effects++;
        if (inCrashPoint) {
            return;
        }
        inCrashPoint = true;
        try {
            crashPoints.at(new CrashPoint(effects, kind, root.relativize(path).toString()));
        } finally {
            inCrashPoint = false;
        }
    }

    private Inode inode(Path p) {
        Inode i = live.get(p);
        if (i == null) {
            throw new IllegalStateException(
                    "the simulated disk does not know " + p + ": it was made without its FileIo");
        }
        return i;
    }

    private void change(Path dir, NameChange c) {
        pending.computeIfAbsent(dir, d -> new ArrayList<>()).add(c);
    }

    private void created(Path p, Inode i) {
        live.put(p, i);
        change(p.getParent(), new NameChange(null, p, i));
    }

    private static boolean creates(OpenOption[] options) {
        for (OpenOption o : options) {
            if (o == StandardOpenOption.CREATE || o == StandardOpenOption.CREATE_NEW) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized FileChannel open(Path path, OpenOption... options) throws IOException {
        Path p = norm(path);
        boolean existed = live.containsKey(p);
        FileChannel ch = FileIo.REAL.open(path, options);
        if (!existed && creates(options)) {
            created(p, new Inode(false, new byte[0]));
            point(CrashPoint.Kind.CREATE, p);
        }
        return ch;
    }

    @Override
    public synchronized int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
        Path p = norm(path);
        inode(p);
        int n = FileIo.REAL.write(ch, path, src, position);
        point(CrashPoint.Kind.WRITE, p);
        return n;
    }

    @Override
    public synchronized void force(FileChannel ch, Path path, boolean metaData) throws IOException {
        Path p = norm(path);
        Inode i = inode(p);
        FileIo.REAL.force(ch, path, metaData);
        i.durable = Files.readAllBytes(p);
        point(CrashPoint.Kind.FORCE, p);
    }

    @Override
    public synchronized MappedByteBuffer mapReadWrite(FileChannel ch, Path path, long size) throws IOException {
        inode(norm(path));
        return FileIo.REAL.mapReadWrite(ch, path, size);
    }

    @Override
    public synchronized void force(MappedByteBuffer map, Path path, int index, int length) {
        Path p = norm(path);
        Inode i = inode(p);
        FileIo.REAL.force(map, path, index, length);
        int from = index / PAGE * PAGE;
        int to = (int) Math.min(map.capacity(), ((long) index + length + PAGE - 1) / PAGE * PAGE);
        byte[] d = Arrays.copyOf(i.durable, Math.max(i.durable.length, to));
        map.get(from, d, from, to - from);
        i.durable = d;
        point(CrashPoint.Kind.FORCE, p);
    }

    @Override
    public synchronized void allocate(Path file, long size) throws IOException {
        FileIo.REAL.allocate(file, size);
        createdZeros(file, size);
    }

    @Override
    public synchronized void createSparse(Path file, long size) throws IOException {
        FileIo.REAL.createSparse(file, size);
        createdZeros(file, size);
    }

    @Override
    public synchronized void createFile(Path file) throws IOException {
        FileIo.REAL.createFile(file);
        createdZeros(file, 0);
    }

    private void createdZeros(Path file, long size) {
        Path p = norm(file);
        created(p, new Inode(false, new byte[Math.toIntExact(size)]));
        point(CrashPoint.Kind.CREATE, p);
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        Path p = norm(dir);
        List<Path> missing = new ArrayList<>();
        for (Path d = p;
                d != null && d.startsWith(root) && !d.equals(root) && !live.containsKey(d);
                d = d.getParent()) {
            missing.add(0, d);
        }
        FileIo.REAL.createDirectories(dir);
        for (Path d : missing) {
            created(d, new Inode(true, new byte[0]));
            point(CrashPoint.Kind.CREATE, d);
        }
    }

    @Override
    public synchronized void move(Path from, Path to) throws IOException {
        Path f = norm(from);
        Path t = norm(to);
        Inode i = inode(f);
        Inode replaced = live.get(t);
        if (replaced != null) {
            replaced.orphanImage = Files.readAllBytes(t);
        }
        FileIo.REAL.move(from, to);
        live.remove(f);
        live.put(t, i);
        if (!f.getParent().equals(t.getParent())) {
            throw new IllegalStateException("a rename across directories is not simulated: " + f + " to " + t);
        }
        change(t.getParent(), new NameChange(f, t, i));
        point(CrashPoint.Kind.RENAME, t);
    }

    @Override
    public synchronized boolean deleteIfExists(Path file) throws IOException {
        Path p = norm(file);
        Inode i = live.get(p);
        if (i == null) {
            if (Files.exists(p)) {
                throw new IllegalStateException("the simulated disk does not know " + p);
            }
            return false;
        }
        if (!i.directory) {
            i.orphanImage = Files.readAllBytes(p);
        }
        FileIo.REAL.delete(file);
        live.remove(p);
        change(p.getParent(), new NameChange(p, null, null));
        point(CrashPoint.Kind.UNLINK, p);
        return true;
    }

    @Override
    public synchronized void delete(Path file) throws IOException {
        if (!deleteIfExists(file)) {
            throw new NoSuchFileException(file.toString());
        }
    }

    @Override
    public synchronized void forceDirectory(Path dir) throws IOException {
        Path d = norm(dir);
        FileIo.REAL.forceDirectory(dir);
        List<NameChange> changes = pending.remove(d);
        if (changes != null) {
            changes.forEach(c -> c.applyTo(durable));
        }
        point(CrashPoint.Kind.DIRECTORY_FORCE, d);
    }

    /**
     * A crash-point variant ({@link CrashPoint.Kind#CONCURRENT_SYNC}): another thread's sync lands here
     * and returns. It runs {@code otherThreadsForce} (the store's own force of {@code path}, which sees
     * the store's state as it is at this moment), then forces every other file (a sync forces the keys
     * log; the kernel may write any other dirty page back at any time), and the crash point comes. Then
     * the device is put back as it was: the store goes on as if no other thread had forced anything.
     * Directory entries are left alone (a sync forces none).
     */
    @Override
    public synchronized void concurrentForcePoint(Path path, Runnable otherThreadsForce) {
        Path p = norm(path);
        effects++;
        if (inCrashPoint || !concurrentSyncs) {
            return;
        }
        Map<Inode, byte[]> before = new IdentityHashMap<>();
        live.values().forEach(i -> before.put(i, i.durable));
        durable.values().forEach(i -> before.put(i, i.durable));
        pending.values()
                .forEach(l -> l.stream()
                        .filter(c -> c.inode() != null)
                        .forEach(c -> before.put(c.inode(), c.inode().durable)));
        inCrashPoint = true; // the forces below are part of this point, not points of their own
        try {
            crashPoints.syncStarting();
            // The other files' bytes are read before the store's own force: the store's writers take no
            // lock of this disk to append through mappings, and key records are appended after the
            // values they name, so records read first name no value the force below leaves out (as in
            // capture). A file unlinked or replaced is still forced through the channel its writer holds.
            Map<Inode, Path> livePaths = new IdentityHashMap<>();
            live.forEach((at, i) -> livePaths.put(i, at));
            Map<Inode, byte[]> forced = new IdentityHashMap<>();
            for (Inode i : before.keySet()) {
                Path at = livePaths.get(i);
                if (!i.directory && !p.equals(at)) {
                    forced.put(
                            i, at != null ? Files.readAllBytes(at) : i.orphanImage != null ? i.orphanImage : i.durable);
                }
            }
            otherThreadsForce.run();
            forced.forEach((i, bytes) -> i.durable = bytes);
            crashPoints.at(new CrashPoint(
                    effects, CrashPoint.Kind.CONCURRENT_SYNC, root.relativize(p).toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            inCrashPoint = false;
            before.forEach((i, d) -> i.durable = d);
        }
    }

    /** Whether {@link #concurrentForcePoint} runs its variant (off unless asked). */
    public synchronized void concurrentSyncs(boolean on) {
        this.concurrentSyncs = on;
    }

    /**
     * What a power loss now could leave: the device's entries and bytes, the directories' unforced
     * changes, and the page-cache bytes of every file either could name.
     */
    public synchronized CrashImage capture() {
        Map<Inode, Path> livePaths = new IdentityHashMap<>();
        live.forEach((p, i) -> livePaths.put(i, p));
        Map<Inode, CrashImage.FileImage> images = new IdentityHashMap<>();
        Map<Path, Inode> names = new TreeMap<>();
        durable.forEach((p, i) -> names.put(root.relativize(p), i));
        Map<Path, List<NameChange>> changes = new TreeMap<>();
        pending.forEach((d, l) -> {
            List<NameChange> rel = new ArrayList<>();
            for (NameChange c : l) {
                rel.add(new NameChange(
                        c.removed() == null ? null : root.relativize(c.removed()),
                        c.added() == null ? null : root.relativize(c.added()),
                        c.inode()));
            }
            changes.put(root.relativize(d), rel);
        });
        List<Inode> nameable = new ArrayList<>(names.values());
        changes.values().forEach(l -> l.stream().filter(c -> c.inode() != null).forEach(c -> nameable.add(c.inode())));
        // Writes through mappings go on while this reads (they take no lock): read the files written
        // last in a put first. Key records are appended after the values they name, so the keys files'
        // bytes, read first, name no value the buffer's bytes, read after them, lack: the state is one a
        // crash could leave (the key records appended meanwhile were not forced: forces wait for this
        // lock). Everything else changes only through this object.
        nameable.sort(java.util.Comparator.comparingInt(i -> readOrder(livePaths.get(i))));
        for (Inode i : nameable) {
            images.computeIfAbsent(
                    i,
                    x -> new CrashImage.FileImage(
                            x.directory, x.durable, x.directory ? x.durable : pageCache(x, livePaths.get(x))));
        }
        return new CrashImage(names, changes, images);
    }

    /** Keys-log files first, then the buffer, then the rest ({@link #capture}). */
    private static int readOrder(Path live) {
        String name = live == null ? "" : live.getFileName().toString();
        return name.endsWith(".k") || name.endsWith(".k.tmp") ? 0 : name.equals("values.b") ? 1 : 2;
    }

    private static byte[] pageCache(Inode i, Path livePath) {
        if (livePath == null) {
            return i.orphanImage != null ? i.orphanImage : i.durable;
        }
        try {
            return Files.readAllBytes(livePath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
