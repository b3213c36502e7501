package io.toykv.bench.ycsb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import site.ycsb.ByteIterator;
import site.ycsb.StringByteIterator;

class FieldCodecTest {

    private static Map<String, String> strings(Map<String, ByteIterator> m) {
        Map<String, String> s = new HashMap<>();
        m.forEach((k, v) -> s.put(k, v.toString()));
        return s;
    }

    @Test
    void everyFieldRoundTrips() {
        Map<String, ByteIterator> in = new LinkedHashMap<>();
        in.put("field0", new StringByteIterator("hello"));
        in.put("field1", new StringByteIterator(""));
        in.put("f\u00e9ld2", new StringByteIterator("x".repeat(1000)));
        Map<String, ByteIterator> out = new HashMap<>();
        FieldCodec.decode(
                FieldCodec.encode(StringByteIterator.getByteIteratorMap(StringByteIterator.getStringMap(in))),
                null,
                out);
        assertEquals(Map.of("field0", "hello", "field1", "", "f\u00e9ld2", "x".repeat(1000)), strings(out));
    }

    @Test
    void onlyWantedFieldsAreDecoded() {
        Map<String, ByteIterator> in = new LinkedHashMap<>();
        in.put("a", new StringByteIterator("1"));
        in.put("b", new StringByteIterator("2"));
        Map<String, ByteIterator> out = new HashMap<>();
        FieldCodec.decode(FieldCodec.encode(in), Set.of("b"), out);
        assertEquals(Map.of("b", "2"), strings(out));
    }
}
