package dev.ale.sandbox.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every working tree of the git repository a checkout belongs to: its main tree and each linked one
 * ({@code git worktree add}). Each holds the same tasks, solutions and tests as the checkout ALE runs
 * from, so hiding only that one left the rest readable inside (a red-team {@code find / -name solution.sh}
 * found them in a sibling worktree). Read from git's own files, never by running git.
 */
final class GitCheckouts {

    private static final int MAX_WORKTREES = 256;

    private GitCheckouts() {
    }

    /** {@code checkout} and every other working tree of its repository that exists; just {@code checkout} when it is no git tree. */
    static List<Path> of(Path checkout) {
        Set<Path> trees = new LinkedHashSet<>();
        trees.add(checkout);
        commonDir(checkout).ifPresent(common -> {
            Path main = common.getParent();
            if (main != null && common.getFileName() != null && common.getFileName().toString().equals(".git") && Files.isDirectory(main)) {
                trees.add(main);
            }
            Path worktrees = common.resolve("worktrees");
            if (!Files.isDirectory(worktrees)) return;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(worktrees)) {
                int seen = 0;
                for (Path entry : entries) {
                    if (++seen > MAX_WORKTREES) break;
                    firstLine(entry.resolve("gitdir")).map(Path::of).filter(Path::isAbsolute).map(Path::getParent)
                            .filter(Files::isDirectory).ifPresent(trees::add);
                }
            } catch (IOException e) {
                // an unreadable worktrees directory hides no more than the checkout itself
            }
        });
        return List.copyOf(trees);
    }

    /** The repository's common git directory: {@code .git} itself, or what a linked tree's {@code .git} file points to. */
    private static Optional<Path> commonDir(Path checkout) {
        Path dotGit = checkout.resolve(".git");
        if (Files.isDirectory(dotGit)) return Optional.of(dotGit.normalize());
        Optional<String> pointer = firstLine(dotGit).filter(l -> l.startsWith("gitdir:"));
        if (pointer.isEmpty()) return Optional.empty();
        Path gitDir = checkout.resolve(pointer.get().substring("gitdir:".length()).strip()).normalize();
        Optional<Path> common = firstLine(gitDir.resolve("commondir")).map(c -> gitDir.resolve(c).normalize());
        return common.or(() -> Optional.of(gitDir)).filter(Files::isDirectory);
    }

    private static Optional<String> firstLine(Path file) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int eol = text.indexOf('\n');
            String line = (eol < 0 ? text : text.substring(0, eol)).strip();
            return line.isEmpty() ? Optional.empty() : Optional.of(line);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
