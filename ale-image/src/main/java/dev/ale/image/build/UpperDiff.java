package dev.ale.image.build;

import dev.ale.core.sandbox.ImageWrites;
import dev.ale.image.store.Store;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns what a RUN wrote over its image (the sandbox's overlay upper directory) into a layer:
 * new and changed entries as they are, overlayfs whiteouts (0:0 character devices) as OCI
 * {@code .wh.} entries, opaque directories with {@code .wh..wh..opq}. Files of the sandbox's host
 * id range are recorded with the ids they have inside (its first id is root): the host ids are
 * the sandbox's, meaningless in any other.
 */
final class UpperDiff {

    /**
     * Files ALE itself binds into every image sandbox (its names and resolver): what a RUN "wrote"
     * there are the mount points bubblewrap made, never the step's work. The image's accounts
     * (/etc/passwd, /etc/group) are its own, so a RUN's useradd is kept.
     */
    static final Set<String> SANDBOX_FILES = Set.of("etc/hosts", "etc/resolv.conf", "etc/hostname");
    /** Their directory: copied up only for those mount points (root inside binds /etc whole), it is no change of the step's. */
    private static final String SANDBOX_DIR = "etc";

    private final LayerTar tar;
    private final ImageWrites writes;
    private int entries;

    private UpperDiff(LayerTar tar, ImageWrites writes) {
        this.tar = tar;
        this.writes = writes;
    }

    /** Writes the changes into {@code tar}; returns how many entries it wrote (0: the step changed nothing). */
    static int write(ImageWrites writes, LayerTar tar) throws IOException {
        UpperDiff d = new UpperDiff(tar, writes);
        d.walk(writes.upperDir(), "");
        return d.entries;
    }

    private void walk(Path dir, String prefix) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(children::add);
        }
        children.sort(null);
        for (Path p : children) {
            String rel = prefix + p.getFileName();
            if (SANDBOX_FILES.contains(rel)) continue;
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,rdev,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            int type = mode & 0170000;
            int uid = owner((Integer) a.get("uid"));
            int gid = owner((Integer) a.get("gid"));
            long mtime = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
            switch (type) {
                case 0020000 -> { // character device: a whiteout when its number is 0:0; other devices a layer never keeps
                    if ((Long) a.get("rdev") == 0L) {
                        tar.whiteout(rel);
                        entries++;
                    }
                }
                case 0040000 -> {
                    if (rel.equals(SANDBOX_DIR) && !Store.isOpaque(p) && onlySandboxFiles(p, rel + "/")) continue;
                    tar.dir(rel, mode & 07777, uid, gid, mtime);
                    entries++;
                    if (Store.isOpaque(p)) tar.opaque(rel);
                    walk(p, rel + "/");
                }
                case 0100000 -> {
                    tar.file(rel, mode & 07777, uid, gid, mtime, p);
                    entries++;
                }
                case 0120000 -> {
                    tar.symlink(rel, Files.readSymbolicLink(p).toString(), uid, gid, mtime);
                    entries++;
                }
                default -> { } // fifos and sockets: the unpacker drops them too
            }
        }
    }

    private static boolean onlySandboxFiles(Path dir, String prefix) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) if (!SANDBOX_FILES.contains(prefix + p.getFileName())) return false;
        }
        return true;
    }

    private int owner(int id) {
        return writes.insideId(id);
    }
}
