package dev.ale.core.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Deleting a directory tree ALE made, as root, without ever reaching past it: a mount left below
 * it (a host view, a sandbox's bind that a failed teardown kept) would otherwise lead the walk
 * into host files that no mode protects from root, so such a tree is left whole for gc to retry.
 */
public final class OwnTree {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private OwnTree() {
    }

    /**
     * Deletes {@code dir} and everything in it, following no link; says whether it is gone. Nothing
     * is deleted while anything is mounted at or below it, or when the mount table cannot be read.
     */
    public static boolean delete(Path dir) {
        // again when a pass fails: a file written into it while it was walked (a last state or log write) leaves it non-empty
        for (int pass = 0; pass < 3 && Files.exists(dir, LinkOption.NOFOLLOW_LINKS); pass++) {
            if (hasMountsUnder(dir)) return false;
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException | UncheckedIOException e) {
                // a file that vanished mid-walk, or one that cannot go: the next pass, or what is left, says
            }
        }
        return !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether anything is mounted at or below {@code dir}; true when the mount table cannot be read. */
    public static boolean hasMountsUnder(Path dir) {
        String target = dir.toAbsolutePath().normalize().toString();
        List<String> lines;
        try {
            // leniently: a mount point whose name is not UTF-8 (anyone's, anywhere on the host) must not stop every delete
            lines = new String(Files.readAllBytes(MOUNTINFO), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return true;
        }
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length > 4) {
                String m = unescape(f[4]);
                if (m.equals(target) || m.startsWith(target.equals("/") ? "/" : target + "/")) return true;
            }
        }
        return false;
    }

    /** mountinfo writes space, tab, newline and backslash in a path as octal escapes. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
