package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.passport.FilesystemRules;
import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.HashSet;
import java.util.TreeMap;

/**
 * The read-only view of the base root a sandbox gets, as bubblewrap arguments.
 *
 * <p>Hidden paths must not exist inside at all, so they cannot simply be covered: the root is
 * an empty tmpfs, every entry of the base is bound read-only one by one, and a directory that
 * holds a hidden path is made empty and filled the same way, one level down, leaving the hidden
 * entry out. Only the ancestors of hidden paths are expanded, so a sandbox costs a few dozen
 * binds, not a tree walk.
 */
final class RootfsLayout {

    /** Top-level entries never taken from the base: the sandbox gets its own or none. */
    private static final Set<String> NOT_FROM_BASE =
            Set.of("proc", "dev", "sys", "tmp", "run", "workspace", "boot", "lost+found");

    private final Path base;
    private final Set<Path> hidden;
    private final Map<Path, Path> replacements;
    private final Optional<OverlayViews> views;
    /** The base is the sandbox's own overlay (an image root): bound whole and writable as / itself. */
    private boolean ownRoot;

    /**
     * @param base         host directory that becomes / inside (the host root, or a rootfs)
     * @param hidden       sandbox paths to leave out; a component may be {@code *}
     * @param replacements sandbox path → host file bound in its place (e.g. a generated /etc/passwd)
     */
    RootfsLayout(Path base, Collection<String> hidden, Map<Path, Path> replacements) {
        this(base, hidden, replacements, Optional.empty());
    }

    /** With {@code views}, a top-level directory holding hidden paths is one overlay view, not many binds. */
    RootfsLayout(Path base, Collection<String> hidden, Map<Path, Path> replacements, Optional<OverlayViews> views) {
        this.base = base;
        this.hidden = resolveHidden(base, hidden);
        this.replacements = Map.copyOf(replacements);
        this.views = views;
    }

    /**
     * The same layout over a base that is the sandbox's own overlay (an image root): the base is
     * bound whole as a writable / (so new top-level directories land in the sandbox's upper layer,
     * as in a container), hidden paths that exist in it are covered (an empty read-only directory,
     * or /dev/null), and the replacements are bound read-only over it. The mount points ALE needs
     * (/proc, /dev, /tmp, /workspace, /tests, /etc/hosts…) come from a lower layer of ALE's, so
     * bubblewrap writes nothing into the image.
     */
    RootfsLayout ownRoot() {
        ownRoot = true;
        return this;
    }

    /** Whether / inside is the writable base itself (an image sandbox's overlay), not a read-only tmpfs of binds. */
    boolean isOwnRoot() {
        return ownRoot;
    }

    Path base() {
        return base;
    }

    /** Sandbox path → host file bound in its place. */
    Map<Path, Path> replacements() {
        return replacements;
    }

    /** The effective hidden paths (globs expanded, symlinks resolved), as sandbox paths. */
    Set<Path> hidden() {
        return hidden;
    }

    List<String> bwrapArgs() {
        if (ownRoot) return ownRootArgs();
        List<String> args = new ArrayList<>();
        Set<Path> placed = new HashSet<>();
        expand(Path.of("/"), args, placed);
        // replacements whose target does not exist in the base: bwrap makes the mount point
        replacements.entrySet().stream()
                .filter(e -> !placed.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> args.addAll(List.of("--ro-bind", e.getValue().toString(), e.getKey().toString())));
        return args;
    }

    private List<String> ownRootArgs() {
        List<String> args = new ArrayList<>(List.of("--bind", base.toString(), "/"));
        for (Path h : hidden) {
            // a path through a link is left alone: on the host the link would lead out of the base, and inside bubblewrap would
            // mount wherever it points (an image's own paths are no secret of the host's; its real place is covered if hidden)
            if (throughLink(h)) continue;
            Path host = hostPath(h);
            if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                args.addAll(List.of("--tmpfs", h.toString(), "--remount-ro", h.toString()));
            } else if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                args.addAll(List.of("--ro-bind", "/dev/null", h.toString()));
            }
        }
        replacements.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> args.addAll(List.of("--ro-bind", e.getValue().toString(), e.getKey().toString())));
        return args;
    }

    /**
     * A read-only bind from the passport; refused when it would show a hidden path under another
     * name. Returns the source with symlinks resolved: that is what was checked, so that is what
     * gets bound (bwrap would follow a symlink to wherever it points).
     */
    Path checkBind(FilesystemRules.ReadOnlyBind bind) {
        Path source = bind.source().normalize();
        Path real;
        try {
            real = source.toRealPath();
        } catch (IOException e) {
            throw new SandboxException(Fault.INPUT, "filesystem.readOnly: " + source + " does not exist on this host");
        }
        String shown = real.equals(source) ? source.toString() : source + " (a link to " + real + ")";
        for (Path h : hidden) {
            Path hostHidden = hostPath(h);
            for (Path s : List.of(source, real)) {
                if (hostHidden.startsWith(s) || s.startsWith(hostHidden)) {
                    throw new SandboxException(Fault.INPUT, "filesystem.readOnly: " + shown + " would expose the hidden path "
                            + h + "; bind a directory that does not contain it");
                }
            }
        }
        return real;
    }

    private void expand(Path dir, List<String> args, Set<Path> placed) {
        Path hostDir = hostPath(dir);
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(hostDir)) {
            stream.forEach(entries::add);
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot list " + hostDir + " for the sandbox root: " + e.getMessage(), e);
        }
        entries.sort(null);
        for (Path hostEntry : entries) {
            String name = hostEntry.getFileName().toString();
            Path inside = dir.resolve(name);
            if (dir.getNameCount() == 0 && NOT_FROM_BASE.contains(name)) continue;
            if (hidden.contains(inside)) continue;
            Path replacement = replacements.get(inside);
            if (replacement != null) {
                args.addAll(List.of("--ro-bind", replacement.toString(), inside.toString()));
                placed.add(inside);
                continue;
            }
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(hostEntry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                continue; // vanished while listing
            }
            if (attrs.isSymbolicLink()) {
                try {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(hostEntry).toString(), inside.toString()));
                } catch (IOException e) {
                    // unreadable link: leave it out
                }
            } else if (attrs.isDirectory() && holdsSomethingSpecial(inside)) {
                Optional<Path> view = dir.getNameCount() == 0 ? viewOf(inside, hostEntry) : Optional.empty();
                if (view.isPresent()) {
                    // replacements below it are bound after it, onto mount points the view provides
                    args.addAll(List.of("--ro-bind", view.get().toString(), inside.toString()));
                } else {
                    args.addAll(List.of("--dir", inside.toString()));
                    expand(inside, args, placed);
                }
            } else if (attrs.isDirectory() || attrs.isRegularFile()) {
                args.addAll(List.of("--ro-bind", hostEntry.toString(), inside.toString()));
            }
            // sockets, fifos and device nodes outside /dev are never carried into a sandbox
        }
    }

    /** Whether {@code inside} or a directory on its way is a symbolic link in the base. */
    private boolean throughLink(Path inside) {
        Path p = base;
        for (Path part : inside) {
            p = p.resolve(part.toString());
            if (Files.isSymbolicLink(p)) return true;
        }
        return false;
    }

    private Optional<Path> viewOf(Path inside, Path hostDir) {
        if (views.isEmpty()) return Optional.empty();
        Set<Path> hiddenBelow = new TreeSet<>();
        for (Path h : hidden) if (h.startsWith(inside) && !h.equals(inside)) hiddenBelow.add(inside.relativize(h));
        Map<Path, Boolean> mountPoints = new TreeMap<>();
        for (Map.Entry<Path, Path> r : replacements.entrySet()) {
            Path target = r.getKey();
            if (target.startsWith(inside) && !target.equals(inside)) {
                mountPoints.put(inside.relativize(target), Files.isDirectory(r.getValue()));
            }
        }
        return views.get().view(hostDir, hiddenBelow, mountPoints);
    }

    private boolean holdsSomethingSpecial(Path dir) {
        return Stream.concat(hidden.stream(), replacements.keySet().stream())
                .anyMatch(p -> p.startsWith(dir) && !p.equals(dir));
    }

    private Path hostPath(Path inside) {
        return inside.getNameCount() == 0 ? base : base.resolve(Path.of("/").relativize(inside).toString());
    }

    private static Set<Path> resolveHidden(Path base, Collection<String> patterns) {
        Set<Path> result = new TreeSet<>();
        for (String pattern : patterns) {
            for (Path inside : expandGlob(base, Path.of(pattern).normalize())) {
                result.add(inside);
                // a hidden path reached through a symlink is hidden where it really lives, too
                Path host = base.resolve(Path.of("/").relativize(inside).toString());
                try {
                    Path real = host.toRealPath();
                    if (real.startsWith(base)) result.add(Path.of("/").resolve(base.relativize(real).toString()));
                } catch (IOException e) {
                    // does not exist: nothing to hide
                }
            }
        }
        return result;
    }

    private static List<Path> expandGlob(Path base, Path pattern) {
        List<Path> current = List.of(Path.of("/"));
        for (Path part : pattern) {
            List<Path> next = new ArrayList<>();
            for (Path prefix : current) {
                if (part.toString().equals("*")) {
                    Path host = base.resolve(Path.of("/").relativize(prefix).toString());
                    if (!Files.isDirectory(host)) continue;
                    try (DirectoryStream<Path> s = Files.newDirectoryStream(host)) {
                        s.forEach(child -> next.add(prefix.resolve(child.getFileName().toString())));
                    } catch (IOException e) {
                        // unreadable: nothing beneath can be listed
                    }
                } else if (part.toString().contains("*")) {
                    Path host = base.resolve(Path.of("/").relativize(prefix).toString());
                    if (!Files.isDirectory(host)) continue;
                    try (DirectoryStream<Path> s = Files.newDirectoryStream(host, part.toString())) {
                        s.forEach(child -> next.add(prefix.resolve(child.getFileName().toString())));
                    } catch (IOException e) {
                        // unreadable
                    }
                } else {
                    next.add(prefix.resolve(part.toString()));
                }
            }
            current = next;
        }
        return current;
    }
}
