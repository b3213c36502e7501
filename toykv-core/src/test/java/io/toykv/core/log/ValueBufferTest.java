package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.FileAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The buffer's two halves: what readers find where, what the header says, and headers it refuses. */
class ValueBufferTest {
    private static final int HALF = 64 * 1024;
    private static final byte[] KEY = "k".getBytes();

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("values.b");
    }

    private ValueBuffer open() throws IOException {
        return ValueBuffer.open(file(), HALF, Address.of(1, 0), FileAllocator.DEFAULT);
    }

    private static byte[] value(int i) {
        byte[] v = new byte[100];
        java.util.Arrays.fill(v, (byte) i);
        return v;
    }

    private static byte[] read(ValueBuffer b, long address, int i) {
        byte[] rec = new byte[ValueRecord.size(value(i).length)];
        if (!b.read(address, rec)) {
            return null;
        }
        return ValueRecord.valueIfValid(rec, address, KEY);
    }

    @Test
    void thePendingHalfIsReadUntilTheNextSwapReusesIt() throws IOException {
        ValueBuffer b = open();
        assertEquals(HALF, b.capacity());
        long first = b.append(KEY, value(1));
        ByteBuffer chunk = b.chunk(DirectIo.ALIGNMENT);
        b.swap(chunk.remaining(), Address.of(1, chunk.remaining()));
        long second = b.append(KEY, value(2));
        assertEquals(Address.of(1, 4096), second);
        assertArrayEquals(value(1), read(b, first, 1), "the pending half is still read");
        assertArrayEquals(value(2), read(b, second, 2));

        // Its write done, it stays readable; a second swap while it was not would overwrite it.
        assertThrows(IllegalStateException.class, () -> b.swap(4096, Address.of(1, 8192)));
        b.pendingWritten();
        assertArrayEquals(value(1), read(b, first, 1));
        b.swap(b.chunk(DirectIo.ALIGNMENT).remaining(), Address.of(1, 8192));
        assertEquals(null, read(b, first, 1), "after the next swap the first record is its segment's");
        assertArrayEquals(value(2), read(b, second, 2));
    }

    @Test
    void theHeaderNamesThePendingHalfUntilItIsWritten() throws IOException {
        ValueBuffer b = open();
        b.append(KEY, value(1));
        b.swap(b.chunk(DirectIo.ALIGNMENT).remaining(), Address.of(1, 4096));
        b.append(KEY, value(2));
        b.unmap();

        ValueBuffer reopened = open();
        assertTrue(reopened.pendingUnwritten());
        assertEquals(Address.of(1, 0), reopened.pendingBase());
        assertEquals(4096, reopened.pendingLength());
        assertEquals(Address.of(1, 4096), reopened.base());
        byte[] rec = new byte[ValueRecord.size(100)];
        assertTrue(reopened.readAtOpen(Address.of(1, 0), rec));
        assertArrayEquals(value(1), ValueRecord.valueIfValid(rec, Address.of(1, 0), KEY));
        assertTrue(reopened.readAtOpen(Address.of(1, 4096), rec));
        assertArrayEquals(value(2), ValueRecord.valueIfValid(rec, Address.of(1, 4096), KEY));
        assertFalse(reopened.readAtOpen(Address.of(2, 0), rec));
        reopened.pendingWritten();
        reopened.unmap();

        ValueBuffer written = open();
        assertFalse(written.pendingUnwritten());
        assertEquals(0, written.pendingLength());
        written.unmap();
    }

    @Test
    void aVersionOneBufferIsReadAsOneRegion() throws IOException {
        open().unmap();
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096);
            m.order(ByteOrder.LITTLE_ENDIAN);
            m.put(new byte[4096]);
            m.putInt(0, ValueBuffer.MAGIC).putInt(4, 1).putLong(8, 5).putLong(16, Address.of(3, 8192));
            CRC32C crc = new CRC32C();
            crc.update(m.slice(0, 24));
            m.putInt(24, (int) crc.getValue());
            m.force();
        }
        ValueBuffer b = open();
        assertTrue(b.version1());
        assertEquals(2 * HALF, b.capacity(), "one region: the whole data region");
        assertEquals(Address.of(3, 8192), b.base());
        assertThrows(IllegalStateException.class, () -> b.swap(4096, Address.of(3, 12288)));
        b.unmap();
    }

    /** Each slot is checksummed, so these take a slot whose checksum is right and whose fields are not. */
    @Test
    void headersNamingAnImpossibleHalfAreRefused() throws IOException {
        open().unmap();
        assertRefused(m -> ValueBuffer.writeSlot(m, 2, Address.of(1, 0), 2, 0, 0), "impossible half");
        assertRefused(m -> ValueBuffer.writeSlot(m, 3, Address.of(1, 0), 0, 100, Address.of(1, 0)), "impossible half");
        assertRefused(
                m -> ValueBuffer.writeSlot(m, 4, Address.of(1, 0), 0, HALF + 4096, Address.of(1, 0)),
                "impossible half");
        assertRefused(
                m -> ValueBuffer.writeSlot(m, 5, Address.of(1, 0), 0, -4096, Address.of(1, 0)), "impossible half");
        assertRefused(m -> ValueBuffer.writeSlot(m, 6, Address.of(1, 0), 1, 4096, 0), "impossible half");
        assertRefused(
                m -> {
                    m.put(0, new byte[128]);
                    m.putInt(0, ValueBuffer.MAGIC).putInt(4, 3); // a future version
                },
                "no valid buffer header");
    }

    private void assertRefused(java.util.function.Consumer<ByteBuffer> damage, String message) throws IOException {
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096);
            m.order(ByteOrder.LITTLE_ENDIAN);
            m.put(0, new byte[128]); // both slots gone, then the damaged one written
            damage.accept(m);
            m.force();
        }
        CorruptionException e = assertThrows(CorruptionException.class, this::open);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aBufferFileOfAnImpossibleSizeIsRefused() throws IOException {
        open().unmap();
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            ch.truncate(4096 + 1000);
        }
        CorruptionException e = assertThrows(CorruptionException.class, this::open);
        assertTrue(e.getMessage().contains("impossible size"), e.getMessage());
    }
}
