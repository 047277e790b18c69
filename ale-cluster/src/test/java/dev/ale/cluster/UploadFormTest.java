package dev.ale.cluster;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadFormTest {

    private static final String B = "----ale0123";

    private static byte[] form(String before, byte[] file, String after) {
        byte[] head = (before + "--" + B + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = ("\r\n" + after + "--" + B + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(head, head.length + file.length + tail.length);
        System.arraycopy(file, 0, all, head.length, file.length);
        System.arraycopy(tail, 0, all, head.length + file.length, tail.length);
        return all;
    }

    private static String field(String name, String value) {
        return "--" + B + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    @Test
    void theSandboxIdBeforeTheFileIsRewrittenAndEveryOtherByteGoesOnAsItCame() throws IOException {
        byte[] file = new byte[300_000];
        for (int i = 0; i < file.length; i++) file[i] = (byte) (i * 31); // every byte value, CRLFs and dashes among them
        byte[] in = form(field("target_path", "/workspace/a.bin") + field("sandbox_id", "n2.sb-0123456789abcdef"), file, field("extra", "x"));
        UploadForm f = UploadForm.read(new ByteArrayInputStream(in), B, in.length);
        assertThat(f.sandboxId()).contains("n2.sb-0123456789abcdef");
        byte[] out;
        try (InputStream body = f.body("sb-0123456789abcdef")) {
            out = body.readAllBytes();
        }
        byte[] expected = form(field("target_path", "/workspace/a.bin") + field("sandbox_id", "sb-0123456789abcdef"), file, field("extra", "x"));
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void aSandboxIdAfterTheFileIsNotFoundAndNothingOfTheFileIsReadToLookForIt() {
        byte[] in = form(field("target_path", "/workspace/a.bin"), new byte[10], field("sandbox_id", "n2.sb-0123456789abcdef"));
        UploadForm f = UploadForm.read(new ByteArrayInputStream(in), B, in.length);
        assertThat(f.sandboxId()).isEmpty();
    }

    @Test
    void aFormOverTheLimitFailsWhileItStreamsAndFieldsBeforeTheFileAreBounded() {
        byte[] in = form(field("sandbox_id", "n2.sb-0123456789abcdef"), new byte[100_000], "");
        UploadForm f = UploadForm.read(new ByteArrayInputStream(in), B, 50_000);
        assertThatThrownBy(() -> f.body("sb-0123456789abcdef").readAllBytes()).isInstanceOf(UploadForm.Broken.class)
                .hasMessageContaining("over the limit of 50000 bytes");
        byte[] big = form(field("target_path", "x".repeat(UploadForm.HEAD_LIMIT)), new byte[1], "");
        assertThatThrownBy(() -> UploadForm.read(new ByteArrayInputStream(big), B, big.length)).isInstanceOf(UploadForm.Broken.class)
                .hasMessageContaining("before its file part exceed");
        byte[] noFile = field("sandbox_id", "n2.sb-0123456789abcdef").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> UploadForm.read(new ByteArrayInputStream(noFile), B, 1 << 20)).isInstanceOf(UploadForm.Broken.class)
                .hasMessageContaining("file: the part is required");
    }

    @Test
    void theBoundaryIsReadFromAMultipartContentTypeOnly() {
        assertThat(UploadForm.boundary(Optional.of("multipart/form-data; boundary=abc123"))).contains("abc123");
        assertThat(UploadForm.boundary(Optional.of("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""))).contains("a b");
        assertThat(UploadForm.boundary(Optional.of("application/json"))).isEmpty();
        assertThat(UploadForm.boundary(Optional.of("multipart/mixed; boundary=abc"))).isEmpty();
        assertThat(UploadForm.boundary(Optional.empty())).isEmpty();
    }
}
