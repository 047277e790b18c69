package dev.ale.image.store;

import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Unpacks one layer's tar into an empty directory as an overlayfs lower layer. Every decision
 * about what a layer may put on this host is here:
 *
 * <ul>
 *   <li>refused (the whole layer): an absolute path, a {@code ..} component, an entry written
 *       through a symlink (a link out, then a file "inside" it), a relative symlink that climbs
 *       above the root, a hard link to anything but a regular file of this same layer, and
 *       entry types tar has no business with here (sparse, volume, unknown);</li>
 *   <li>dropped: device nodes and fifos (the sandbox gets its own /dev), setuid and setgid
 *       bits, and extended attributes (a file capability is a privilege too);</li>
 *   <li>translated: OCI whiteouts ({@code .wh.NAME}) become overlayfs whiteouts, and
 *       {@code .wh..wh..opq} makes its directory opaque.</li>
 * </ul>
 *
 * Nothing is ever opened through a path the layer controls: each parent is checked not to be a
 * symlink, and files are created with O_EXCL after removing what was there.
 */
final class LayerUnpacker {

    /** What an unpack dropped, so a listing can say so. */
    record Summary(long entries, long devicesDropped, long setidCleared) {
    }

    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final Path root;
    private final String layer;
    private final List<Dir> dirs = new ArrayList<>();
    private long entries;
    private long devices;
    private long setid;

    private record Dir(Path path, int mode, long uid, long gid, long mtime) {
    }

    private LayerUnpacker(Path root, String layer) {
        this.root = root;
        this.layer = layer;
    }

    /** Unpacks {@code tar} into {@code root} (an empty directory); refuses the layer on the first hostile entry. */
    static Summary unpack(InputStream tar, Path root, String layer) {
        LayerUnpacker u = new LayerUnpacker(root, layer);
        TarReader reader = new TarReader(tar, layer);
        try {
            for (Optional<TarReader.Entry> e; (e = reader.next()).isPresent(); ) u.apply(e.get(), reader);
            u.finishDirs();
        } catch (TarReader.TarFormatException e) {
            throw new StoreException(Fault.INPUT, "layer " + e.getMessage());
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "layer " + layer + ": cannot unpack: " + e.getMessage(), e);
        }
        return new Summary(u.entries, u.devices, u.setid);
    }

    private void apply(TarReader.Entry e, TarReader reader) throws IOException {
        entries++;
        List<String> parts = clean(e.name(), e.name());
        if (parts.isEmpty()) return; // "./": the root's own entry
        Path target = root.resolve(String.join("/", parts));
        String base = parts.getLast();
        ensureParents(parts, e.name());
        if (base.equals(OPAQUE)) {
            Native.opaque(target.getParent());
            return;
        }
        if (base.startsWith(WHITEOUT)) {
            String hidden = base.substring(WHITEOUT.length());
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) throw refuse(e.name(), "is a whiteout of nothing");
            Path gone = target.resolveSibling(hidden);
            removeExisting(gone);
            Native.whiteout(gone);
            return;
        }
        switch (e.type()) {
            case '5' -> {
                if (!isDirectoryNoFollow(target)) {
                    removeExisting(target);
                    Files.createDirectory(target);
                }
                dirs.add(new Dir(target, e.mode(), e.uid(), e.gid(), e.mtime()));
            }
            case '0', '7' -> {
                removeExisting(target);
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS); InputStream in = reader.content()) {
                    in.transferTo(out);
                }
                own(target, e);
            }
            case '2' -> {
                String link = e.linkName();
                if (link.isEmpty()) throw refuse(e.name(), "is a symlink to nothing");
                if (!link.startsWith("/") && climbsOut(parts.subList(0, parts.size() - 1), link)) {
                    throw refuse(e.name(), "is a symlink out of the image (to " + link + ")");
                }
                removeExisting(target);
                Files.createSymbolicLink(target, Path.of(link));
                ownLink(target, e);
            }
            case '1' -> {
                List<String> to = clean(e.linkName(), e.name() + " (hard link to " + e.linkName() + ")");
                if (to.isEmpty()) throw refuse(e.name(), "is a hard link to the root");
                ensureParentsExist(to, e.name());
                Path source = root.resolve(String.join("/", to));
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException ex) {
                    throw refuse(e.name(), "is a hard link to " + e.linkName() + ", which is not earlier in this layer");
                }
                if (!a.isRegularFile()) throw refuse(e.name(), "is a hard link to " + e.linkName() + ", which is not a regular file");
                if (source.equals(target)) return;
                removeExisting(target);
                Files.createLink(target, source);
            }
            case '3', '4', '6' -> devices++; // device nodes and fifos never come from an image
            default -> throw refuse(e.name(), "has tar entry type '" + e.type() + "', which a layer may not hold");
        }
    }

    /** Path components of an entry name; refuses absolute paths and {@code ..}. */
    private List<String> clean(String name, String shown) {
        if (name.startsWith("/")) throw refuse(shown, "is an absolute path");
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) throw refuse(shown, "has a \"..\" component");
            if (p.indexOf('\0') >= 0) throw refuse(shown, "has a NUL byte in its name");
            parts.add(p);
        }
        return parts;
    }

    /** True when a relative symlink in {@code dir} to {@code link} leads above the layer's root. */
    private static boolean climbsOut(List<String> dir, String link) {
        int depth = dir.size();
        for (String p : link.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (--depth < 0) return true;
            } else {
                depth++;
            }
        }
        return false;
    }

    /** Makes missing parents; refuses an entry whose parent is a symlink (writing through it could leave the layer). */
    private void ensureParents(List<String> parts, String shown) throws IOException {
        Path p = root;
        for (int i = 0; i < parts.size() - 1; i++) {
            p = p.resolve(parts.get(i));
            Optional<BasicFileAttributes> a = attrs(p);
            if (a.isEmpty()) {
                Files.createDirectory(p);
            } else if (a.get().isSymbolicLink()) {
                throw refuse(shown, "goes through the symlink " + String.join("/", parts.subList(0, i + 1)));
            } else if (!a.get().isDirectory()) {
                throw refuse(shown, "is below " + String.join("/", parts.subList(0, i + 1)) + ", which is not a directory");
            }
        }
    }

    private void ensureParentsExist(List<String> parts, String shown) {
        Path p = root;
        for (int i = 0; i < parts.size() - 1; i++) {
            p = p.resolve(parts.get(i));
            Optional<BasicFileAttributes> a = attrs(p);
            if (a.isPresent() && a.get().isSymbolicLink()) {
                throw refuse(shown, "is a hard link through the symlink " + String.join("/", parts.subList(0, i + 1)));
            }
        }
    }

    private void own(Path target, TarReader.Entry e) throws IOException {
        int mode = e.mode();
        if ((mode & 06000) != 0) {
            setid++;
            mode &= ~06000;
        }
        Files.setAttribute(target, "unix:uid", (int) e.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", (int) e.gid(), LinkOption.NOFOLLOW_LINKS);
        // after chown: the kernel clears setuid bits on chown, and the mode must be ours anyway
        Files.setAttribute(target, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        Files.setLastModifiedTime(target, FileTime.fromMillis(e.mtime() * 1000));
    }

    private static void ownLink(Path target, TarReader.Entry e) throws IOException {
        Files.setAttribute(target, "unix:uid", (int) e.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", (int) e.gid(), LinkOption.NOFOLLOW_LINKS);
    }

    /** Directory modes last, deepest first, so a read-only directory still gets its children. */
    private void finishDirs() throws IOException {
        dirs.sort(Comparator.comparingInt((Dir d) -> d.path().getNameCount()).reversed());
        for (Dir d : dirs) {
            if (!isDirectoryNoFollow(d.path())) continue; // replaced by a later entry
            int mode = d.mode();
            if ((mode & 06000) != 0) {
                setid++;
                mode &= ~06000;
            }
            Files.setAttribute(d.path(), "unix:uid", (int) d.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(d.path(), "unix:gid", (int) d.gid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(d.path(), "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
            Files.setLastModifiedTime(d.path(), FileTime.fromMillis(d.mtime() * 1000));
        }
    }

    private static void removeExisting(Path p) throws IOException {
        Optional<BasicFileAttributes> a = attrs(p);
        if (a.isEmpty()) return;
        if (a.get().isDirectory()) {
            try (Stream<Path> walk = Files.walk(p)) { // walk does not follow links
                for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
            } catch (DirectoryNotEmptyException e) {
                throw new IOException("cannot replace " + p, e);
            }
        } else {
            Files.delete(p);
        }
    }

    private static boolean isDirectoryNoFollow(Path p) {
        return attrs(p).map(BasicFileAttributes::isDirectory).orElse(false);
    }

    private static Optional<BasicFileAttributes> attrs(Path p) {
        try {
            return Optional.of(Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private StoreException refuse(String entry, String why) {
        return new StoreException(Fault.INPUT, "layer " + layer + " refused: entry \"" + entry + "\" " + why);
    }
}
