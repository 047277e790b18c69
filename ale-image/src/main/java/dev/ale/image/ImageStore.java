package dev.ale.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.ImageResolver;
import dev.ale.core.sandbox.ImageRoot;
import dev.ale.image.registry.Descriptor;
import dev.ale.image.registry.Digest;
import dev.ale.image.registry.ImageReference;
import dev.ale.image.registry.Manifests;
import dev.ale.image.registry.Manifests.ImageManifest;
import dev.ale.image.registry.Platform;
import dev.ale.image.registry.RegistryClient;
import dev.ale.image.registry.RegistryException;
import dev.ale.image.store.ImageConfig;
import dev.ale.image.store.ImageRecord;
import dev.ale.image.store.Store;
import dev.ale.image.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * OCI images on this machine: pulled from registries (or imported from a rootfs tarball or an
 * OCI layout), kept once in a content-addressed store under {@code <data>/images/}, and handed
 * to sandboxes as the ordered layer directories of an overlay root ({@link #resolve}).
 */
public final class ImageStore implements ImageResolver {

    private static final int MAX_CONFIG = 8 << 20;
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Store store;
    private final RegistryClient client;
    private final Platform platform;

    public ImageStore(Path dataDir, RegistryClient.Settings settings) {
        this(dataDir, settings, Platform.current());
    }

    /** For a store that picks another platform from indexes (tests of platform choice). */
    public ImageStore(Path dataDir, RegistryClient.Settings settings, Platform platform) {
        this.store = new Store(dataDir);
        this.client = new RegistryClient(settings);
        this.platform = platform;
    }

    /** The directory the store lives in ({@code <data>/images}). */
    public Path root() {
        return store.root();
    }

    /** Pulls {@code reference} (tag or digest) unless its layers are all here already; the platform manifest of an index. */
    public StoredImage pull(String reference, PullProgress progress) {
        ImageReference ref = ImageReference.parse(reference);
        RegistryClient.Fetched top = client.manifest(ref, ref.manifestReference());
        JsonNode node = RegistryClient.json(top, ref + ": the manifest");
        RegistryClient.Fetched chosen = top;
        if (Manifests.isIndex(node, top.contentType())) {
            Descriptor d = Manifests.choose(node, platform, ref.toString());
            chosen = client.manifest(ref, d.digest().toString());
            node = RegistryClient.json(chosen, ref + ": the " + platform + " manifest");
            if (Manifests.isIndex(node, chosen.contentType())) {
                throw new RegistryException(Fault.ENVIRONMENT, ref + ": the " + platform + " entry of its index is another index");
            }
        }
        ImageManifest manifest = Manifests.manifest(node, ref.toString());
        List<String> names = new ArrayList<>();
        ref.tag().ifPresent(t -> names.add(ref.registry() + "/" + ref.repository() + ":" + t));
        names.add(ref.registry() + "/" + ref.repository() + "@" + top.digest());

        byte[] configBytes = store.blob(manifest.config().digest()).orElseGet(() -> {
            if (manifest.config().size() > MAX_CONFIG) {
                throw new RegistryException(Fault.ENVIRONMENT, ref + ": its config is larger than 8 MiB");
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            client.blob(ref, manifest.config(), buf, n -> { });
            store.putBlob(manifest.config().digest(), buf.toByteArray());
            return buf.toByteArray();
        });
        ImageConfig config = ImageConfig.parse(configBytes, ref.toString());
        return commit(ref.toString(), chosen.digest(), manifest, config, names, progress, (layer, out, advance) ->
                client.blob(ref, layer, out, advance::accept));
    }

    /** A rootfs tarball (plain or gzip) as a one-layer image named {@code name}; its config sets only PATH and / as the working directory. */
    public StoredImage importRootfs(Path tar, String name) {
        ImageReference ref = ImageReference.parse(name);
        if (!Files.isRegularFile(tar)) throw new StoreException(Fault.INPUT, "import: " + tar + " is not a file");
        Digest blob = fileDigest(tar);
        long size = size(tar);
        ObjectMapper json = new ObjectMapper();
        var cfg = json.createObjectNode();
        cfg.put("architecture", platform.architecture()).put("os", platform.os());
        cfg.putObject("config").put("WorkingDir", "/").putArray("Env").add(DEFAULT_PATH);
        cfg.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        byte[] configBytes = cfg.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Digest configDigest = Digest.of(configBytes);
        store.putBlob(configDigest, configBytes);
        var m = json.createObjectNode().put("schemaVersion", 2).put("mediaType", dev.ale.image.registry.MediaTypes.OCI_MANIFEST);
        m.putObject("config").put("mediaType", dev.ale.image.registry.MediaTypes.OCI_CONFIG).put("digest", configDigest.toString())
                .put("size", configBytes.length);
        m.putArray("layers").addObject().put("mediaType", dev.ale.image.registry.MediaTypes.OCI_LAYER_TAR)
                .put("digest", blob.toString()).put("size", size);
        byte[] manifestBytes = m.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ImageManifest manifest = Manifests.manifest(Manifests.tree(manifestBytes, "import"), name);
        ImageConfig config = ImageConfig.parse(configBytes, name);
        return commit("import " + tar, Digest.of(manifestBytes), manifest, config, List.of(nameOf(ref)), PullProgress.none(),
                (layer, out, advance) -> copyVerified(tar, layer.digest(), out));
    }

    /**
     * An image from an OCI layout directory (or a tar archive of one, as {@code skopeo copy
     * oci-archive:} writes): the manifest whose {@code ref.name} annotation is {@code tag}, or the
     * only one; an index entry is resolved by platform. Named {@code name} when given.
     */
    public StoredImage importOciLayout(Path dirOrArchive, Optional<String> tag, Optional<String> name) {
        Path dir = dirOrArchive;
        Optional<Path> unpacked = Optional.empty();
        if (Files.isRegularFile(dirOrArchive)) {
            unpacked = Optional.of(store.unpackArchive(dirOrArchive));
            dir = unpacked.get();
        }
        try {
            Path layout = dir;
            if (!Files.isRegularFile(layout.resolve("index.json")) || !Files.isRegularFile(layout.resolve("oci-layout"))) {
                throw new StoreException(Fault.INPUT, "import: " + dirOrArchive + " is not an OCI layout (no oci-layout and index.json)");
            }
            String what = "OCI layout " + dirOrArchive;
            JsonNode index = Manifests.tree(read(layout.resolve("index.json")), what + ": index.json");
            List<JsonNode> entries = new ArrayList<>();
            List<String> refNames = new ArrayList<>();
            for (JsonNode e : index.path("manifests")) {
                String refName = e.path("annotations").path("org.opencontainers.image.ref.name").asText("");
                refNames.add(refName.isEmpty() ? "(unnamed)" : refName);
                if (tag.isEmpty() || tag.get().equals(refName)) entries.add(e);
            }
            if (entries.size() != 1) {
                throw new StoreException(Fault.INPUT, "import: " + what + " has " + (entries.isEmpty() ? "no" : "several") + " images"
                        + tag.map(t -> " named " + t).orElse("") + " (it has: " + String.join(", ", refNames) + "); name one with :TAG");
            }
            Digest digest = Digest.parse(entries.getFirst().path("digest").asText(""));
            byte[] body = verifiedBlob(layout, digest, what);
            JsonNode node = Manifests.tree(body, what);
            if (Manifests.isIndex(node, entries.getFirst().path("mediaType").asText(""))) {
                digest = Manifests.choose(node, platform, what).digest();
                body = verifiedBlob(layout, digest, what);
                node = Manifests.tree(body, what);
            }
            ImageManifest manifest = Manifests.manifest(node, what);
            byte[] configBytes = verifiedBlob(layout, manifest.config().digest(), what);
            store.putBlob(manifest.config().digest(), configBytes);
            ImageConfig config = ImageConfig.parse(configBytes, what);
            List<String> names = name.map(n -> List.of(nameOf(ImageReference.parse(n)))).orElse(List.of());
            return commit(what, digest, manifest, config, names, PullProgress.none(),
                    (layer, out, advance) -> copyVerified(layout.resolve("blobs/sha256").resolve(layer.digest().hex()), layer.digest(), out));
        } finally {
            unpacked.ifPresent(Store::deleteTree);
        }
    }

    public List<StoredImage> list() {
        Set<Digest> mounted = store.mountedLayers();
        return store.records().stream().map(r -> view(r, mounted)).toList();
    }

    /** An image by name ({@code debian:bookworm}), by {@code name@sha256:…}, or by id (12 or more hex digits, or {@code sha256:…}). */
    public Optional<StoredImage> find(String reference) {
        Set<Digest> mounted = store.mountedLayers();
        return record(reference).map(r -> view(r, mounted));
    }

    /** The layers and config of a stored image, pulling it first when it is not here. */
    @Override
    public ImageRoot resolve(String reference) {
        ImageRecord r = record(reference).orElseGet(() -> {
            pull(reference, PullProgress.none());
            return record(reference).orElseThrow();
        });
        List<Path> layers = new ArrayList<>();
        for (Digest d : r.layers()) {
            if (!store.hasLayer(d)) {
                throw new StoreException(Fault.ENVIRONMENT, "image " + reference + " is damaged: layer " + d.shortId()
                        + " is missing; remove it (ale image rm) and pull it again");
            }
            layers.add(store.layerDir(d));
        }
        return new ImageRoot(reference, r.id().toString(), layers, r.env(), r.workingDir(), r.user());
    }

    /**
     * Removes a name; the image itself goes with its last name (or when named by id), with the
     * layers no other image shares. Refused while a sandbox runs on it.
     */
    @SuppressWarnings("try") // the store's file lock is held for the block; the body never names it
    public void remove(String reference) {
        try (FileLock ignored = store.lock()) {
            ImageRecord r = record(reference).orElseThrow(() -> new StoreException(Fault.INPUT,
                    "no image " + reference + " in the store (see: ale image ls)"));
            Optional<String> name = nameMatch(r, reference);
            if (name.isPresent()) {
                List<String> rest = new ArrayList<>(r.names());
                rest.remove(name.get());
                // digest aliases (repo@sha256:…) alone do not keep an image: it goes with its last tag
                if (rest.stream().anyMatch(n -> !n.contains("@"))) {
                    store.writeRecord(r.withNames(rest));
                    return;
                }
            }
            Set<Digest> mounted = store.mountedLayers();
            if (r.layers().stream().anyMatch(mounted::contains)) {
                // a warm pool's blank of the image holds its layers too, and is never listed: say so, and when it goes
                throw new StoreException(Fault.INPUT, "image " + reference + " is in use by a sandbox; remove the sandbox first (ale sandbox ls)"
                        + ", or, if none is listed, by a running ALE process's warm pool (its blanks of an image go when the process exits,"
                        + " or a minute after it last made a sandbox of the image)");
            }
            store.deleteRecord(r.id());
            sweep(mounted);
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "image store lock: " + e.getMessage(), e);
        }
    }

    /**
     * Removes what no sandbox uses: images without a name (or, with {@code all}, every image no
     * sandbox runs on), then layers and blobs no image refers to, and leftovers of crashed pulls.
     */
    @SuppressWarnings("try") // the store's file lock is held for the block; the body never names it
    public PruneReport prune(boolean all) {
        try (FileLock ignored = store.lock()) {
            store.clearAbandonedTemp();
            Set<Digest> mounted = store.mountedLayers();
            List<String> removed = new ArrayList<>();
            for (ImageRecord r : store.records()) {
                boolean inUse = r.layers().stream().anyMatch(mounted::contains);
                if (!inUse && (all || r.names().isEmpty())) {
                    store.deleteRecord(r.id());
                    removed.add(r.names().isEmpty() ? r.id().toString() : r.names().getFirst());
                }
            }
            long[] freed = new long[1];
            int[] counts = sweep(mounted, freed);
            return new PruneReport(removed, counts[0], counts[1], freed[0]);
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "image store lock: " + e.getMessage(), e);
        }
    }

    /** How a layer's blob reaches the store: written to {@code out}, verified by whoever writes it. */
    @FunctionalInterface
    private interface LayerSource {
        void copy(Descriptor layer, OutputStream out, java.util.function.LongConsumer advance) throws IOException;
    }

    @SuppressWarnings("try") // the store's file lock is held for the block; the body never names it
    private StoredImage commit(String what, Digest id, ImageManifest manifest, ImageConfig config, List<String> names,
                               PullProgress progress, LayerSource source) {
        List<Descriptor> layers = manifest.layers();
        if (!config.diffIds().isEmpty() && config.diffIds().size() != layers.size()) {
            throw new StoreException(Fault.ENVIRONMENT, what + ": the manifest has " + layers.size() + " layers but its config "
                    + config.diffIds().size() + " diff ids");
        }
        long total = layers.stream().filter(l -> !store.hasLayer(l.digest())).mapToLong(l -> Math.max(0, l.size())).sum();
        progress.started(what, total, layers.size());
        List<Digest> made = new ArrayList<>();
        try {
            for (int i = 0; i < layers.size(); i++) {
                Descriptor layer = layers.get(i);
                if (store.hasLayer(layer.digest())) continue;
                Path tmp = store.newTemp("blob");
                try {
                    Path file = tmp.resolve("blob");
                    try (OutputStream out = Files.newOutputStream(file)) {
                        source.copy(layer, out, progress::advanced);
                    }
                    Optional<Digest> diffId = config.diffIds().isEmpty() ? Optional.empty() : Optional.of(config.diffIds().get(i));
                    try (InputStream in = Files.newInputStream(file)) {
                        if (store.unpackLayer(layer.digest(), in, diffId, what)) made.add(layer.digest());
                    }
                } finally {
                    Store.deleteTree(tmp);
                }
            }
        } catch (IOException e) {
            undo(made);
            throw new StoreException(Fault.ENVIRONMENT, what + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            undo(made);
            throw e;
        } finally {
            progress.finished();
        }
        long bytes = layers.stream().mapToLong(l -> store.layerBytes(l.digest())).sum();
        return record(id, names, manifest.config().digest(), layers.stream().map(Descriptor::digest).toList(), config, bytes, what);
    }

    @SuppressWarnings("try") // the store's file lock is held for the block; the body never names it
    private StoredImage record(Digest id, List<String> names, Digest configDigest, List<Digest> layers, ImageConfig config, long bytes,
                               String what) {
        try (FileLock ignored = store.lock()) {
            Set<String> all = new LinkedHashSet<>(names);
            Optional<ImageRecord> existing = store.records().stream().filter(r -> r.id().equals(id)).findFirst();
            existing.ifPresent(r -> all.addAll(r.names()));
            // a name points at one image: a tag pulled again moves to the new one
            for (ImageRecord other : store.records()) {
                if (other.id().equals(id)) continue;
                List<String> kept = other.names().stream().filter(n -> !names.contains(n)).toList();
                if (kept.size() != other.names().size()) store.writeRecord(other.withNames(kept));
            }
            ImageRecord record = new ImageRecord(id, List.copyOf(all), configDigest, layers, config.env(), config.workingDir(),
                    config.user(), bytes, existing.map(ImageRecord::created).orElse(Instant.now()),
                    existing.map(ImageRecord::source).orElse(what)); // where an image first came from stays its source
            store.writeRecord(record);
            return view(record, store.mountedLayers());
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "image store lock: " + e.getMessage(), e);
        }
    }

    /** The store itself, for a build that adds layers (each one unpacked through the same refusals as a pulled layer). */
    public Store store() {
        return store;
    }

    /** The record of a stored image (by name or id), without pulling. */
    public Optional<ImageRecord> stored(String reference) {
        return record(reference);
    }

    /**
     * Records a built image: {@code configBytes} (an OCI image config whose {@code diff_ids} list
     * every layer) over {@code layers}, already in the store. Its id is the digest of the OCI
     * manifest naming them, so the same config over the same layers is the same image.
     */
    public StoredImage commitBuilt(String what, byte[] configBytes, List<Digest> layers, List<String> names) {
        for (Digest d : layers) {
            if (!store.hasLayer(d)) throw new StoreException(Fault.ENVIRONMENT, what + ": layer " + d.shortId() + " is not in the store");
        }
        Digest configDigest = Digest.of(configBytes);
        ImageConfig config = ImageConfig.parse(configBytes, what);
        store.putBlob(configDigest, configBytes);
        ObjectMapper json = new ObjectMapper();
        var m = json.createObjectNode().put("schemaVersion", 2).put("mediaType", dev.ale.image.registry.MediaTypes.OCI_MANIFEST);
        m.putObject("config").put("mediaType", dev.ale.image.registry.MediaTypes.OCI_CONFIG).put("digest", configDigest.toString())
                .put("size", configBytes.length);
        var arr = m.putArray("layers");
        for (Digest d : layers) {
            arr.addObject().put("mediaType", dev.ale.image.registry.MediaTypes.OCI_LAYER_TAR).put("digest", d.toString())
                    .put("size", store.layerBytes(d));
        }
        Digest id = Digest.of(m.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<String> full = names.stream().map(n -> nameOf(ImageReference.parse(n))).toList();
        long bytes = layers.stream().mapToLong(store::layerBytes).sum();
        return record(id, full, configDigest, layers, config, bytes, what);
    }

    /** Removes the record of an image that has no name (a build's intermediate step); its layers stay until a prune. */
    @SuppressWarnings("try") // the store's file lock is held for the block; the body never names it
    public void forgetUnnamed(String id) {
        try (FileLock ignored = store.lock()) {
            Digest d = Digest.parse(id);
            store.records().stream().filter(r -> r.id().equals(d) && r.names().isEmpty()).findFirst()
                    .ifPresent(r -> store.deleteRecord(r.id()));
        } catch (IOException e) {
            throw new StoreException(Fault.ENVIRONMENT, "image store lock: " + e.getMessage(), e);
        }
    }

    /** Layers this pull made that no image refers to: a failed pull leaves the store as it found it. */
    private void undo(List<Digest> made) {
        Set<Digest> referenced = new HashSet<>();
        store.records().forEach(r -> referenced.addAll(r.layers()));
        for (Digest d : made) if (!referenced.contains(d)) store.deleteLayer(d);
    }

    private int[] sweep(Set<Digest> mounted) {
        return sweep(mounted, new long[1]);
    }

    private int[] sweep(Set<Digest> mounted, long[] freed) {
        Set<Digest> layers = new HashSet<>();
        Set<Digest> configs = new HashSet<>();
        for (ImageRecord r : store.records()) {
            layers.addAll(r.layers());
            configs.add(r.config());
        }
        int nl = 0;
        int nb = 0;
        for (Digest d : store.layers()) {
            if (!layers.contains(d) && !mounted.contains(d)) {
                freed[0] += store.layerBytes(d);
                store.deleteLayer(d);
                nl++;
            }
        }
        for (Digest d : store.blobs()) {
            if (!configs.contains(d)) {
                freed[0] += size(store.blobPath(d));
                store.deleteBlob(d);
                nb++;
            }
        }
        return new int[] {nl, nb};
    }

    private Optional<ImageRecord> record(String reference) {
        List<ImageRecord> records = store.records();
        String hex = reference.startsWith("sha256:") ? reference.substring(7) : reference;
        if (hex.matches("[0-9a-f]{12,64}")) {
            List<ImageRecord> byId = records.stream().filter(r -> r.id().hex().startsWith(hex)).toList();
            if (byId.size() == 1) return Optional.of(byId.getFirst());
            if (byId.size() > 1) throw new StoreException(Fault.INPUT, "image id " + reference + " is ambiguous; give more digits");
            if (reference.startsWith("sha256:")) return Optional.empty();
        }
        ImageReference ref = ImageReference.parse(reference);
        return records.stream().filter(r -> nameMatch(r, ref).isPresent()).findFirst();
    }

    private static Optional<String> nameMatch(ImageRecord r, String reference) {
        try {
            return nameMatch(r, ImageReference.parse(reference));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> nameMatch(ImageRecord r, ImageReference ref) {
        String repo = ref.registry() + "/" + ref.repository();
        if (ref.digest().isPresent()) {
            String byDigest = repo + "@" + ref.digest().get();
            if (r.names().contains(byDigest) || r.id().equals(ref.digest().get())) return Optional.of(byDigest);
            return Optional.empty();
        }
        String byTag = repo + ":" + ref.tag().orElseThrow();
        return r.names().contains(byTag) ? Optional.of(byTag) : Optional.empty();
    }

    private static String nameOf(ImageReference ref) {
        return ref.registry() + "/" + ref.repository() + ref.tag().map(t -> ":" + t).orElse("") + ref.digest().map(d -> "@" + d).orElse("");
    }

    private StoredImage view(ImageRecord r, Set<Digest> mounted) {
        return new StoredImage(r.id().toString(), r.names(), r.bytes(), r.layers().size(), r.created(), r.source(), r.env(),
                r.workingDir(), r.user(), r.layers().stream().anyMatch(mounted::contains));
    }

    private static void copyVerified(Path file, Digest expected, OutputStream out) throws IOException {
        if (!Files.isRegularFile(file)) throw new StoreException(Fault.INPUT, "blob " + expected + " is missing (" + file + ")");
        var sha = Digest.sha256();
        try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(out);
        }
        Digest actual = Digest.of(sha);
        if (!actual.equals(expected)) throw new StoreException(Fault.INPUT, "digest mismatch: blob " + expected + " is " + actual);
    }

    private static byte[] verifiedBlob(Path layout, Digest d, String what) {
        Path p = layout.resolve("blobs/sha256").resolve(d.hex());
        byte[] b = read(p);
        if (!Digest.of(b).equals(d)) throw new StoreException(Fault.INPUT, what + ": digest mismatch: blob " + d + " is " + Digest.of(b));
        return b;
    }

    private static byte[] read(Path p) {
        try {
            if (Files.size(p) > MAX_CONFIG) throw new StoreException(Fault.INPUT, p + " is larger than 8 MiB; not a manifest or config");
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new StoreException(Fault.INPUT, "cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static Digest fileDigest(Path file) {
        var sha = Digest.sha256();
        try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new StoreException(Fault.INPUT, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return Digest.of(sha);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
