package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.ImageAccounts;
import dev.ale.core.sandbox.SandboxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who an image's processes are, read as Docker reads its {@code User} (runc's user lookup, and moby's
 * list of groups): {@code user}, {@code uid}, {@code user:group}, {@code uid:gid} and the mixed forms,
 * names from the image's own {@code /etc/passwd} and {@code /etc/group}. {@code groups} are the
 * supplementary groups (the primary one first, then every group whose member list names the user,
 * unless {@code User} names a group); {@code home} is HOME when the image's {@code Env} sets none.
 * Every id must be one the sandbox maps (0..65535).
 */
record ImageUser(int uid, int gid, List<Integer> groups, String home) {

    ImageUser {
        groups = List.copyOf(groups);
    }

    /**
     * Resolves {@code user} against the image's accounts. No USER is the passwd entry of uid 0 (as runc takes
     * the current user); a uid without an entry is that uid in group 0 with HOME {@code /}, as in Docker.
     */
    static ImageUser resolve(Optional<String> user, ImageAccounts accounts, String image) {
        String spec = user.orElse("").strip();
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        Optional<String> group = colon < 0 ? Optional.empty() : Optional.of(spec.substring(colon + 1));
        if (!spec.isEmpty() && name.isEmpty() || group.filter(String::isEmpty).isPresent()) {
            throw fail(image, spec, "say USER name, uid, name:group or uid:gid");
        }
        Optional<ImageAccounts.User> entry;
        if (name.isEmpty()) {
            entry = accounts.userWithId(0);
        } else if (isNumber(name)) {
            entry = accounts.userWithId(id(name, image, spec, ""));
        } else {
            entry = accounts.userNamed(name);
            // root needs no account (a scratch image runs as root too); any other name does
            if (entry.isEmpty() && !name.equals("root")) throw fail(image, spec, "no user \"" + name + "\" in the image's /etc/passwd");
        }
        int uid = entry.isPresent() ? id(entry.get().uid(), image, spec, "") : name.isEmpty() || name.equals("root") ? 0 : id(name, image, spec, "");
        int gid = entry.isPresent() ? id(entry.get().gid(), image, spec, "") : 0;
        String home = entry.map(ImageAccounts.User::home).orElse("/");
        List<Integer> supplementary = new ArrayList<>();
        if (group.isPresent()) {
            String g = group.get();
            gid = isNumber(g) ? id(g, image, spec, "") : id(accounts.groupNamed(g).orElseThrow(() -> fail(image, spec,
                    "no group \"" + g + "\" in the image's /etc/group")).gid(), image, spec, "");
        } else if (entry.isPresent()) {
            // the groups that list the user, only when USER names no group (runc's implicit form)
            for (ImageAccounts.Group member : accounts.groupsListing(entry.get().name())) {
                supplementary.add(id(member.gid(), image, spec, " (the gid of group \"" + member.name() + "\", which lists the user)"));
            }
        }
        // moby adds the primary group itself, so that a process keeps it when it changes its gid (CVE-2022-36109)
        Set<Integer> groups = new LinkedHashSet<>();
        groups.add(gid);
        groups.addAll(supplementary);
        return new ImageUser(uid, gid, List.copyOf(groups), home);
    }

    /** {@code text} as an id the sandbox maps; {@code what} ends the message when the id is not the one USER wrote. */
    private static int id(String text, String image, String spec, String what) {
        long v;
        try {
            v = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw fail(image, spec, "\"" + text + "\" is not a number of an id" + what);
        }
        if (v < 0 || v >= LocalSandboxBackend.ROOT_RANGE) {
            throw fail(image, spec, "id " + v + " is outside the " + LocalSandboxBackend.ROOT_RANGE + " ids a sandbox maps (0.."
                    + (LocalSandboxBackend.ROOT_RANGE - 1) + ")" + what);
        }
        return (int) v;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static SandboxException fail(String image, String spec, String why) {
        return new SandboxException(Fault.INPUT, "image " + image + ": USER " + spec + ": " + why);
    }
}
