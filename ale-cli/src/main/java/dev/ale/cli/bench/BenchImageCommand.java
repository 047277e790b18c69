package dev.ale.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.image.ImageStore;
import dev.ale.image.PullProgress;
import dev.ale.image.StoredImage;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ale bench image}: an image of this host's own files (about 100 MB) pushed to a real
 * registry (Debian's {@code docker-registry}) that the bench starts on 127.0.0.1, then pulled and
 * unpacked cold and again; sandbox start from the cached image against a host-root sandbox, taking
 * turns; and the disk that many sandboxes of the image use. Loopback only: run it in a network
 * namespace of its own (docs/benchmarks.md). What it adds to the store it removes again.
 */
@Command(name = "image",
        description = {"Measure images: pull + unpack of a ~100 MB image from a registry on 127.0.0.1 (cold, then cached),",
                "sandbox start from the cached image against a host-root sandbox, and the disk of many sandboxes of it.",
                "Needs docker-registry (Debian's package). Loopback only."})
public final class BenchImageCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Real files of this host, about 100 MB on Debian 12: Python's standard library. */
    static final List<String> CONTENT = List.of("usr/lib/python3.11", "usr/lib/python3");

    private final Supplier<? extends SandboxBackend> backends;
    private final Supplier<ImageStore> images;
    private final Supplier<Path> dataDir;
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "40", description = "Measured starts of each kind (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5", description = "Unmeasured starts of each kind first (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--sandboxes", paramLabel = "M", defaultValue = "50", description = "Sandboxes of the image up at once for the disk figure "
            + "(default: ${DEFAULT-VALUE}).")
    private int sandboxes;

    @Option(names = "--content", paramLabel = "PATH", split = ",",
            description = "Host directories (relative to /) the big layer is made of (default: usr/lib/python3.11,usr/lib/python3).")
    private List<String> content = CONTENT;

    public BenchImageCommand(Supplier<? extends SandboxBackend> backends, Supplier<ImageStore> images, Supplier<Path> dataDir, PrintStream out) {
        this.backends = backends;
        this.images = images;
        this.dataDir = dataDir;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        BenchOptions.atLeast(spec, "--runs", runs, 1);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        BenchOptions.atLeast(spec, "--sandboxes", sandboxes, 1);
        // the data directory may not exist yet (a fresh $ALE_HOME): the backend makes it when opened, this bench first
        Path work = Files.createTempDirectory(Files.createDirectories(dataDir.get()), "bench-image-");
        Process registry = null;
        ImageStore store = images.get();
        List<String> made = new ArrayList<>();
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            registry = startRegistry(work, port);
            String host = "127.0.0.1:" + port;
            out.println("Making the image: " + String.join(", ", content) + " and a busybox layer...");
            List<Path> layers = List.of(contentLayer(work), toolsLayer(work));
            Pushed pushed = push(host, "ale-bench/image", "root", layers, "");
            push(host, "ale-bench/image", "user", layers, "1000");
            String rootRef = host + "/ale-bench/image:root";
            String userRef = host + "/ale-bench/image:user";
            out.printf(Locale.ROOT, "Pushed %s: %d layers, %.1f MB compressed, %.1f MB unpacked%n", rootRef, layers.size(),
                    pushed.compressed / 1e6, pushed.unpacked / 1e6);

            long t0 = System.nanoTime();
            StoredImage cold = store.pull(rootRef, PullProgress.none());
            long t1 = System.nanoTime();
            made.add(cold.id());
            store.pull(rootRef, PullProgress.none());
            long t2 = System.nanoTime();
            StoredImage user = store.pull(userRef, PullProgress.none());
            made.add(user.id());
            out.printf(Locale.ROOT, "pull + unpack, cold:   %8.0f ms  (%.0f MB/s of compressed layers)%n", (t1 - t0) / 1e6,
                    pushed.compressed / 1e6 / ((t1 - t0) / 1e9));
            out.printf(Locale.ROOT, "pull again (cached):   %8.1f ms%n", (t2 - t1) / 1e6);

            try (SandboxBackend backend = backends.get()) {
                starts(backend, cold.id(), user.id());
                disk(backend, cold.id(), store.resolve(cold.id()).layers());
            }
        } finally {
            for (String id : made) {
                try {
                    store.remove(id);
                } catch (AleException e) {
                    out.println("could not remove " + id + ": " + e.getMessage());
                }
            }
            if (registry != null) {
                registry.destroy();
                registry.waitFor();
            }
            delete(work);
        }
        return 0;
    }

    private void starts(SandboxBackend backend, String rootImage, String userImage) {
        Passport host = Passport.defaults();
        Passport root = host.withFilesystem(host.filesystem().withImage(rootImage));
        Passport user = host.withFilesystem(host.filesystem().withImage(userImage));
        List<Passport> kinds = List.of(host, root, user);
        for (int i = 0; i < warmup; i++) for (Passport p : kinds) start(backend, p);
        List<Samples> samples = List.of(new Samples(runs), new Samples(runs), new Samples(runs));
        // per round, each image start over the host-root start of the same round: the machine's load moves between
        // rounds (two runs at load 17-84 gave 0.76x and 1.37x from the p50s alone), much less within one
        List<List<Double>> paired = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        String loadBefore = loadAverage();
        for (int i = 0; i < runs; i++) {
            long[] round = new long[kinds.size()];
            // each round starts with another kind, so the machine's other work slows all alike
            for (int k = 0; k < kinds.size(); k++) {
                int kind = (i + k) % kinds.size();
                round[kind] = start(backend, kinds.get(kind));
                samples.get(kind).add(round[kind]);
            }
            for (int k = 0; k < kinds.size(); k++) paired.get(k).add(round[k] / (double) round[0]);
        }
        double base = samples.get(0).p50Millis();
        out.printf(Locale.ROOT, "sandbox start (create + exec true + destroy), %d interleaved rounds, load average %s before, %s after:%n",
                runs, loadBefore, loadAverage());
        out.printf(Locale.ROOT, "  %-38s %7s / %7s ms   %-13s %s%n", "", "p50", "p90", "p50 / p50", "p50 of the per-round ratio");
        String[] names = {"host root", "image, root inside (idmapped layers)", "image, USER 1000"};
        for (int k = 0; k < kinds.size(); k++) {
            out.printf(Locale.ROOT, "  %-38s %7.1f / %7.1f ms   %.2fx          %.2fx%n", names[k], samples.get(k).p50Millis(),
                    samples.get(k).p90Millis(), samples.get(k).p50Millis() / base, median(paired.get(k)));
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The 1, 5 and 15 minute load averages, as /proc/loadavg has them. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long start(SandboxBackend backend, Passport passport) {
        // with a warm pool, each start is measured once the pool has refilled (every kind's blanks, host root's and each
        // image's): a claim, not a pool run dry by the start before it, as bench sandbox measures it
        if (backend instanceof LocalSandboxBackend local && !local.awaitWarm(Duration.ofSeconds(30))) {
            throw new AleException(Fault.ENVIRONMENT, "the warm pool did not refill in 30 s");
        }
        long t0 = System.nanoTime();
        try (Sandbox s = backend.create(SandboxRequest.of(passport))) {
            ExecResult r = s.exec(ExecRequest.of("/bin/true"));
            if (r.exitCode() != 0) throw new AleException(Fault.ENVIRONMENT, "/bin/true exited " + r.exitCode() + ": " + r.stderr());
        }
        return System.nanoTime() - t0;
    }

    private void disk(SandboxBackend backend, String image, List<Path> layers) throws IOException {
        Passport p = Passport.defaults().withFilesystem(Passport.defaults().filesystem().withImage(image));
        List<Sandbox> up = new ArrayList<>();
        try {
            for (int i = 0; i < sandboxes; i++) {
                Sandbox s = backend.create(SandboxRequest.of(p));
                up.add(s);
                // what a task's setup might do: a file of its own, and one of the image's files changed
                ExecResult r = s.exec(ExecRequest.of("/bin/sh", "-c", "echo sandbox " + i + " > /etc/mine && echo changed >> /etc/os-release"));
                if (r.exitCode() != 0) throw new AleException(Fault.ENVIRONMENT, "writing in sandbox " + s.id() + " failed: " + r.stderr());
            }
            long image0 = 0;
            for (Path l : layers) image0 += du(l);
            long uppers = 0;
            for (Sandbox s : up) uppers += du(dataDir.get().resolve("sandboxes").resolve(s.id()).resolve("fs/upper"));
            out.printf(Locale.ROOT, "disk, %d sandboxes of the image up: image layers %.1f MB (once), all upper layers together %.1f kB"
                    + " (%.1f kB each); a copy per sandbox would be %.0f MB%n", sandboxes, image0 / 1e6, uppers / 1e3,
                    uppers / 1e3 / sandboxes, image0 * (double) sandboxes / 1e6);
        } finally {
            for (Sandbox s : up) s.destroy();
        }
    }

    /** Allocated bytes under a directory, as du counts them (blocks, each inode once). */
    private static long du(Path dir) {
        try {
            Process p = new ProcessBuilder("du", "-s", "-B1", "-x", dir.toString()).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new AleException(Fault.ENVIRONMENT, "du " + dir + ": " + text.strip());
            return Long.parseLong(text.strip().split("\\s+")[0]);
        } catch (IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "du " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AleException(Fault.ENVIRONMENT, "interrupted", e);
        }
    }

    private static Process startRegistry(Path work, int port) throws IOException, InterruptedException {
        Path config = work.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log: {level: error}
                storage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}
                http: {addr: 127.0.0.1:%d}
                """.formatted(work.resolve("registry"), port));
        Process p;
        try {
            p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("registry.log").toFile()).start();
        } catch (IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "cannot start docker-registry (apt-get install docker-registry): " + e.getMessage(), e);
        }
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return p;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    p.destroy();
                    throw new AleException(Fault.ENVIRONMENT, "the registry did not start: " + Files.readString(work.resolve("registry.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    /** The big layer: the content directories as they are on this host, numeric owners. */
    private Path contentLayer(Path work) throws IOException, InterruptedException {
        Path tar = work.resolve("content.tar");
        List<String> cmd = new ArrayList<>(List.of("tar", "--numeric-owner", "-C", "/", "-cf", tar.toString()));
        cmd.addAll(content);
        run(cmd);
        return tar;
    }

    /** A small layer: busybox as /bin/sh and /bin/true, a /root and an os-release to change. */
    private static Path toolsLayer(Path work) throws IOException, InterruptedException {
        Path root = work.resolve("tools");
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("root"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        for (String t : List.of("sh", "true", "echo")) Files.createSymbolicLink(root.resolve("bin/" + t), Path.of("busybox"));
        Files.writeString(root.resolve("etc/os-release"), "ID=ale-bench\n");
        Path tar = work.resolve("tools.tar");
        run(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", root.toString(), "-cf", tar.toString(), "."));
        return tar;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AleException(Fault.ENVIRONMENT, String.join(" ", cmd) + " failed: " + text.strip());
    }

    private record Pushed(long compressed, long unpacked) {
    }

    /** Pushes an OCI image of these tar layers (gzipped here) over the registry's upload API. */
    private static Pushed push(String host, String repo, String tag, List<Path> tars, String user) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        ObjectNode c = config.putObject("config");
        c.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (!user.isEmpty()) c.put("User", user);
        ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        ArrayNode layers = manifest.putArray("layers");
        long compressed = 0;
        long unpacked = 0;
        for (Path tar : tars) {
            byte[] raw = Files.readAllBytes(tar);
            unpacked += raw.length;
            diffIds.add(digest(raw));
            var gz = new java.io.ByteArrayOutputStream();
            try (OutputStream g = new GZIPOutputStream(gz, 1 << 16)) {
                g.write(raw);
            }
            byte[] blob = gz.toByteArray();
            compressed += blob.length;
            layers.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip").put("digest", pushBlob(http, host, repo, blob))
                    .put("size", blob.length);
        }
        byte[] configBytes = JSON.writeValueAsBytes(config);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", pushBlob(http, host, repo, configBytes)).put("size", configBytes.length);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/" + repo + "/manifests/" + tag))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(manifest))).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new AleException(Fault.ENVIRONMENT, "manifest push: " + r.statusCode() + " " + r.body());
        return new Pushed(compressed, unpacked);
    }

    private static String pushBlob(HttpClient http, String host, String repo, byte[] blob) throws Exception {
        String digest = digest(blob);
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (start.statusCode() != 202) throw new AleException(Fault.ENVIRONMENT, "upload start: " + start.statusCode() + " " + start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = URI.create("http://" + host).resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new AleException(Fault.ENVIRONMENT, "upload: " + r.statusCode() + " " + r.body());
        return digest;
    }

    private static String digest(byte[] bytes) throws NoSuchAlgorithmException {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
