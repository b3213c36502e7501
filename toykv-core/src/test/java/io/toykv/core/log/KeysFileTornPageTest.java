package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.core.io.FileAllocator;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A power loss can tear a keys-file page by 512-byte sectors: the records up to some point, zeros, then
 * bytes of later records. Found by the power-loss explorer (a store recovered from such a state, written
 * to and compacted, then lost power again and failed to open).
 */
class KeysFileTornPageTest {
    private static final int SIZE = 64 * 1024;

    @TempDir
    Path dir;

    private static byte[] key(int length, int i) {
        byte[] k = new byte[length];
        Arrays.fill(k, (byte) '.');
        k[0] = (byte) ('a' + i);
        return k;
    }

    private static List<String> replay(KeysFile f, boolean isLast) throws Exception {
        List<String> keys = new ArrayList<>();
        f.recover(
                (rec, file, offset) -> {
                    keys.add(new String(rec.key(), StandardCharsets.US_ASCII));
                    return null;
                },
                isLast);
        return keys;
    }

    /** Creates the keys file {@code path} with three forced records; returns where they end. */
    private static int writeThreeRecords(Path path) throws Exception {
        KeysFile f = KeysFile.create(path, 1, SIZE, FileAllocator.DEFAULT);
        for (int i = 0; i < 3; i++) {
            f.append(KeyRecord.PUT, key(10, i), 10, 4096L * (i + 1));
        }
        f.force();
        int end = f.writePosition();
        f.unmap();
        return end;
    }

    @Test
    void recoverZeroesTornBytesAfterTheEndSoThatTheFileStaysReadableOnceItIsNotTheLast() throws Exception {
        Path path = dir.resolve("00000001.k");
        int end = writeThreeRecords(path);
        int nextRecord = KeyRecord.size(21);
        byte[] torn = new byte[30];
        Arrays.fill(torn, (byte) '.'); // a later record's key bytes, after a zero gap
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(torn), end + nextRecord);
        }

        KeysFile reopened = KeysFile.open(path, 1);
        assertEquals(3, replay(reopened, true).size());
        reopened.append(KeyRecord.PUT, key(21, 3), 10, 4096L * 4); // ends where the torn bytes began
        reopened.force();
        reopened.unmap();
        byte[] bytes = Files.readAllBytes(path);
        for (int i = end + nextRecord; i < SIZE; i++) {
            assertEquals(0, bytes[i], "byte " + i + " after the records");
        }

        KeysFile notLast = KeysFile.open(path, 1); // a later file follows it now: no tail is torn here
        assertEquals(4, replay(notLast, false).size());
        notLast.unmap();
    }

    /**
     * One torn byte anywhere in the rest of the last file is found and zeroed, and the count of bytes
     * dropped runs from the end of the records to it: at the file's very end, in each place of the last
     * eight-byte words, right after the records, and in between.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 7, 8, 9, 4099, SIZE / 2 + 3})
    void recoverDropsATornByteWhereverItLiesAfterTheRecords(int fromFileEnd) throws Exception {
        Path path = dir.resolve("00000001.k");
        int end = writeThreeRecords(path);
        for (int stray : new int[] {SIZE - 1 - fromFileEnd, end + fromFileEnd}) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {(byte) 0x5A}), stray);
            }
            KeysFile reopened = KeysFile.open(path, 1);
            assertEquals(stray + 1 - end, reopened.recover((rec, file, offset) -> null, true), "torn byte at " + stray);
            assertEquals(end, reopened.writePosition());
            reopened.unmap();
            byte[] bytes = Files.readAllBytes(path);
            for (int i = end; i < SIZE; i++) {
                assertEquals(0, bytes[i], "byte " + i + " after the records");
            }
        }
    }
}
