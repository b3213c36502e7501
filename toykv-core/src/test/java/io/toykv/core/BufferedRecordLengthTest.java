package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A synced PUT whose (checksum-valid) length field is out of range and whose address lies in the
 * buffer fails the open with a CorruptionException naming the keys file, not with
 * NegativeArraySizeException or OutOfMemoryError from ValuesLog.checkBuffered.
 */
class BufferedRecordLengthTest {
    @TempDir
    Path dir;

    @Test
    void aSyncedPutWithANegativeLengthIntoTheBufferIsCorruptionNotACrash() throws IOException {
        StoreOptions o = StoreOptions.defaults().shards(1).syncMode(SyncMode.ALWAYS);
        Store s = Store.open(dir, o);
        s.put("k1".getBytes(StandardCharsets.US_ASCII), new byte[] {1, 2, 3}); // in the buffer, not flushed
        s.abandon();
        Path keys = FileNames.keysFile(FileNames.shardDir(dir, 0), 1);
        try (FileChannel ch = FileChannel.open(keys, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
            m.order(ByteOrder.LITTLE_ENDIAN);
            int pos = 4096; // the first record: PUT k1
            m.putInt(pos + 7, -1);
            int k = m.getShort(pos + 5) & 0xFFFF;
            CRC32C crc = new CRC32C();
            crc.update(m.slice(pos + 4, 15 + k));
            m.putInt(pos, (int) crc.getValue());
            // The record is synced: the header's synced length covers it (the journal made the put
            // durable, so the put itself need not have forced the keys log).
            m.putLong(16, 8192);
            CRC32C header = new CRC32C();
            header.update(m.slice(0, 24));
            m.putInt(24, (int) header.getValue());
            m.force();
        }
        assertThrows(CorruptionException.class, () -> Store.open(dir, o).close());
    }
}
