package dev.ale.monitor.detect;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Decoding of what droppers hide commands in: base64 (standard and URL-safe) and hex. A decode counts
 * only when it yields printable text; random bytes from a word that merely looks like base64 (a path,
 * a hash, a long identifier) almost never do.
 */
final class Payloads {

    /** Shortest base64 run worth decoding on its own: 16 characters, 12 bytes, "xmrig -o a:1". */
    static final int MIN_TOKEN = 16;

    private Payloads() {
    }

    static Optional<String> base64(String text) {
        String t = text.replaceAll("\\s+", "");
        while (t.endsWith("=")) t = t.substring(0, t.length() - 1);
        if (t.isEmpty() || t.length() % 4 == 1) return Optional.empty();
        boolean urlSafe = t.indexOf('-') >= 0 || t.indexOf('_') >= 0;
        boolean standard = t.indexOf('+') >= 0 || t.indexOf('/') >= 0;
        if (urlSafe && standard) return Optional.empty();
        try {
            byte[] bytes = (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(t);
            return printable(bytes);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    static Optional<String> hex(String text) {
        String t = text.replaceAll("\\s+", "");
        if (t.isEmpty() || t.length() % 2 != 0) return Optional.empty();
        try {
            return printable(HexFormat.of().parseHex(t));
        } catch (IllegalArgumentException notHex) {
            return Optional.empty();
        }
    }

    /** Decoded texts of the base64-looking runs of at least {@link #MIN_TOKEN} characters in the text. */
    static List<String> base64Tokens(String text) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean inRun = i < text.length() && isBase64Char(text.charAt(i));
            if (inRun && start < 0) start = i;
            if (!inRun && start >= 0) {
                if (i - start >= MIN_TOKEN) base64(text.substring(start, i)).filter(d -> d.strip().length() >= 6).ifPresent(out::add);
                start = -1;
            }
        }
        return out;
    }

    private static boolean isBase64Char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '+' || c == '/' || c == '=' || c == '-' || c == '_';
    }

    private static Optional<String> printable(byte[] bytes) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notText) {
            return Optional.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) return Optional.empty();
        }
        return s.isBlank() ? Optional.empty() : Optional.of(s);
    }
}
