package dev.ale.tasks;

import dev.ale.core.yaml.YamlField;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The host files of one task directory that a task file names. Every path is relative to the
 * directory, has no {@code .} or {@code ..} component, and must still lie inside the directory
 * once symbolic links are followed, as must every link under a directory that is copied: ALE
 * copies into a sandbox only what the task directory holds, never a host file it points at.
 */
final class TaskFiles {

    /** A host path found in the task directory: its real path and everything its links reach, for overlap checks. */
    record Found(String written, Path real, boolean contentsOnly, List<Path> reaches) {

        /** The last component as the task file wrote it, the name a copy keeps. */
        String name() {
            return Path.of(written).getFileName().toString();
        }

        /** Whether this and {@code other} share any file: one is, or lies inside, the other. */
        boolean overlaps(Found other) {
            for (Path mine : reaches) {
                for (Path theirs : other.reaches) {
                    if (mine.startsWith(theirs) || theirs.startsWith(mine)) return true;
                }
            }
            return false;
        }
    }

    private final Path shown;
    private final Path root;

    /**
     * @param shown the task directory as the caller gave it, for messages
     * @param root its real path
     */
    TaskFiles(Path shown, Path root) {
        this.shown = shown;
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** A regular file named by {@code field}, such as a script. */
    Found file(YamlField field, String example) {
        String text = relativeText(field, example);
        if (text.endsWith("/")) {
            throw field.error(YamlField.quote(text) + " ends with '/', but must name a file such as " + example);
        }
        Found found = find(field, text, false);
        if (!Files.isRegularFile(found.real())) {
            throw field.error(YamlField.quote(text) + " is not a regular file; give a file such as " + example);
        }
        return found;
    }

    /** A file or directory named by {@code field}; a trailing '/' on a directory asks for its contents. */
    Found entry(YamlField field, String example) {
        String text = relativeText(field, example);
        boolean contentsOnly = text.endsWith("/");
        Found found = find(field, text, contentsOnly);
        if (contentsOnly && !Files.isDirectory(found.real())) {
            throw field.error(YamlField.quote(text) + " ends with '/' but is a file; write "
                    + YamlField.quote(text.replaceAll("/+$", "")) + " to copy the file");
        }
        if (!Files.isDirectory(found.real()) && !Files.isRegularFile(found.real())) {
            throw field.error(YamlField.quote(text) + " is neither a regular file nor a directory");
        }
        return found;
    }

    /**
     * The file or directory the task directory holds under a fixed name (Terminal-Bench's
     * {@code run-tests.sh}, {@code tests}), or empty when there is none.
     */
    Optional<Found> fixed(String name) {
        Path path = root.resolve(name);
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        return Optional.of(inside(path, name, false, message -> new TaskException(shown.resolve(name) + ": " + message)));
    }

    private String relativeText(YamlField field, String example) {
        String text = field.text("a path relative to the task directory, such as " + example);
        if (text.codePoints().anyMatch(Character::isISOControl)) {
            throw field.error(YamlField.quote(text) + " contains a control character");
        }
        if (text.startsWith("/")) {
            throw field.error(YamlField.quote(text) + " is an absolute path; write it relative to the task directory, such as "
                    + example);
        }
        for (String component : text.split("/")) {
            if (component.equals("..")) {
                throw field.error(YamlField.quote(text) + " contains a '..' component; a task may only use files inside "
                        + shown);
            }
            if (component.equals(".")) {
                throw field.error(YamlField.quote(text) + " contains a '.' component; write the path it stands for");
            }
        }
        return text;
    }

    private Found find(YamlField field, String text, boolean contentsOnly) {
        Path path;
        try {
            path = root.resolve(text);
        } catch (InvalidPathException e) {
            throw field.error(YamlField.quote(text) + " is not a valid path: " + e.getReason());
        }
        return inside(path, text, contentsOnly, message -> field.error(YamlField.quote(text) + " " + message));
    }

    /** The real path of {@code path}, which must exist and lie inside the task directory, with all its links. */
    private Found inside(Path path, String written, boolean contentsOnly, Errors errors) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw errors.error("does not exist in " + shown);
        }
        Path real = realInside(path, errors, "is a symbolic link to nothing", "resolves through a symbolic link to ");
        List<Path> reaches = new ArrayList<>();
        reaches.add(real);
        if (Files.isDirectory(real)) {
            try (Stream<Path> tree = Files.walk(real)) {
                for (Path entry : (Iterable<Path>) tree::iterator) {
                    if (!Files.isSymbolicLink(entry)) continue;
                    String holds = "holds " + YamlField.quote(root.relativize(entry).toString()) + ", a symbolic link to ";
                    reaches.add(realInside(entry, errors, holds + "nothing", holds));
                }
            } catch (IOException | UncheckedIOException e) {
                throw errors.error("cannot be read: " + e.getMessage());
            }
        }
        return new Found(written, real, contentsOnly, List.copyOf(reaches));
    }

    private Path realInside(Path path, Errors errors, String dangling, String outside) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw errors.error(dangling);
        } catch (IOException e) {
            throw errors.error("cannot be resolved: " + e.getMessage());
        }
        if (!real.startsWith(root)) {
            throw errors.error(outside + YamlField.quote(real.toString())
                    + ", outside the task directory; copy what the task needs into " + shown);
        }
        return real;
    }

    /** Makes the exception for a problem with one path; the message completes "PATH ...". */
    @FunctionalInterface
    private interface Errors {
        RuntimeException error(String message);
    }
}
