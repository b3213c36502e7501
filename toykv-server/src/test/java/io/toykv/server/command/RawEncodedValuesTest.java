package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawEncodedValuesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aValueIsRawInItsDatabaseOnlyAndWhileItsBytesStay() {
        RawEncodedValues raw = new RawEncodedValues();
        raw.changedInPlace(2, b("k"), b("123"));
        assertTrue(raw.isRaw(2, b("k"), b("123")));
        assertFalse(raw.isRaw(3, b("k"), b("123")), "the same name in another database");
        assertFalse(raw.isRaw(2, b("k"), b("124")), "other bytes: written since");
        assertFalse(raw.isRaw(2, b("k"), b("123")), "and forgotten");
        assertEquals(0, raw.size());
    }

    @Test
    void theKeyAndValueAreCopied() {
        RawEncodedValues raw = new RawEncodedValues();
        byte[] key = b("k");
        byte[] value = b("12");
        raw.changedInPlace(0, key, value);
        key[0] = 'x';
        value[0] = '9';
        assertTrue(raw.isRaw(0, b("k"), b("12")));
    }

    @Test
    void longValuesAreNotKeptAndALongWriteForgetsAShortOne() {
        RawEncodedValues raw = new RawEncodedValues();
        raw.changedInPlace(0, b("k"), b("x".repeat(RawEncodedValues.SHORT)));
        assertEquals(1, raw.size());
        raw.changedInPlace(0, b("k"), b("x".repeat(RawEncodedValues.SHORT + 1)));
        assertEquals(0, raw.size());
    }

    @Test
    void theOldestWritesArePushedOutPastTheCapacity() {
        RawEncodedValues raw = new RawEncodedValues();
        for (int i = 0; i <= RawEncodedValues.CAPACITY; i++) {
            raw.changedInPlace(0, b("k" + i), b("v"));
        }
        assertEquals(RawEncodedValues.CAPACITY, raw.size());
        assertFalse(raw.isRaw(0, b("k0"), b("v")));
        assertTrue(raw.isRaw(0, b("k1"), b("v")));
        assertTrue(raw.isRaw(0, b("k" + RawEncodedValues.CAPACITY), b("v")));
    }

    @Test
    void rewritingAKeyMakesItTheNewest() {
        RawEncodedValues raw = new RawEncodedValues();
        raw.changedInPlace(0, b("first"), b("v"));
        for (int i = 1; i < RawEncodedValues.CAPACITY; i++) {
            raw.changedInPlace(0, b("k" + i), b("v"));
        }
        raw.changedInPlace(0, b("first"), b("w")); // full: now the newest
        raw.changedInPlace(0, b("one more"), b("v"));
        assertTrue(raw.isRaw(0, b("first"), b("w")));
        assertFalse(raw.isRaw(0, b("k1"), b("v")), "the oldest went instead");
    }
}
