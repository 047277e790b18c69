package dev.ale.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Writes ustar archives by hand, so tests can make layers no well-behaved tar tool would. */
class TarBuilder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TarBuilder dir(String name, int mode) {
        return entry(name, '5', mode, 0, "", new byte[0]);
    }

    TarBuilder file(String name, int mode, String content) {
        return entry(name, '0', mode, 0, "", content.getBytes(StandardCharsets.UTF_8));
    }

    TarBuilder file(String name, int mode, byte[] content) {
        return entry(name, '0', mode, 0, "", content);
    }

    TarBuilder symlink(String name, String target) {
        return entry(name, '2', 0777, 0, target, new byte[0]);
    }

    TarBuilder hardlink(String name, String target) {
        return entry(name, '1', 0644, 0, target, new byte[0]);
    }

    TarBuilder device(String name, char type) {
        return entry(name, type, 0666, 0, "", new byte[0]);
    }

    TarBuilder entry(String name, char type, int mode, int uid, String link, byte[] data) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, uid);
        octal(h, 124, 12, data.length);
        octal(h, 136, 12, 1_700_000_000L);
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        out.writeBytes(h);
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        return this;
    }

    byte[] tar() {
        ByteArrayOutputStream done = new ByteArrayOutputStream();
        done.writeBytes(out.toByteArray());
        done.writeBytes(new byte[1024]);
        return done.toByteArray();
    }

    byte[] gzip() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(tar());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > len) throw new IllegalArgumentException("too long for a ustar field: " + s);
        System.arraycopy(b, 0, h, off, b.length);
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = String.format("%0" + (len - 1) + "o", v);
        put(h, off, len - 1, s);
    }
}
