package dev.ale.image.store;

import dev.ale.core.AleException.Fault;
import dev.ale.image.registry.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The content-addressed store under {@code <data>/images/}: {@code blobs/sha256/<hex>} (configs,
 * and layer blobs only while they are unpacked), {@code layers/<hex>/} (each layer unpacked once,
 * named by its blob digest), {@code records/<hex>.json} (one per image) and {@code tmp/}. Every
 * write goes to {@code tmp/} first and is renamed into place whole, so a crash or a refused layer
 * leaves nothing half-made where a reader would find it.
 */
public final class Store {

    private final Path root;

    public Store(Path dataDir) {
        this.root = dataDir.resolve("images");
        try {
            for (String d : List.of("blobs/sha256", "layers", "records", "tmp")) Files.createDirectories(root.resolve(d));
            // only ALE (root) reads the store directly; sandboxes see layers through overlay mounts ALE makes
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot prepare the image store " + root + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    public Path layerDir(Digest blob) {
        return root.resolve("layers").resolve(blob.hex());
    }

    public boolean hasLayer(Digest blob) {
        return Files.isDirectory(layerDir(blob), LinkOption.NOFOLLOW_LINKS);
    }

    public Path blobPath(Digest d) {
        return root.resolve("blobs/sha256").resolve(d.hex());
    }

    public Optional<byte[]> blob(Digest d) {
        try {
            return Files.exists(blobPath(d)) ? Optional.of(Files.readAllBytes(blobPath(d))) : Optional.empty();
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot read blob " + d + ": " + e.getMessage(), e);
        }
    }

    /** A fresh directory under tmp/ for one write. */
    public Path newTemp(String kind) {
        Path p = root.resolve("tmp").resolve(kind + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        try {
            Files.createDirectory(p);
            return p;
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot write in " + root.resolve("tmp") + ": " + e.getMessage(), e);
        }
    }

    /** Stores {@code bytes} as a blob after checking they are {@code d}. */
    public void putBlob(Digest d, byte[] bytes) {
        if (!Digest.of(bytes).equals(d)) throw new StoreException(Fault.INPUT, "digest mismatch: content is not " + d);
        Path tmp = newTemp("blob");
        try {
            Files.write(tmp.resolve("b"), bytes);
            moveInto(tmp.resolve("b"), blobPath(d));
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot store blob " + d + ": " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * Unpacks a layer blob (tar, or gzip-compressed tar: the magic bytes decide) into
     * {@code layers/<blob>/}; checks its uncompressed digest against {@code diffId} when given.
     * Returns false when another pull got there first (the layer is there either way).
     */
    public boolean unpackLayer(Digest blob, InputStream raw, Optional<Digest> diffId, String image) {
        if (hasLayer(blob)) return false;
        Path tmp = newTemp("layer");
        Path tree = tmp.resolve("root");
        String name = blob.shortId() + " of " + image;
        try {
            Files.createDirectory(tree);
            Files.setPosixFilePermissions(tree, PosixFilePermissions.fromString("rwxr-xr-x"));
            BufferedInputStream in = new BufferedInputStream(raw);
            in.mark(4);
            int b0 = in.read();
            int b1 = in.read();
            int b2 = in.read();
            int b3 = in.read();
            in.reset();
            if (b0 == 0x28 && b1 == 0xb5 && b2 == 0x2f && b3 == 0xfd) {
                throw new StoreException(Fault.INPUT, "layer " + name + " is zstd-compressed, which is not supported yet (use gzip)");
            }
            InputStream decompressed = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
            MessageDigest sha = Digest.sha256();
            LayerUnpacker.unpack(new DigestInputStream(decompressed, sha), tree, name);
            // the tar's end-of-archive blocks leave padding unread; it counts in the diff id
            new DigestInputStream(decompressed, sha).transferTo(java.io.OutputStream.nullOutputStream());
            Digest actual = Digest.of(sha);
            if (diffId.isPresent() && !diffId.get().equals(actual)) {
                throw new StoreException(Fault.ENVIRONMENT, "layer " + name + ": digest mismatch: its content is " + actual
                        + ", the image config says " + diffId.get());
            }
            try {
                moveInto(tree, layerDir(blob));
                return true;
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                return false;
            }
        } catch (java.util.zip.ZipException e) {
            throw new StoreException(Fault.INPUT, "layer " + name + " is corrupt: " + e.getMessage());
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "layer " + name + ": cannot unpack: " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * Unpacks a tar archive of an OCI layout into a temp directory (the caller deletes it), with
     * the same refusals as a layer: an archive is as untrusted as any layer.
     */
    public Path unpackArchive(Path archive) {
        Path tmp = newTemp("archive");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(archive))) {
            BufferedInputStream b = new BufferedInputStream(in);
            b.mark(2);
            boolean gzip = b.read() == 0x1f && b.read() == 0x8b;
            b.reset();
            LayerUnpacker.unpack(gzip ? new GZIPInputStream(b) : b, tmp, "archive " + archive.getFileName());
            return tmp;
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            if (e instanceof StoreException se) throw se;
            throw new StoreException(Fault.INPUT, "cannot read " + archive + ": " + e.getMessage(), e);
        }
    }

    public List<ImageRecord> records() {
        List<ImageRecord> result = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root.resolve("records"), "*.json")) {
            for (Path p : s) result.add(ImageRecord.fromJson(Files.readAllBytes(p), p.toString()));
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot list " + root.resolve("records") + ": " + e.getMessage(), e);
        }
        result.sort(Comparator.comparing(ImageRecord::created));
        return result;
    }

    public void writeRecord(ImageRecord r) {
        Path tmp = newTemp("record");
        try {
            Files.write(tmp.resolve("r.json"), r.toJson());
            Files.move(tmp.resolve("r.json"), root.resolve("records").resolve(r.id().hex() + ".json"),
                    StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot write image record " + r.id() + ": " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    public void deleteRecord(Digest id) {
        try {
            Files.deleteIfExists(root.resolve("records").resolve(id.hex() + ".json"));
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot remove image record " + id + ": " + e.getMessage(), e);
        }
    }

    /** Removes a layer: renamed into tmp/ first, so no reader ever sees it half deleted. */
    public void deleteLayer(Digest blob) {
        Path tmp = newTemp("gone");
        try {
            Files.move(layerDir(blob), tmp.resolve("root"), StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot remove layer " + blob.shortId() + ": " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    public List<Digest> layers() {
        return list(root.resolve("layers"), "");
    }

    public List<Digest> blobs() {
        return list(root.resolve("blobs/sha256"), "");
    }

    public void deleteBlob(Digest d) {
        try {
            Files.deleteIfExists(blobPath(d));
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot remove blob " + d + ": " + e.getMessage(), e);
        }
    }

    /** Temp entries of ALE processes that are gone (a crash mid-pull). */
    public int clearAbandonedTemp() {
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root.resolve("tmp"))) {
            for (Path p : s) {
                String[] f = p.getFileName().toString().split("-");
                boolean alive = f.length == 3 && f[1].matches("[0-9]+") && ProcessHandle.of(Long.parseLong(f[1])).isPresent();
                if (!alive) {
                    deleteTree(p);
                    n++;
                }
            }
        } catch (IOException e) {
            // best effort
        }
        return n;
    }

    /**
     * Layers some overlay mount on this host has as a lower directory: in use by a sandbox,
     * whichever ALE process made it (the kernel's mount table is the one record a crash cannot lose).
     */
    public Set<Digest> mountedLayers() {
        Set<Digest> used = new HashSet<>();
        String prefix = layerDirPrefix();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int dash = line.indexOf(" - ");
                if (dash < 0 || !line.startsWith("overlay ", dash + 3)) continue;
                for (String opt : line.substring(dash + 3).split("[ ,]")) {
                    // lowerdir=a:b from a mount command, one lowerdir+=a each from fsconfig
                    String prefix2 = opt.startsWith("lowerdir=") ? "lowerdir=" : opt.startsWith("lowerdir+=") ? "lowerdir+=" : "";
                    if (prefix2.isEmpty()) continue;
                    for (String dir : opt.substring(prefix2.length()).split(":")) {
                        String d = dir.replace("\\072", ":");
                        if (d.startsWith(prefix)) {
                            String hex = d.substring(prefix.length()).replaceAll("/.*$", "");
                            if (hex.matches("[0-9a-f]{64}")) used.add(new Digest(hex));
                        }
                        // a root-inside sandbox's layer, through its idmapped mount <sandbox>/lower/<hex>
                        Path p = Path.of(d);
                        if (p.getParent() != null && p.getParent().endsWith("lower") && p.getFileName().toString().matches("[0-9a-f]{64}")) {
                            used.add(new Digest(p.getFileName().toString()));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot read /proc/self/mountinfo: " + e.getMessage(), e);
        }
        return used;
    }

    private String layerDirPrefix() {
        try {
            return root.resolve("layers").toRealPath() + "/";
        } catch (IOException e) {
            return root.resolve("layers").toAbsolutePath() + "/";
        }
    }

    /** Serialises changes to records among ALE processes sharing this store. */
    public FileLock lock() {
        try {
            FileChannel ch = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return ch.lock();
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot lock the image store: " + e.getMessage(), e);
        }
    }

    /** Bytes under a layer directory (files only, links counted once per inode in this tree). */
    public long layerBytes(Digest blob) {
        try (Stream<Path> walk = Files.walk(layerDir(blob))) {
            Set<Object> seen = new HashSet<>();
            long total = 0;
            for (Path p : walk.toList()) {
                var a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile() && seen.add(a.fileKey())) total += a.size();
            }
            return total;
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static List<Digest> list(Path dir, String suffix) {
        List<Digest> result = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (n.matches("[0-9a-f]{64}" + suffix)) result.add(new Digest(n.substring(0, 64)));
            }
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "cannot list " + dir + ": " + e.getMessage(), e);
        }
        return result;
    }

    private static void moveInto(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the image store's tmp/ and its target are on different filesystems", e);
        }
    }

    /** Whether overlayfs marked {@code dir} (in an overlay's upper layer) opaque: what was below it is gone. */
    public static boolean isOpaque(Path dir) throws IOException {
        return Native.isOpaque(dir);
    }

    /** Deletes a tree of the store's own; never follows a link (ALE runs as root, so modes do not stop it). */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            // a later prune retries
        }
    }
}
