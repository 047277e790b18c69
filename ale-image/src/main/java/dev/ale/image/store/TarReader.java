package dev.ale.image.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a tar stream: ustar, pax extended headers (path, linkpath, size, uid, gid, mtime) and
 * GNU long names. It only parses; what an entry may do is {@link LayerUnpacker}'s decision.
 */
final class TarReader {

    /** One entry; {@code type} is the tar type flag ('0' file, '1' hard link, '2' symlink, '3'/'4' devices, '5' dir, '6' fifo). */
    record Entry(String name, char type, int mode, long uid, long gid, long size, long mtime, String linkName) {
    }

    private static final int BLOCK = 512;

    private final InputStream in;
    private final String what;
    private final byte[] header = new byte[BLOCK];
    private final Map<String, String> globalPax = new HashMap<>();
    private long remaining;
    private long padding;
    private boolean ended;

    TarReader(InputStream in, String what) {
        this.in = in;
        this.what = what;
    }

    /** The next entry, its content readable from {@link #content()} until the next call; empty at the end. */
    Optional<Entry> next() throws IOException {
        skipRest();
        if (ended) return Optional.empty();
        Map<String, String> pax = new HashMap<>(globalPax);
        String longName = null;
        String longLink = null;
        while (true) {
            if (!readBlock(header)) {
                ended = true;
                return Optional.empty(); // truncated after a whole entry: treated as the end, as GNU tar does
            }
            if (isZero(header)) {
                ended = true;
                return Optional.empty();
            }
            checkSum();
            char type = (char) (header[156] & 0xff);
            long size = number(124, 12);
            if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
                if (size > 1 << 20) throw bad("a metadata entry of " + size + " bytes");
                byte[] data = readData(size);
                switch (type) {
                    case 'x' -> pax.putAll(parsePax(data));
                    case 'g' -> {
                        globalPax.putAll(parsePax(data));
                        pax.putAll(globalPax);
                    }
                    case 'L' -> longName = cString(data, 0, data.length);
                    default -> longLink = cString(data, 0, data.length);
                }
                continue;
            }
            String name = cString(header, 0, 100);
            if (isUstar()) {
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) name = prefix + "/" + name;
            }
            if (longName != null) name = longName;
            if (pax.containsKey("path")) name = pax.get("path");
            String link = cString(header, 157, 100);
            if (longLink != null) link = longLink;
            if (pax.containsKey("linkpath")) link = pax.get("linkpath");
            if (pax.containsKey("size")) size = paxNumber(pax, "size");
            long uid = pax.containsKey("uid") ? paxNumber(pax, "uid") : number(108, 8);
            long gid = pax.containsKey("gid") ? paxNumber(pax, "gid") : number(116, 8);
            long mtime = pax.containsKey("mtime") ? (long) Double.parseDouble(pax.get("mtime")) : number(136, 12);
            int mode = (int) (number(100, 8) & 07777);
            // links, devices, directories and fifos carry no data whatever the size field says
            if (type == '2' || type == '3' || type == '4' || type == '5' || type == '6') size = 0;
            if (size < 0) throw bad("entry " + name + " has a negative size");
            remaining = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            return Optional.of(new Entry(name, type == 0 ? '0' : type, mode, uid, gid, size, mtime, link));
        }
    }

    /** The current entry's data; reading past its size returns end of stream. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) throw bad("the archive ends in the middle of an entry");
                remaining -= n;
                return n;
            }
        };
    }

    private void skipRest() throws IOException {
        long skip = remaining + padding;
        remaining = 0;
        padding = 0;
        // read, never skip: the caller hashes the stream (a layer's diff id covers every byte)
        byte[] buf = new byte[8192];
        while (skip > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, skip));
            if (n < 0) throw bad("the archive ends in the middle of an entry");
            skip -= n;
        }
    }

    private byte[] readData(long size) throws IOException {
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) throw bad("the archive ends in the middle of a header");
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        if (in.readNBytes((int) pad).length != pad) throw bad("the archive ends in the middle of a header");
        return data;
    }

    private boolean readBlock(byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) return false;
        if (n != BLOCK) throw bad("the archive ends in the middle of a header");
        return true;
    }

    private void checkSum() throws IOException {
        long stored = number(148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        if (sum != stored) throw bad("a header's checksum is wrong (not a tar archive, or corrupt)");
    }

    private boolean isUstar() {
        return header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a' && header[261] == 'r';
    }

    /** Octal ASCII, or GNU base-256 when the first byte's top bit is set. */
    private long number(int off, int len) throws IOException {
        if ((header[off] & 0x80) != 0) {
            long v = header[off] & 0x7f;
            for (int i = 1; i < len; i++) v = (v << 8) | (header[off + i] & 0xff);
            return v;
        }
        long v = 0;
        boolean any = false;
        for (int i = off; i < off + len; i++) {
            byte c = header[i];
            if (c == 0 || (c == ' ' && any)) break;
            if (c == ' ') continue;
            if (c < '0' || c > '7') throw bad("a header holds a malformed number (not a tar archive, or corrupt)");
            v = v * 8 + (c - '0');
            any = true;
        }
        return v;
    }

    private long paxNumber(Map<String, String> pax, String key) throws IOException {
        try {
            return Long.parseLong(pax.get(key).strip());
        } catch (NumberFormatException e) {
            throw bad("a pax header's " + key + " is not a number");
        }
    }

    private Map<String, String> parsePax(byte[] data) throws IOException {
        Map<String, String> m = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            int sp = i;
            while (sp < data.length && data[sp] != ' ') sp++;
            if (sp == data.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw bad("a pax header is malformed");
            }
            if (len <= 0 || i + len > data.length) throw bad("a pax header is malformed");
            String rec = new String(data, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq > 0) m.put(rec.substring(0, eq), rec.substring(eq + 1));
            i += len;
        }
        return m;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private IOException bad(String why) {
        return new TarFormatException(what + ": " + why);
    }

    /** A tar stream that is not well formed. */
    static final class TarFormatException extends IOException {
        TarFormatException(String message) {
            super(message);
        }
    }
}
