package dev.ale.sandbox.local;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Hidden paths are kept only where they add something: a path inside a hidden directory is hidden already. */
class HiddenPathsTest {

    @Test
    void aPathInsideAHiddenDirectoryIsDroppedAndTheRestKeepTheirOrder() {
        assertThat(LocalSandboxBackend.withoutNested(List.of("/var/lib/ale", "/work/main", "/work/main/tasks/x", "/etc/shadow",
                "/work/main/", "/srv/data")))
                .containsExactly("/var/lib/ale", "/work/main", "/etc/shadow", "/srv/data");
    }

    @Test
    void aSiblingWithACommonPrefixIsNotInside() {
        assertThat(LocalSandboxBackend.withoutNested(List.of("/work/main", "/work/main2/tasks")))
                .containsExactly("/work/main", "/work/main2/tasks");
    }

    @Test
    void globsAreKeptAsTheyAre() {
        assertThat(LocalSandboxBackend.withoutNested(List.of("/home", "/home/*/.ssh", "/root")))
                .containsExactly("/home", "/home/*/.ssh", "/root");
    }
}
