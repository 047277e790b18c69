package dev.ale.core.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An image's own {@code /etc/passwd} and {@code /etc/group}, read from its root as host root without
 * following a link (nothing outside the image is read). Lookups take the first matching entry, as getpwnam does.
 */
public record ImageAccounts(Optional<List<String>> passwd, Optional<List<String>> group) {

    /** The most an account file may hold before it is refused rather than read (no image needs more). */
    static final int MAX_FILE = 4 << 20;

    /** One passwd line: name, uid and gid as written (callers check them), home directory ("" when the line has none). */
    public record User(String name, String uid, String gid, String home) {
    }

    /** One group line: name, gid as written, and its member names. */
    public record Group(String name, String gid, List<String> members) {
    }

    public ImageAccounts {
        passwd = passwd.map(List::copyOf);
        group = group.map(List::copyOf);
    }

    /** The account files under {@code root}/etc, each only when it is a plain file under a plain /etc. */
    public static ImageAccounts read(Path root) {
        return new ImageAccounts(lines(root, "passwd"), lines(root, "group"));
    }

    public Optional<User> userNamed(String name) {
        return users().stream().filter(u -> u.name().equals(name)).findFirst();
    }

    /** The first entry whose uid field is {@code uid} as a number ("0100" is uid 100, as strconv.Atoi reads it). */
    public Optional<User> userWithId(long uid) {
        return users().stream().filter(u -> sameId(u.uid(), uid)).findFirst();
    }

    public Optional<Group> groupNamed(String name) {
        return groups().stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** The groups that list {@code member} among their members, in the file's order. */
    public List<Group> groupsListing(String member) {
        return groups().stream().filter(g -> g.members().contains(member)).toList();
    }

    /** Entries with fewer than four fields are skipped, as runc's parser yields nothing usable from them. */
    private List<User> users() {
        List<User> out = new ArrayList<>();
        for (String line : passwd.orElse(List.of())) {
            String[] f = line.split(":", -1);
            if (f.length >= 4) out.add(new User(f[0], f[2], f[3], f.length > 5 ? f[5] : ""));
        }
        return out;
    }

    private List<Group> groups() {
        List<Group> out = new ArrayList<>();
        for (String line : group.orElse(List.of())) {
            String[] f = line.split(":", -1);
            if (f.length < 3) continue;
            // names as written, split at commas only (runc's reading: " svc" is not svc)
            List<String> members = f.length > 3 ? Arrays.stream(f[3].split(",")).filter(m -> !m.isEmpty()).toList() : List.of();
            out.add(new Group(f[0], f[2], members));
        }
        return out;
    }

    private static boolean sameId(String field, long id) {
        String s = field.strip();
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) return false;
        return Long.parseLong(s) == id;
    }

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
}
