package dev.ale.image.build;

import dev.ale.core.AleException.Fault;
import dev.ale.image.registry.Digest;
import dev.ale.image.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of a layer stack as one tree: a read-only overlay mount of two or more layers,
 * the layer itself for one, an empty directory for none. COPY reads its {@code --from} sources and
 * the attributes of destination parents here. Closing unmounts it.
 */
final class MergedView implements AutoCloseable {

    private final Path root;
    private final Optional<Path> temp;
    private final boolean mounted;

    private MergedView(Path root, Optional<Path> temp, boolean mounted) {
        this.root = root;
        this.temp = temp;
        this.mounted = mounted;
    }

    static MergedView of(Store store, List<Digest> layers) {
        if (layers.size() == 1) return new MergedView(store.layerDir(layers.getFirst()), Optional.empty(), false);
        Path tmp = store.newTemp("view");
        Path target = tmp.resolve("root");
        try {
            Files.createDirectory(target);
            if (layers.isEmpty()) return new MergedView(target, Optional.of(tmp), false);
            List<String> lower = new ArrayList<>();
            for (Digest d : layers.reversed()) lower.add(store.layerDir(d).toString()); // overlayfs lists the top layer first
            run(List.of("mount", "-t", "overlay", "ale-build-view", "-o", "ro,nosuid,nodev,lowerdir=" + String.join(":", lower),
                    target.toString()));
            return new MergedView(target, Optional.of(tmp), true);
        } catch (IOException | RuntimeException e) {
            Store.deleteTree(tmp);
            throw e instanceof DockerfileException de ? de
                    : new DockerfileException(Fault.ENVIRONMENT, "cannot mount a view of the image being built: " + e.getMessage(), e);
        }
    }

    /** A view of a tree that is already one (a mounted view, a layer directory): nothing to unmount. */
    static MergedView over(Path root) {
        return new MergedView(root, Optional.empty(), false);
    }

    Path root() {
        return root;
    }

    /**
     * The path {@code abs} names inside the view, its symlinks followed as they would be inside
     * the image (an absolute target from the view's root, never above it): components relative to
     * the root. A missing component ends the walk; the rest is kept as written.
     */
    List<String> resolve(String abs, boolean followLast) {
        Deque<String> todo = new ArrayDeque<>(split(abs));
        List<String> cur = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals(".")) continue;
            if (c.equals("..")) {
                if (!cur.isEmpty()) cur.removeLast();
                continue;
            }
            cur.add(c);
            Path p = at(cur);
            if ((followLast || !todo.isEmpty()) && Files.isSymbolicLink(p)) {
                if (++hops > 40) throw new DockerfileException(Fault.INPUT, abs + ": too many levels of symbolic links in the image");
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    throw new DockerfileException(Fault.ENVIRONMENT, "cannot read link " + p + ": " + e.getMessage(), e);
                }
                cur.removeLast();
                if (target.startsWith("/")) cur.clear();
                List<String> t = split(target);
                for (int k = t.size() - 1; k >= 0; k--) todo.addFirst(t.get(k));
            }
        }
        return cur;
    }

    Path at(List<String> components) {
        Path p = root;
        for (String c : components) p = p.resolve(c);
        return p;
    }

    boolean isDirectory(List<String> components) {
        return Files.isDirectory(at(components), LinkOption.NOFOLLOW_LINKS);
    }

    static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    @Override
    public void close() {
        if (mounted) {
            try {
                run(List.of("umount", root.toString()));
            } catch (RuntimeException e) {
                run(List.of("umount", "-l", root.toString()));
            }
        }
        temp.ifPresent(Store::deleteTree);
    }

    private static void run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) throw new DockerfileException(Fault.ENVIRONMENT, String.join(" ", argv) + " failed: " + out);
        } catch (IOException e) {
            throw new DockerfileException(Fault.ENVIRONMENT, argv.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DockerfileException(Fault.ENVIRONMENT, argv.getFirst() + " interrupted", e);
        }
    }
}
