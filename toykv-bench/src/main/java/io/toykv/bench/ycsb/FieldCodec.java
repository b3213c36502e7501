package io.toykv.bench.ycsb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;

/**
 * A YCSB record (field name to bytes) as one stored value, the same for every engine:
 * <pre>
 * repeated: u16 name length | name (UTF-8) | u32 value length | value bytes    (big-endian)
 * </pre>
 */
public final class FieldCodec {
    private FieldCodec() {}

    public static byte[] encode(Map<String, ByteIterator> fields) {
        int size = 0;
        byte[][] names = new byte[fields.size()][];
        byte[][] values = new byte[fields.size()][];
        int i = 0;
        for (Map.Entry<String, ByteIterator> e : fields.entrySet()) {
            names[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            values[i] = e.getValue().toArray();
            if (names[i].length > 0xFFFF) {
                throw new IllegalArgumentException("field name longer than 65535 bytes: " + e.getKey());
            }
            size += 2 + names[i].length + 4 + values[i].length;
            i++;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int j = 0; j < i; j++) {
            b.putShort((short) names[j].length)
                    .put(names[j])
                    .putInt(values[j].length)
                    .put(values[j]);
        }
        return b.array();
    }

    /** Adds the fields of {@code record} named in {@code wanted} (every field when null) to {@code out}. */
    public static void decode(byte[] record, Set<String> wanted, Map<String, ByteIterator> out) {
        ByteBuffer b = ByteBuffer.wrap(record);
        while (b.hasRemaining()) {
            byte[] name = new byte[b.getShort() & 0xFFFF];
            b.get(name);
            int len = b.getInt();
            String field = new String(name, StandardCharsets.UTF_8);
            if (wanted == null || wanted.contains(field)) {
                out.put(field, new ByteArrayByteIterator(record, b.position(), len));
            }
            b.position(b.position() + len);
        }
    }
}
