package dev.ale.image.build;

import dev.ale.image.registry.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * Writes an uncompressed layer tar (ustar, with a pax header for names and link targets ustar
 * cannot hold) and its sha256 as it goes: an uncompressed layer's blob digest is its diff id.
 */
final class LayerTar implements AutoCloseable {

    private final MessageDigest sha = Digest.sha256();
    private final OutputStream out;
    private boolean finished;

    LayerTar(Path file) throws IOException {
        this.out = new DigestOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16), sha);
    }

    void dir(String name, int mode, int uid, int gid, long mtime) throws IOException {
        header(name.endsWith("/") ? name : name + "/", '5', mode, uid, gid, 0, mtime, "");
    }

    void file(String name, int mode, int uid, int gid, long mtime, Path content) throws IOException {
        long size = Files.size(content);
        header(name, '0', mode, uid, gid, size, mtime, "");
        long written;
        try (InputStream in = Files.newInputStream(content)) {
            written = in.transferTo(out);
        }
        if (written != size) throw new IOException(content + " changed size while it was archived");
        pad(size);
    }

    void symlink(String name, String target, int uid, int gid, long mtime) throws IOException {
        header(name, '2', 0777, uid, gid, 0, mtime, target);
    }

    /** An OCI whiteout: {@code .wh.NAME} in the deleted entry's directory. */
    void whiteout(String name) throws IOException {
        int slash = name.lastIndexOf('/');
        String wh = slash < 0 ? ".wh." + name : name.substring(0, slash + 1) + ".wh." + name.substring(slash + 1);
        header(wh, '0', 0644, 0, 0, 0, 0, "");
    }

    /** An OCI opaque marker: what lower layers had under {@code dir} does not show. */
    void opaque(String dir) throws IOException {
        header((dir.endsWith("/") ? dir : dir + "/") + ".wh..wh..opq", '0', 0644, 0, 0, 0, 0, "");
    }

    /** Ends the archive and returns its digest. */
    Digest finish() throws IOException {
        out.write(new byte[1024]);
        out.flush();
        finished = true;
        return Digest.of(sha);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    boolean finished() {
        return finished;
    }

    private void header(String name, char type, int mode, int uid, int gid, long size, long mtime, String link) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100 || linkBytes.length > 100) {
            StringBuilder pax = new StringBuilder();
            if (nameBytes.length > 100) pax.append(record("path", name));
            if (linkBytes.length > 100) pax.append(record("linkpath", link));
            byte[] body = pax.toString().getBytes(StandardCharsets.UTF_8);
            raw("PaxHeader", 'x', 0644, 0, 0, body.length, mtime, "");
            out.write(body);
            pad(body.length);
        }
        raw(name, type, mode, uid, gid, size, mtime, link);
    }

    /** A pax record: its length prefix counts itself. */
    private static String record(String key, String value) {
        int len = key.length() + value.getBytes(StandardCharsets.UTF_8).length + 3;
        int total = len + String.valueOf(len).length();
        if (String.valueOf(total).length() != String.valueOf(len).length()) total++;
        return total + " " + key + "=" + value + "\n";
    }

    private void raw(String name, char type, int mode, int uid, int gid, long size, long mtime, String link) throws IOException {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, Math.max(0, mtime));
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        out.write(h);
    }

    private void pad(long size) throws IOException {
        out.write(new byte[(int) ((512 - size % 512) % 512)]);
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(len, b.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        if (s.length() > len - 1) throw new IllegalArgumentException("value " + v + " does not fit a tar header field");
        s = "0".repeat(len - 1 - s.length()) + s;
        put(h, off, len - 1, s);
    }
}
