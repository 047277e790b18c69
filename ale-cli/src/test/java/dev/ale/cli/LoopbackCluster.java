package dev.ale.cli;

import dev.ale.cluster.ClusterFront;
import dev.ale.cluster.discovery.StaticDiscovery;
import dev.ale.server.ClusterCerts;
import dev.ale.server.ClusterTls;
import dev.ale.server.Tokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A cluster under mutual TLS in this test JVM's network namespace: {@code ale serve} nodes as child
 * processes on loopback ports (each with its own data directory, uid range, cgroup subtree and a
 * model upstream on loopback), and the front ({@link ClusterFront}) in this JVM over them. Closing
 * it stops the nodes (SIGTERM: each destroys its sandboxes), collects what a killed one left, and
 * removes the cgroup subtrees.
 */
final class LoopbackCluster implements AutoCloseable {

    static final String ADMIN = "admin-0123456789abcdef0123";
    static final String ENV = "trainer-0123456789abcdef01";
    static final String OTHER = "other-0123456789abcdef0123";

    /** One node: its name, its port on loopback, its data directory and its process. */
    record NodeProcess(String name, int port, Path dataDir, String cgroupParent, Process process) { }

    private static final Duration START = Duration.ofSeconds(180);

    private final Path dir;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final String cgroupTop = "ale-frt-" + Long.toHexString(ProcessHandle.current().pid());
    private Optional<ClusterFront> front = Optional.empty();

    private LoopbackCluster(Path dir) {
        this.dir = dir;
    }

    /** {@code count} nodes of {@code slots} slots, GEM tasks from {@code tasks}, model calls to {@code model}; then the front. */
    static LoopbackCluster start(Path dir, int count, int slots, Path tasks, String model) throws IOException {
        LoopbackCluster c = new LoopbackCluster(dir);
        try {
            Files.writeString(c.tokens(), "tokens:\n  - {token: " + ADMIN + ", role: admin, name: ops}\n  - {token: " + ENV
                    + ", role: env, name: trainer}\n  - {token: " + OTHER + ", role: env, name: other}\n");
            Files.writeString(c.secret(), "cluster-secret-0123456789abcdef\n");
            ClusterCerts.make(c.tlsDir(), 30);
            List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
            long pid = ProcessHandle.current().pid();
            for (int i = 0; i < count; i++) starting.add(c.node(i, slots, tasks, model, 1_450_000_000 + (int) (pid % 100) * 400_000 + i * 100_000));
            for (CompletableFuture<NodeProcess> s : starting) c.nodes.add(s.join());
            StringBuilder list = new StringBuilder();
            for (NodeProcess n : c.nodes) list.append(list.isEmpty() ? "" : ",").append(n.name()).append("=https://127.0.0.1:").append(n.port());
            c.front = Optional.of(ClusterFront.start(new ClusterFront.Config("127.0.0.1", 0, Tokens.load(c.tokens()),
                    "cluster-secret-0123456789abcdef", StaticDiscovery.parse(list.toString()), Duration.ofSeconds(1),
                    Optional.of(ClusterTls.load(c.tlsDir(), ClusterTls.Role.FRONT)))));
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private CompletableFuture<NodeProcess> node(int i, int slots, Path tasks, String model, int uidBase) throws IOException {
        String name = "n" + (i + 1);
        Path data = Files.createDirectories(dir.resolve(name));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String cgroups = cgroupTop + "/" + name;
        List<String> cmd = new ArrayList<>(java());
        cmd.addAll(List.of("--data-dir", data.toString(), "serve", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--tokens", tokens().toString(), "--cluster-secret-file", secret().toString(), "--tls-dir", tlsDir().toString(),
                "--node-name", name, "--slots", String.valueOf(slots), "--uid-base", String.valueOf(uidBase), "--uid-count", "100000",
                "--cgroup-parent", cgroups, "--tasks", tasks.toString(), "--out", data.resolve("runs").toString(), "--model", model));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return CompletableFuture.supplyAsync(() -> {
            awaitLine(p, "ale: serving on", dir.resolve(name + ".log"));
            return new NodeProcess(name, port, data, cgroups, p);
        });
    }

    String frontUrl() {
        return "http://127.0.0.1:" + front.orElseThrow().port();
    }

    List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    /** The cgroup subtree every node keeps its sandboxes' cgroups under, in {@code <top>/<node>}. */
    String cgroupTop() {
        return cgroupTop;
    }

    /** SIGKILL to node {@code i}: no shutdown hook runs, as when a machine dies. */
    void killNode(int i) throws InterruptedException {
        Process p = nodes.get(i).process();
        p.destroyForcibly();
        p.waitFor();
    }

    @Override
    public void close() {
        front.ifPresent(ClusterFront::close);
        for (NodeProcess n : nodes) n.process().destroy();
        try {
            for (NodeProcess n : nodes) {
                if (!n.process().waitFor(60, TimeUnit.SECONDS)) n.process().destroyForcibly().waitFor();
            }
            for (NodeProcess n : nodes) collectGarbage(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removeCgroups();
    }

    /** What a node killed with SIGKILL left (its sandboxes' namespaces, cgroups), as {@code ale sandbox gc} removes it. */
    private void collectGarbage(NodeProcess n) throws InterruptedException {
        List<String> cmd = new ArrayList<>(java());
        cmd.addAll(List.of("--data-dir", n.dataDir().toString(), "sandbox", "gc"));
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(n.name() + "-gc.log").toFile()).start()
                    .waitFor(120, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the leak checks name what is left
        }
    }

    private void removeCgroups() {
        Path root = Path.of("/sys/fs/cgroup");
        List<Path> roots = new ArrayList<>(List.of(root));
        try (Stream<Path> mounts = Files.list(root)) {
            mounts.filter(Files::isDirectory).forEach(roots::add);
        } catch (IOException e) {
            return;
        }
        for (Path r : roots) {
            for (NodeProcess n : nodes) quietlyDelete(r.resolve(n.cgroupParent()));
            quietlyDelete(r.resolve(cgroupTop));
        }
    }

    private static void quietlyDelete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // not empty: a sandbox's cgroup is still there, and the leak check names it
        }
    }

    private Path tokens() {
        return dir.resolve("tokens.yaml");
    }

    private Path secret() {
        return dir.resolve("cluster-secret");
    }

    private Path tlsDir() {
        return dir.resolve("tls");
    }

    private static List<String> java() {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }

    private static void awaitLine(Process p, String marker, Path log) {
        CompletableFuture<Void> seen = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("ale-node-log").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    if (line.contains(marker)) seen.complete(null);
                }
            } catch (IOException e) {
                seen.completeExceptionally(e);
            }
            seen.completeExceptionally(new IllegalStateException("the node ended before it served; see " + log));
        });
        try {
            seen.get(START.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("a node did not start: " + e.getMessage() + " (see " + log + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a node started", e);
        }
    }
}
