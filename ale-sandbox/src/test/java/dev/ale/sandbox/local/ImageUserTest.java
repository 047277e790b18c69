package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ImageAccounts;
import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An image's {@code User} read as Docker reads it (runc's lookup, moby's groups), against the image's own account files. */
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
                short:x:1500:1500
                """);
        Files.writeString(root.resolve("etc/group"), """
                root:x:0:
                staff:x:50:svc,app
                grp:x:2345:
                docker:x:999:app
                wheel:x:10:application,ap, apps
                big:x:90000:someone
                nogroup:x:65534:
                """);
    }

    ImageUser resolve(String user) {
        return ImageUser.resolve(Optional.of(user), ImageAccounts.read(root), "example:1");
    }

    static ImageUser user(int uid, int gid, String home, Integer... groups) {
        return new ImageUser(uid, gid, List.of(groups), home);
    }

    @Test
    void noUserOrRootIsRootWithRootsHome() {
        ImageUser root = user(0, 0, "/root", 0);
        assertThat(ImageUser.resolve(Optional.empty(), ImageAccounts.read(this.root), "example:1")).isEqualTo(root);
        assertThat(resolve("")).isEqualTo(root);
        assertThat(resolve("root")).isEqualTo(root);
        assertThat(resolve("0")).isEqualTo(root);
        assertThat(resolve("0:0")).isEqualTo(root);
    }

    @Test
    void aNameIsItsPasswdEntrysUidPrimaryGroupAndHome() {
        assertThat(resolve("svc")).isEqualTo(user(1234, 2345, "/srv", 2345, 50));
        assertThat(resolve("nobody")).isEqualTo(user(65534, 65534, "/nonexistent", 65534));
        assertThat(resolve(" app ")).isEqualTo(user(1000, 1000, "/home/app", 1000, 50, 999));
    }

    @Test
    void aUidTakesItsAccountsGroupGroupsAndHomeOrElseGroupZeroAndHomeSlashAsDockerDoes() {
        assertThat(resolve("1234")).isEqualTo(user(1234, 2345, "/srv", 2345, 50));
        assertThat(resolve("4321")).isEqualTo(user(4321, 0, "/", 0));
        // a passwd line without a home field has an empty one, as runc reads it
        assertThat(resolve("short")).isEqualTo(user(1500, 1500, "", 1500));
    }

    @Test
    void aNamedGroupOrGidOverridesThePrimaryGroupAndDropsTheSupplementaryOnesAsRuncDoes() {
        assertThat(resolve("1234:1234")).isEqualTo(user(1234, 1234, "/srv", 1234));
        assertThat(resolve("svc:staff")).isEqualTo(user(1234, 50, "/srv", 50));
        assertThat(resolve("4321:grp")).isEqualTo(user(4321, 2345, "/", 2345));
        assertThat(resolve("app:0")).isEqualTo(user(1000, 0, "/home/app", 0));
    }

    @Test
    void membershipIsByWholeNameInTheMemberList() {
        // "wheel" lists application, ap and apps: none of them is app (nor svc); "big" lists someone else, so its gid
        // outside the sandbox's ids is never looked at
        assertThat(resolve("app").groups()).containsExactly(1000, 50, 999);
        assertThat(resolve("svc").groups()).doesNotContain(10, 90000);
    }

    @Test
    void aGroupListingTheUserWithAnIdTheSandboxDoesNotMapIsRefusedNamingTheGroup() throws IOException {
        Files.writeString(root.resolve("etc/group"), "big:x:90000:app\nodd:x:many:svc\n");
        assertThatThrownBy(() -> resolve("app")).isInstanceOf(SandboxException.class).hasMessage("image example:1: USER app: id 90000 is "
                + "outside the 65536 ids a sandbox maps (0..65535) (the gid of group \"big\", which lists the user)");
        assertThatThrownBy(() -> resolve("svc")).hasMessage("image example:1: USER svc: \"many\" is not a number of an id"
                + " (the gid of group \"odd\", which lists the user)");
        // with a group named, membership is not read, as runc does
        assertThat(resolve("app:0")).isEqualTo(user(1000, 0, "/home/app", 0));
    }

    @Test
    void anUnknownNameOrGroupIsRefusedNamingTheImageAndTheUser() {
        assertThatThrownBy(() -> resolve("ghost")).isInstanceOf(SandboxException.class)
                .hasMessage("image example:1: USER ghost: no user \"ghost\" in the image's /etc/passwd");
        assertThatThrownBy(() -> resolve("svc:wheelx"))
                .hasMessage("image example:1: USER svc:wheelx: no group \"wheelx\" in the image's /etc/group");
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
            Files.writeString(outside, "host:x:4000:4000::/host:/bin/sh\n");
            Files.delete(root.resolve("etc/passwd"));
            Files.createSymbolicLink(root.resolve("etc/passwd"), outside);
            assertThatThrownBy(() -> resolve("host")).hasMessageContaining("no user \"host\" in the image's /etc/passwd");
            // a uid needs no account: it runs, in group 0, at /
            assertThat(resolve("4000")).isEqualTo(user(4000, 0, "/", 0));
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void anImageWithoutAccountsRunsUidsAndRootButNotNames() throws IOException {
        Files.delete(root.resolve("etc/passwd"));
        assertThat(resolve("1234:1234")).isEqualTo(user(1234, 1234, "/", 1234));
        assertThat(resolve("root")).isEqualTo(user(0, 0, "/", 0));
        assertThat(ImageUser.resolve(Optional.empty(), ImageAccounts.read(root), "example:1")).isEqualTo(user(0, 0, "/", 0));
        assertThatThrownBy(() -> resolve("app")).hasMessageContaining("no user \"app\"");
    }
}
