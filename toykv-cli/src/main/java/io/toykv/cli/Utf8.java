package io.toykv.cli;

/** Strict UTF-8 checks on raw bytes: no overlong forms, no surrogates, nothing past U+10FFFF. */
final class Utf8 {
    private Utf8() {}

    /** The length of the valid UTF-8 sequence starting at {@code i}, or 0 if there is none. */
    static int sequenceLength(byte[] b, int i) {
        int lead = b[i] & 0xff;
        int length;
        int min;
        int max;
        if (lead < 0x80) {
            return 1;
        } else if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
            min = 0x80;
            max = 0x7ff;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            min = 0x800;
            max = 0xffff;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            min = 0x10000;
            max = 0x10ffff;
        } else {
            return 0;
        }
        if (i + length > b.length) {
            return 0;
        }
        for (int k = 1; k < length; k++) {
            if ((b[i + k] & 0xc0) != 0x80) {
                return 0;
            }
        }
        int cp = decode(b, i, length);
        if (cp < min || cp > max || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        return length;
    }

    /** Decodes a sequence already known to be well formed in shape. */
    static int decode(byte[] b, int i, int length) {
        int lead = b[i] & 0xff;
        int cp = length == 1 ? lead : lead & (0x7f >> length);
        for (int k = 1; k < length; k++) {
            cp = (cp << 6) | (b[i + k] & 0x3f);
        }
        return cp;
    }

    static boolean isValid(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int n = sequenceLength(b, i);
            if (n == 0) {
                return false;
            }
            i += n;
        }
        return true;
    }
}
