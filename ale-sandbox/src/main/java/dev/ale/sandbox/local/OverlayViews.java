package dev.ale.sandbox.local;

import dev.ale.core.host.HostTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-only views of host directories with some entries taken out, made once per ALE process
 * and reused by every sandbox of the same layout.
 *
 * <p>Why: hiding {@code /etc/shadow} by binding each other entry of {@code /etc} separately costs
 * bubblewrap about 0.35 ms per bind, every time a process tree starts (~50 ms for /etc alone).
 * A view is an overlayfs whose top layer holds a whiteout for each hidden entry and an empty
 * mount point for each path ALE binds something onto; bubblewrap then binds the whole view in
 * one go, as cheaply as binding /etc itself. The view is live: the host's later changes show.
 *
 * <p>Views live under {@code <data>/views/<pid>-<start>-<instance>/}; the backend that made them unmounts
 * them on close, and garbage collection unmounts those of a process that is gone.
 */
final class OverlayViews implements AutoCloseable {

    private final Path root;
    private final Map<String, Optional<Path>> made = new ConcurrentHashMap<>();
    private volatile boolean overlayWorks = true;

    OverlayViews(Path viewsDir) {
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        // one directory per backend instance: two backends in one process must not share views
        String instance = HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt());
        this.root = viewsDir.resolve(self.pid() + "-" + start + "-" + instance);
    }

    /**
     * A view of {@code hostDir} without {@code hidden} (paths relative to it) and with an empty
     * directory or file at each of {@code mountPoints} (relative path → is a directory); empty
     * when overlayfs cannot be used here, and the caller falls back to binding entry by entry.
     */
    Optional<Path> view(Path hostDir, Set<Path> hidden, Map<Path, Boolean> mountPoints) {
        if (!overlayWorks) return Optional.empty();
        String spec = hostDir + "\n" + new TreeSet<>(hidden) + "\n" + new TreeMap<>(mountPoints);
        return made.computeIfAbsent(sha256(spec), key -> build(key, hostDir, hidden, mountPoints));
    }

    private Optional<Path> build(String key, Path hostDir, Set<Path> hidden, Map<Path, Boolean> mountPoints) {
        Path dir = root.resolve(key);
        Path layer = dir.resolve("layer");
        Path mnt = dir.resolve("mnt");
        try {
            Files.createDirectories(layer);
            Files.createDirectories(mnt);
            copyOwnerAndMode(hostDir, layer);
            for (Path h : hidden) {
                Path whiteout = layer.resolve(h.toString());
                makeDirsLike(hostDir, layer, h.getParent());
                // an overlayfs whiteout is a character device 0:0; Java cannot make one
                if (HostCommands.tryRun(List.of("mknod", whiteout.toString(), "c", "0", "0")).exitCode() != 0) return fail(dir);
            }
            for (Map.Entry<Path, Boolean> m : mountPoints.entrySet()) {
                Path point = layer.resolve(m.getKey().toString());
                makeDirsLike(hostDir, layer, m.getValue() ? m.getKey() : m.getKey().getParent());
                if (!m.getValue() && !Files.exists(point)) Files.createFile(point);
            }
            // The layers are named relative to the view's directory, through a link to the host
            // directory: a sandbox reads the overlay's options in its mount table, and they must
            // name no host path of ALE's (nor need quoting of the host directory's name).
            Files.createSymbolicLink(dir.resolve("lower"), hostDir);
            HostTools.Result r = HostCommands.tryRun(List.of("env", "-C", dir.toString(), "mount", "-t", "overlay", "ale-view",
                    "-o", "ro,lowerdir=layer:lower", mnt.toString()));
            if (r.exitCode() != 0) return fail(dir);
            HostCommands.tryRun(List.of("mount", "--make-private", mnt.toString()));
            return Optional.of(mnt);
        } catch (IOException e) {
            return fail(dir);
        }
    }

    /**
     * Makes {@code relative} (and its parents) in the layer. In an overlay a directory takes its
     * owner and mode from the topmost layer that has it, so each one copies the host directory
     * it stands for: a 0700 home directory must not turn into a readable one.
     */
    private static void makeDirsLike(Path hostDir, Path layer, Path relative) throws IOException {
        if (relative == null) return;
        Path host = hostDir;
        Path made = layer;
        for (Path part : relative) {
            host = host.resolve(part.toString());
            made = made.resolve(part.toString());
            if (!Files.isDirectory(made)) {
                Files.createDirectory(made);
                if (Files.isDirectory(host)) copyOwnerAndMode(host, made);
            }
        }
    }

    private static void copyOwnerAndMode(Path from, Path to) throws IOException {
        Map<String, Object> a = Files.readAttributes(from, "unix:uid,gid,mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:uid", a.get("uid"));
        Files.setAttribute(to, "unix:gid", a.get("gid"));
        Files.setAttribute(to, "unix:mode", ((Integer) a.get("mode")) & 07777);
    }

    private Optional<Path> fail(Path dir) {
        overlayWorks = false;
        LocalSandboxBackend.deleteTree(dir);
        return Optional.empty();
    }

    /** Unmounts and removes every view this process made. */
    @Override
    public void close() {
        removeViewsUnder(root);
        made.clear();
    }

    /** Unmounts the views of ALE processes that are gone. */
    static void collectGarbage(Path viewsDir) {
        if (!Files.isDirectory(viewsDir)) return;
        try (var owners = Files.list(viewsDir)) {
            for (Path owner : owners.toList()) {
                String[] f = owner.getFileName().toString().split("-");
                boolean alive = f.length == 3 && ProcessHandle.of(Long.parseLong(f[0]))
                        .flatMap(h -> h.info().startInstant())
                        .map(s -> String.valueOf(s.toEpochMilli()).equals(f[1]))
                        .orElse(false);
                if (!alive) removeViewsUnder(owner);
            }
        } catch (IOException | NumberFormatException e) {
            // best effort; a later gc retries
        }
    }

    private static void removeViewsUnder(Path dir) {
        String prefix = dir.toAbsolutePath() + "/";
        List<String> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].startsWith(prefix)) mounts.add(f[4]);
            }
        } catch (IOException e) {
            return;
        }
        mounts.sort(Comparator.comparing(String::length).reversed());
        for (String m : mounts) {
            if (HostCommands.tryRun(List.of("umount", m)).exitCode() != 0) HostCommands.tryRun(List.of("umount", "-l", m));
        }
        LocalSandboxBackend.deleteTree(dir);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
