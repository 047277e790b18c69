package dev.ale.core.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** An image's account files, read only where they are the image's own plain files. */
class ImageAccountsTest {

    @TempDir
    Path root;

    @Test
    void entriesAreFoundByWholeNameAndIdAndMembersAsWritten() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "bad line\nsvc:x:0100:50::/srv:/bin/sh\nsvc:x:7:7::/second:/bin/sh\nnohome:x:9:9\n");
        Files.writeString(root.resolve("etc/group"), "staff:x:50:svc,app\nspaced:x:51: svc,svc \nnone:x:52:\nshort:x\n");
        ImageAccounts a = ImageAccounts.read(root);
        // the first entry wins, as getpwnam takes it; a uid field is read as a number
        assertThat(a.userNamed("svc")).contains(new ImageAccounts.User("svc", "0100", "50", "/srv"));
        assertThat(a.userWithId(100)).map(ImageAccounts.User::home).contains("/srv");
        assertThat(a.userNamed("nohome")).map(ImageAccounts.User::home).contains("");
        assertThat(a.userNamed("sv")).isEmpty();
        assertThat(a.userWithId(8)).isEmpty();
        // " svc" and "svc " are other names than svc, as runc reads the member list
        assertThat(a.groupsListing("svc")).extracting(ImageAccounts.Group::name).containsExactly("staff");
        assertThat(a.groupNamed("none")).contains(new ImageAccounts.Group("none", "52", List.of()));
        assertThat(a.groupNamed("short")).isEmpty();
    }

    @Test
    void linksAndOversizedFilesAreNotRead() throws IOException {
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("passwd"), "host:x:1:1::/:/bin/sh\n");
        Files.createSymbolicLink(root.resolve("etc"), elsewhere);
        assertThat(ImageAccounts.read(root).passwd()).isEmpty();
        Files.delete(root.resolve("etc"));
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("etc/passwd"), elsewhere.resolve("passwd"));
        assertThat(ImageAccounts.read(root).passwd()).isEmpty();
        // a benign look-alike: the same file, in place, is read
        Files.delete(root.resolve("etc/passwd"));
        Files.copy(elsewhere.resolve("passwd"), root.resolve("etc/passwd"));
        assertThat(ImageAccounts.read(root).userNamed("host")).isPresent();
        Files.write(root.resolve("etc/group"), new byte[ImageAccounts.MAX_FILE + 1]);
        assertThat(ImageAccounts.read(root).group()).isEmpty();
    }
}
