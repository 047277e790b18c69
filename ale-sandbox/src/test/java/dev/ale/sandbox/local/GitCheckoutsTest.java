package dev.ale.sandbox.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The worktrees hidden beside the checkout ALE runs from, read from git's files as `git worktree add` lays them out. */
class GitCheckoutsTest {

    @TempDir
    Path root;

    /** A main tree {@code main} with linked trees {@code wt/a} and {@code wt/b}, as git 2.x writes them. */
    private void repository() throws IOException {
        Files.createDirectories(root.resolve("main/.git/objects"));
        for (String name : new String[] {"a", "b"}) {
            Path admin = Files.createDirectories(root.resolve("main/.git/worktrees/" + name));
            Path tree = Files.createDirectories(root.resolve("wt/" + name));
            Files.writeString(admin.resolve("gitdir"), tree.resolve(".git") + "\n");
            Files.writeString(admin.resolve("commondir"), "../..\n");
            Files.writeString(tree.resolve(".git"), "gitdir: " + admin + "\n");
        }
    }

    @Test
    void aLinkedWorktreeBringsTheMainTreeAndEverySibling() throws IOException {
        repository();
        assertThat(GitCheckouts.of(root.resolve("wt/a")))
                .containsExactlyInAnyOrder(root.resolve("wt/a"), root.resolve("main"), root.resolve("wt/b"));
    }

    @Test
    void theMainTreeBringsEveryLinkedWorktree() throws IOException {
        repository();
        assertThat(GitCheckouts.of(root.resolve("main")))
                .containsExactlyInAnyOrder(root.resolve("main"), root.resolve("wt/a"), root.resolve("wt/b"));
    }

    @Test
    void aRemovedWorktreeAndARelativeGitdirAreLeftOut() throws IOException {
        repository();
        Files.writeString(root.resolve("main/.git/worktrees/b/gitdir"), "relative/.git\n");
        Path gone = Files.createDirectories(root.resolve("main/.git/worktrees/c"));
        Files.writeString(gone.resolve("gitdir"), root.resolve("wt/c/.git") + "\n");
        assertThat(GitCheckouts.of(root.resolve("main"))).containsExactlyInAnyOrder(root.resolve("main"), root.resolve("wt/a"));
    }

    @Test
    void aDirectoryThatIsNoGitTreeIsOnlyItself() throws IOException {
        Path plain = Files.createDirectories(root.resolve("plain"));
        Path bad = Files.createDirectories(root.resolve("bad"));
        Files.writeString(bad.resolve(".git"), "not a pointer\n");
        assertThat(GitCheckouts.of(plain)).containsExactly(plain);
        assertThat(GitCheckouts.of(bad)).containsExactly(bad);
    }
}
