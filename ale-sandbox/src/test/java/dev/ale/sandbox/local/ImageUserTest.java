package dev.ale.sandbox.local;

import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An image's {@code User} read as Docker reads it, against the image's own account files. */
class ImageUserTest {

    @TempDir
    Path root;

    @BeforeEach
    void accounts() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                app:x:1000:1000:app:/home/app:/bin/sh
                svc:x:1234:2345::/srv:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
                """);
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nstaff:x:50:svc\ngrp:x:2345:\nnogroup:x:65534:\n");
    }

    ImageUser resolve(String user) {
        return ImageUser.resolve(Optional.of(user), root, "example:1");
    }

    @Test
    void noUserOrRootIsRoot() {
        assertThat(ImageUser.resolve(Optional.empty(), root, "example:1")).isEqualTo(ImageUser.ROOT);
        assertThat(resolve("")).isEqualTo(ImageUser.ROOT);
        assertThat(resolve("root")).isEqualTo(ImageUser.ROOT);
        assertThat(resolve("0")).isEqualTo(ImageUser.ROOT);
        assertThat(resolve("0:0")).isEqualTo(ImageUser.ROOT);
    }

    @Test
    void aNameIsItsPasswdEntrysUidAndPrimaryGroup() {
        assertThat(resolve("svc")).isEqualTo(new ImageUser(1234, 2345));
        assertThat(resolve("nobody")).isEqualTo(new ImageUser(65534, 65534));
        assertThat(resolve(" app ")).isEqualTo(new ImageUser(1000, 1000));
    }

    @Test
    void aUidTakesItsAccountsGroupOrElseGroupZeroAsDockerDoes() {
        assertThat(resolve("1234")).isEqualTo(new ImageUser(1234, 2345));
        assertThat(resolve("4321")).isEqualTo(new ImageUser(4321, 0));
    }

    @Test
    void aNamedGroupOrGidOverridesThePrimaryGroup() {
        assertThat(resolve("1234:1234")).isEqualTo(new ImageUser(1234, 1234));
        assertThat(resolve("svc:staff")).isEqualTo(new ImageUser(1234, 50));
        assertThat(resolve("4321:grp")).isEqualTo(new ImageUser(4321, 2345));
        assertThat(resolve("app:0")).isEqualTo(new ImageUser(1000, 0));
    }

    @Test
    void anUnknownNameOrGroupIsRefusedNamingTheImageAndTheUser() {
        assertThatThrownBy(() -> resolve("ghost")).isInstanceOf(SandboxException.class)
                .hasMessage("image example:1: USER ghost: no user \"ghost\" in the image's /etc/passwd");
        assertThatThrownBy(() -> resolve("svc:wheel"))
                .hasMessage("image example:1: USER svc:wheel: no group \"wheel\" in the image's /etc/group");
        // a name is looked up as a whole: a prefix of an account or an account's uid field is no match
        assertThatThrownBy(() -> resolve("ap")).hasMessageContaining("no user \"ap\"");
        assertThatThrownBy(() -> resolve("x")).hasMessageContaining("no user \"x\"");
    }

    @Test
    void idsTheSandboxDoesNotMapAndMalformedSpecsAreRefused() {
        assertThatThrownBy(() -> resolve("70000")).hasMessage("image example:1: USER 70000: id 70000 is outside the 65536 ids a sandbox maps (0..65535)");
        assertThatThrownBy(() -> resolve("1234:65536")).hasMessageContaining("id 65536 is outside");
        assertThatThrownBy(() -> resolve("99999999999999999999")).hasMessageContaining("is not a number of an id");
        assertThatThrownBy(() -> resolve(":50")).hasMessageContaining("say USER name, uid, name:group or uid:gid");
        assertThatThrownBy(() -> resolve("svc:")).hasMessageContaining("say USER name, uid, name:group or uid:gid");
    }

    @Test
    void accountFilesThatAreLinksAreNotFollowedOutOfTheImage() throws IOException {
        Path outside = Files.createTempFile("passwd", "");
        try {
            Files.writeString(outside, "host:x:4000:4000::/:/bin/sh\n");
            Files.delete(root.resolve("etc/passwd"));
            Files.createSymbolicLink(root.resolve("etc/passwd"), outside);
            assertThatThrownBy(() -> resolve("host")).hasMessageContaining("no user \"host\" in the image's /etc/passwd");
            // a uid needs no account: it runs, in group 0
            assertThat(resolve("4000")).isEqualTo(new ImageUser(4000, 0));
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void anImageWithoutAccountsRunsUidsButNotNames() throws IOException {
        Files.delete(root.resolve("etc/passwd"));
        assertThat(resolve("1234:1234")).isEqualTo(new ImageUser(1234, 1234));
        assertThatThrownBy(() -> resolve("app")).hasMessageContaining("no user \"app\"");
    }
}
