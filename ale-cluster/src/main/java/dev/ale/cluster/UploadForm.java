package dev.ale.cluster;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ROCK's multipart upload as the front passes it on: the small fields before the file part are
 * read (to find {@code sandbox_id}) and written again with the node's own id; the file part and
 * everything after it go on as they come, never held whole. Over {@code limit} bytes in all, the
 * body's stream fails with {@link Broken}, as the node's own limit would refuse it.
 */
final class UploadForm {

    /** Most bytes of fields before the file part: they are held, so they are few. */
    static final int HEAD_LIMIT = 64 << 10;

    private static final Pattern BOUNDARY = Pattern.compile("(?i)multipart/form-data\\s*;.*?boundary=(?:\"([^\"]{1,70})\"|([^;\\s]{1,70}))");
    private static final Pattern NAME = Pattern.compile("(?i)(?:^|;)\\s*name=\"([^\"]*)\"");
    private static final byte[] CRLF = {'\r', '\n'};
    private static final Pattern FILENAME = Pattern.compile("(?i);\\s*filename\\*?=");

    /** The caller's body failed (it broke off, or it is over the limit): the caller's fault, never the node's. */
    static final class Broken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Broken(String message) {
            super(message, null, false, false);
        }
    }

    /** A field before the file part: its header lines and its value. */
    private record Field(String name, List<String> headers, byte[] value) { }

    private final byte[] delimiter;
    private final List<Field> fields;
    /** The file part's header lines, when the form has one (everything from its content on is still in {@link #rest}). */
    private final Optional<List<String>> file;
    private final InputStream rest;

    private UploadForm(byte[] delimiter, List<Field> fields, Optional<List<String>> file, InputStream rest) {
        this.delimiter = delimiter;
        this.fields = fields;
        this.file = file;
        this.rest = rest;
    }

    /** The boundary a {@code multipart/form-data} Content-Type names, or none for any other type. */
    static Optional<String> boundary(Optional<String> contentType) {
        if (contentType.isEmpty()) return Optional.empty();
        Matcher m = BOUNDARY.matcher(contentType.get());
        if (!m.find()) return Optional.empty();
        return Optional.of(m.group(1) != null ? m.group(1) : m.group(2));
    }

    /**
     * Reads {@code body} up to the start of the file part's content. {@code limit} bounds the whole
     * body, read now and later; a form whose fields before the file exceed {@link #HEAD_LIMIT}, or that
     * is not multipart in this boundary, is {@link Broken}.
     */
    static UploadForm read(InputStream body, String boundary, long limit) {
        InputStream in = new Counted(body, limit);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int[] held = {0};
        // the preamble, then the first delimiter line
        String line;
        do {
            line = line(in, held);
        } while (!line.startsWith(new String(delimiter, StandardCharsets.ISO_8859_1)));
        List<Field> fields = new ArrayList<>();
        while (!line.endsWith("--")) {
            List<String> headers = new ArrayList<>();
            for (String h; !(h = line(in, held)).isEmpty(); ) headers.add(h);
            String disposition = headers.stream().filter(h -> h.regionMatches(true, 0, "Content-Disposition:", 0, 20)).findFirst().orElse("");
            if (FILENAME.matcher(disposition).find()) return new UploadForm(delimiter, fields, Optional.of(headers), in);
            Matcher name = NAME.matcher(disposition.substring(Math.min(disposition.length(), 20)));
            fields.add(new Field(name.find() ? name.group(1) : "", headers, value(in, delimiter, held)));
            line = line(in, held); // the rest of the delimiter line: empty, or "--" after the last part
        }
        return new UploadForm(delimiter, fields, Optional.empty(), in);
    }

    /** The {@code sandbox_id} field, when it came before the file part. */
    Optional<String> sandboxId() {
        return fields.stream().filter(f -> f.name().equals("sandbox_id")).findFirst().map(f -> new String(f.value(), StandardCharsets.UTF_8).strip());
    }

    /** The form again, its {@code sandbox_id} field now {@code local}, the file and what follows it streamed from the caller. */
    InputStream body(String local) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (Field f : fields) {
            part(head, f.headers());
            head.writeBytes(f.name().equals("sandbox_id") ? local.getBytes(StandardCharsets.UTF_8) : f.value());
            head.writeBytes(CRLF);
        }
        if (file.isPresent()) {
            part(head, file.get());
        } else {
            head.writeBytes(delimiter);
            head.writeBytes("--\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        return new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()), rest);
    }

    private void part(ByteArrayOutputStream out, List<String> headers) {
        out.writeBytes(delimiter);
        out.writeBytes(CRLF);
        for (String h : headers) {
            out.writeBytes(h.getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(CRLF);
        }
        out.writeBytes(CRLF);
    }

    /** One line without its line end, counted against {@link #HEAD_LIMIT}. */
    private static String line(InputStream in, int[] held) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(80);
        for (int b; (b = next(in, held)) != '\n'; ) line.write(b);
        byte[] bytes = line.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
    }

    /** A field's value: the bytes up to CRLF and the delimiter (both read, neither kept). */
    private static byte[] value(InputStream in, byte[] delimiter, int[] held) {
        byte[] end = new byte[delimiter.length + 2];
        end[0] = '\r';
        end[1] = '\n';
        System.arraycopy(delimiter, 0, end, 2, delimiter.length);
        byte[] v = new byte[256];
        for (int n = 0; ; ) {
            if (n == v.length) v = Arrays.copyOf(v, n * 2);
            v[n++] = (byte) next(in, held);
            if (n >= end.length && v[n - 1] == end[end.length - 1] && Arrays.equals(v, n - end.length, n, end, 0, end.length)) {
                return Arrays.copyOf(v, n - end.length);
            }
        }
    }

    private static int next(InputStream in, int[] held) {
        int b;
        try {
            b = in.read();
        } catch (IOException e) {
            throw new Broken("the upload broke off: " + e.getMessage());
        }
        if (b < 0) throw new Broken("file: the part is required (the form ended before a file part)");
        if (++held[0] > HEAD_LIMIT) {
            throw new Broken("the form's fields before its file part exceed " + HEAD_LIMIT + " bytes; send sandbox_id and target_path before the file");
        }
        return b;
    }

    /** The caller's body, bounded: past {@code limit} bytes it fails as the node's limit would; its own failures are {@link Broken}. */
    private static final class Counted extends InputStream {
        private final InputStream in;
        private final long limit;
        private long read;

        Counted(InputStream in, long limit) {
            this.in = new BufferedInputStream(in, 64 << 10);
            this.limit = limit;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw new Broken("the upload broke off: " + e.getMessage());
            }
            if (n > 0) read += n;
            if (read > limit) throw new Broken("file: over the limit of " + limit + " bytes for the whole form (the node's own)");
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
