package dev.ale.core.passport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Reading a passport file: errors name the file as the caller gave it. */
class PassportFileTest {

    @TempDir
    Path dir;

    private static String errorLoading(Path file) {
        PassportException e = catchThrowableOfType(PassportException.class, () -> PassportLoader.load(file));
        assertThat(e).as("a PassportException loading %s", file).isNotNull();
        return e.getMessage();
    }

    @Test
    void errorsInAFileNameTheFileAsGiven() throws IOException {
        Path file = Files.writeString(dir.resolve("coder.yaml"), "id: c\nresources:\n  memory: 512XB\n");

        assertThat(errorLoading(file))
                .isEqualTo(file + ": resources.memory: \"512XB\" is not a size (write e.g. 512MiB or 2GiB)");
    }

    @Test
    void aMissingFileIsReported() {
        Path file = dir.resolve("absent.yaml");

        assertThat(errorLoading(file)).isEqualTo(file + ": no such file; check the path");
    }

    @Test
    void aDirectoryIsNotReadAsAPassport() {
        assertThat(errorLoading(dir)).isEqualTo(dir + ": is a directory, not a passport file");
    }

    @Test
    void aFileWithoutReadPermissionIsReported() throws IOException {
        Path file = Files.writeString(dir.resolve("locked.yaml"), "id: c\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "root reads files whatever their permissions");

        assertThat(errorLoading(file)).isEqualTo(file + ": cannot be read: permission denied");
    }

    @Test
    void aFileOverTheSizeLimitIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("huge.yaml"), "id: c\n#" + "x".repeat(PassportLoader.MAX_BYTES));

        assertThat(errorLoading(file))
                .isEqualTo(file + ": is larger than 1MiB, the limit for a passport; check that this is the right file");
    }

    @Test
    void aFileThatIsNotUtf8IsRefused() throws IOException {
        Path file = Files.write(dir.resolve("latin1.yaml"), new byte[]{'i', 'd', ':', ' ', 'c', (byte) 0xe9, '\n'});

        assertThat(errorLoading(file)).isEqualTo(file + ": is not UTF-8 text; save it as UTF-8");
    }

    @Test
    void aBinaryFileIsRefusedWithoutAStackTrace() throws IOException {
        Path file = Files.write(dir.resolve("image.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});

        assertThat(errorLoading(file)).startsWith(file + ": ").doesNotContain("\n");
    }

    @Test
    void aFileWithANulByteIsRefusedAsNotYaml() throws IOException {
        Path file = Files.write(dir.resolve("nul.yaml"), new byte[]{'i', 'd', ':', ' ', 'c', 0, '\n'});

        assertThat(errorLoading(file)).startsWith(file + ": line 1, column ")
                .contains("not valid YAML: special characters are not allowed")
                .doesNotContain("\u0000");
    }
}
