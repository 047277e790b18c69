package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The uid and gid an image's {@code User} names, read as Docker reads it: {@code user}, {@code uid},
 * {@code user:group}, {@code uid:gid} (and the mixed forms); a name from the image's own
 * {@code /etc/passwd} or {@code /etc/group}; a user's group, when none is named, from its passwd
 * entry, else 0. Every id must be one the sandbox maps (0..65535).
 */
record ImageUser(int uid, int gid) {

    static final ImageUser ROOT = new ImageUser(0, 0);

    /** The most an account file may hold before it is refused rather than read (no image needs more). */
    private static final int MAX_FILE = 4 << 20;

    /**
     * Resolves {@code user} against the image root {@code root} (the sandbox's overlay, read as host
     * root before anything runs in it: no link is followed, so nothing outside the image is read).
     */
    static ImageUser resolve(Optional<String> user, Path root, String image) {
        String spec = user.orElse("").strip();
        if (spec.isEmpty() || spec.equals("root") || spec.equals("0")) return ROOT;
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        Optional<String> group = colon < 0 ? Optional.empty() : Optional.of(spec.substring(colon + 1));
        if (name.isEmpty() || group.filter(String::isEmpty).isPresent()) {
            throw fail(image, spec, "say USER name, uid, name:group or uid:gid");
        }
        int uid;
        int gid = 0; // Docker's: a uid without an account is in group 0
        Optional<String[]> entry = isNumber(name)
                ? lines(root, "passwd").flatMap(l -> find(l, 2, name))
                : Optional.of(lines(root, "passwd").flatMap(l -> find(l, 0, name)).orElseThrow(() -> fail(image, spec,
                        "no user \"" + name + "\" in the image's /etc/passwd")));
        uid = isNumber(name) ? id(name, image, spec) : id(entry.get()[2], image, spec);
        if (entry.isPresent()) gid = id(entry.get()[3], image, spec);
        if (group.isPresent()) {
            String g = group.get();
            gid = isNumber(g) ? id(g, image, spec) : id(lines(root, "group").flatMap(l -> find(l, 0, g)).orElseThrow(() -> fail(image, spec,
                    "no group \"" + g + "\" in the image's /etc/group"))[2], image, spec);
        }
        return new ImageUser(uid, gid);
    }

    /** Whether resolving {@code user} reads the image's account files: not for root, nor for {@code uid:gid}. */
    static boolean needsAccounts(Optional<String> user) {
        String spec = user.orElse("").strip();
        if (spec.isEmpty() || spec.equals("root") || spec.equals("0")) return false;
        int colon = spec.indexOf(':');
        return colon < 0 || !isNumber(spec.substring(0, colon)) || !isNumber(spec.substring(colon + 1));
    }

    private static int id(String text, String image, String spec) {
        long v;
        try {
            v = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw fail(image, spec, "\"" + text + "\" is not a number of an id");
        }
        if (v < 0 || v >= LocalSandboxBackend.ROOT_RANGE) {
            throw fail(image, spec, "id " + v + " is outside the " + LocalSandboxBackend.ROOT_RANGE + " ids a sandbox maps (0.."
                    + (LocalSandboxBackend.ROOT_RANGE - 1) + ")");
        }
        return (int) v;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** The entry whose field {@code field} is {@code value} (the first, as getpwnam takes it). */
    private static Optional<String[]> find(List<String> lines, int field, String value) {
        for (String line : lines) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && f[field].equals(value)) return Optional.of(f);
        }
        return Optional.empty();
    }

    /** /etc/{@code file} of the image, when it is a plain file under a plain /etc. */
    private static Optional<List<String>> lines(Path root, String file) {
        Path etc = root.resolve("etc");
        Path p = etc.resolve(file);
        if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(MAX_FILE + 1);
            if (bytes.length > MAX_FILE) return Optional.empty();
            return Optional.of(new String(bytes, StandardCharsets.UTF_8).lines().toList());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static SandboxException fail(String image, String spec, String why) {
        return new SandboxException(Fault.INPUT, "image " + image + ": USER " + spec + ": " + why);
    }
}
