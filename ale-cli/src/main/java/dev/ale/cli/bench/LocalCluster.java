package dev.ale.cli.bench;

import dev.ale.server.ClusterCerts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A cluster on one host: {@code n} {@code ale serve} nodes, each a process of its own in a
 * network namespace made here (reached over a veth pair in this one's namespace, on TEST-NET-1
 * addresses that lead nowhere else), with its own data directory, uid range and slots, and the
 * front ({@code ale serve --cluster}) as another process on loopback. For {@code ale bench
 * cluster} and the cluster's end-to-end test; closing it stops them all and removes what they made.
 */
public final class LocalCluster implements AutoCloseable {

    /** How the front and the nodes speak: mutual TLS with certificates made for this cluster, or plain HTTP. */
    public enum Transport { TLS, PLAIN }

    /** Where one node answers, and its process; {@code cgroupParent} is its sandboxes' cgroup subtree, relative to the cgroup root. */
    public record NodeProcess(String name, String namespace, String url, Path dataDir, String cgroupParent, Process process) { }

    private static final int NODE_PORT = 8080;
    /** USER_HZ: /proc counts CPU time in these on every Linux ALE runs on. */
    private static final long CLOCK_TICKS = 100;
    private static final Duration START = Duration.ofSeconds(180);
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Path dir;
    private final String tag;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private final String envToken;
    private final String adminToken;
    private final String secret;
    private final int frontPort;
    private final Transport transport;
    /** This process's how-manieth cluster: its addresses and uid ranges are apart from the others'. */
    private final int instance;
    private Optional<Process> front = Optional.empty();
    /** Options of each node's JVM beyond {@link #java}'s (a bench's switch, {@code -Dname=value}). */
    private final List<String> nodeJvmOptions;
    /** Where the front's and the nodes' processes run ({@code ale bench cluster --split-cpus}); empty: wherever this one does. */
    private final Optional<CpuSets> cpus;

    private LocalCluster(Path dir, Transport transport, Optional<CpuSets> cpus, List<String> nodeJvmOptions) throws IOException {
        this.dir = dir;
        this.nodeJvmOptions = List.copyOf(nodeJvmOptions);
        this.transport = transport;
        this.cpus = cpus;
        // two clusters of one process (ale bench cluster --compare-tls) need names of their own
        this.instance = INSTANCES.getAndIncrement();
        this.tag = Long.toHexString(ProcessHandle.current().pid()) + (instance == 0 ? "" : "x" + instance);
        SecureRandom random = new SecureRandom();
        this.adminToken = "admin-" + hex(random);
        this.envToken = "trainer-" + hex(random);
        this.secret = "cluster-" + hex(random);
        Files.writeString(tokens(), "tokens:\n  - {token: " + adminToken + ", role: admin, name: ops}\n  - {token: " + envToken
                + ", role: env, name: trainer}\n");
        Files.writeString(secretFile(), secret + "\n");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            this.frontPort = s.getLocalPort();
        }
    }

    /**
     * Starts {@code count} nodes of {@code slots} slots each (GEM environments made of the task
     * directories under {@code tasks}), then the front over them; under {@link Transport#TLS} with a
     * CA and keys made in {@code dir/tls} by {@code ale cluster certs}' code.
     */
    public static LocalCluster start(Path dir, int count, int slots, Path tasks, Transport transport) throws IOException, InterruptedException {
        return start(dir, count, slots, tasks, transport, Optional.empty());
    }

    /** As {@link #start(Path, int, int, Path, Transport)}, the front's process in one of {@code cpus}' groups, the nodes' in the other. */
    static LocalCluster start(Path dir, int count, int slots, Path tasks, Transport transport, Optional<CpuSets> cpus)
            throws IOException, InterruptedException {
        return start(dir, count, slots, tasks, transport, cpus, List.of());
    }

    /** As {@link #start(Path, int, int, Path, Transport, Optional)}, each node's JVM given {@code nodeJvmOptions} too ({@code -Dname=value}). */
    static LocalCluster start(Path dir, int count, int slots, Path tasks, Transport transport, Optional<CpuSets> cpus, List<String> nodeJvmOptions)
            throws IOException, InterruptedException {
        LocalCluster c = new LocalCluster(dir, transport, cpus, nodeJvmOptions);
        try {
            if (transport == Transport.TLS) ClusterCerts.make(c.tlsDir(), 30);
            List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
            for (int i = 0; i < count; i++) starting.add(c.node(i, slots, tasks));
            for (CompletableFuture<NodeProcess> s : starting) c.nodes.add(s.join());
            c.startFront();
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private CompletableFuture<NodeProcess> node(int i, int slots, Path tasks) throws IOException, InterruptedException {
        String ns = "alec-" + tag + "-" + i;
        String outer = "alc" + tag + "f" + i;
        String inner = "alc" + tag + "n" + i;
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "link", "add", outer, "type", "veth", "peer", "name", inner, "netns", ns);
        links.add(outer);
        String near = "192.0.2." + (64 * instance + 4 * i + 1);
        String far = "192.0.2." + (64 * instance + 4 * i + 2);
        run("ip", "addr", "add", near + "/30", "dev", outer);
        run("ip", "link", "set", outer, "up");
        run("ip", "-n", ns, "addr", "add", far + "/30", "dev", inner);
        run("ip", "-n", ns, "link", "set", inner, "up");
        String name = "n" + (i + 1);
        Path data = Files.createDirectories(dir.resolve(name));
        String cgroups = cgroupTop() + "/" + name;
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + ns));
        List<String> java = new ArrayList<>(java());
        java.addAll(1, nodeJvmOptions);
        cmd.addAll(java);
        cmd.addAll(List.of("--data-dir", data.toString(), "serve", "--host", far, "--port", String.valueOf(NODE_PORT),
                "--tokens", tokens().toString(), "--cluster-secret-file", secretFile().toString(), "--node-name", name,
                "--slots", String.valueOf(slots), "--uid-base", String.valueOf(1_300_000_000 + (16 * instance + i) * 100_000), "--uid-count", "100000",
                "--cgroup-parent", cgroups,
                "--tasks", tasks.toString(), "--out", data.resolve("runs").toString()));
        cmd.addAll(transportArgs());
        Process p = new ProcessBuilder(placed(CpuSets.Group.NODES, cmd)).redirectErrorStream(true).start();
        String url = scheme() + "://" + far + ":" + NODE_PORT;
        return CompletableFuture.supplyAsync(() -> {
            awaitLine(p, "ale: serving on", dir.resolve(name + ".log"));
            return new NodeProcess(name, ns, url, data, cgroups, p);
        });
    }

    private List<String> placed(CpuSets.Group group, List<String> cmd) {
        return cpus.map(c -> c.wrap(group, cmd)).orElse(cmd);
    }

    private List<String> transportArgs() {
        return transport == Transport.TLS ? List.of("--tls-dir", tlsDir().toString()) : List.of("--plain-http");
    }

    private String scheme() {
        return transport == Transport.TLS ? "https" : "http";
    }

    /** The cluster's certificates (CA, node.p12, front.p12, password), made when it speaks TLS. */
    public Path tlsDir() {
        return dir.resolve("tls");
    }

    public Transport transport() {
        return transport;
    }

    /** Starts the front (again, after {@link #stopFront()}), on the same port. */
    public void startFront() throws IOException {
        if (front.isPresent()) throw new IllegalStateException("the front is running");
        List<String> cmd = new ArrayList<>(java());
        cmd.addAll(List.of("serve", "--cluster", "--port", String.valueOf(frontPort), "--tokens", tokens().toString(),
                "--cluster-secret-file", secretFile().toString(), "--nodes", String.join(",", nodes.stream().map(n -> n.name() + "=" + n.url()).toList())));
        cmd.addAll(transportArgs());
        Process p = new ProcessBuilder(placed(CpuSets.Group.FRONT, cmd)).redirectErrorStream(true).start();
        front = Optional.of(p);
        awaitLine(p, "cluster front on", dir.resolve("front.log"));
    }

    /** Stops the front with SIGTERM, as a rolling upgrade would; the nodes and their sandboxes live on. */
    public void stopFront() throws InterruptedException {
        if (front.isEmpty()) return;
        Process p = front.get();
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        front = Optional.empty();
    }

    /** SIGKILL to node {@code i}'s process: no shutdown hook runs, as when a machine dies. */
    public void killNode(int i) throws InterruptedException {
        Process p = nodes.get(i).process();
        p.destroyForcibly();
        p.waitFor();
    }

    /** CPU time the front's process has used so far (user and system), from /proc; what it costs per call, measured from outside. */
    public Duration frontCpu() throws IOException {
        return cpu(front.orElseThrow(() -> new IllegalStateException("the front is not running")).pid());
    }

    /** CPU time node {@code i}'s JVM has used so far (user and system; its sandboxes' processes are not its). */
    Duration nodeCpu(int i) throws IOException {
        return cpu(nodes.get(i).process().pid());
    }

    private static Duration cpu(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime and stime, fields 14 and 15 of stat
        return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS);
    }

    /**
     * Time the front's live threads have spent runnable but waiting for a CPU (the second field of each
     * thread's /proc schedstat): on a host where other work competes for the front's CPUs it grows.
     */
    Duration frontRunQueueWait() throws IOException {
        long pid = front.orElseThrow(() -> new IllegalStateException("the front is not running")).pid();
        long nanos = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    nanos += Long.parseLong(Files.readString(t.resolve("schedstat")).strip().split(" ")[1]);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while the list was read
                }
            }
        }
        return Duration.ofNanos(nanos);
    }

    public String frontUrl() {
        return "http://127.0.0.1:" + frontPort;
    }

    public List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    public String envToken() {
        return envToken;
    }

    /** The fleet's admin token (the audit log and the fleet view want one). */
    public String adminToken() {
        return adminToken;
    }

    /** The secret a direct call to a node must carry (the front's, here for measuring the front against the node). */
    public String secret() {
        return secret;
    }

    /** Stops the front and every node (SIGTERM: each destroys its sandboxes), collects what killed nodes left, removes the namespaces. */
    @Override
    public void close() {
        try {
            stopAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopAll() throws InterruptedException {
        stopFront();
        for (NodeProcess n : nodes) {
            n.process().destroy();
        }
        for (NodeProcess n : nodes) {
            if (!n.process().waitFor(60, TimeUnit.SECONDS)) n.process().destroyForcibly().waitFor();
        }
        for (NodeProcess n : nodes) collectGarbage(n);
        removeCgroupParents();
        for (String l : links) quietly("ip", "link", "del", l);
        for (String ns : namespaces) quietly("ip", "netns", "del", ns);
    }

    /** What a node killed with SIGKILL left (its sandboxes' namespaces, cgroups, uids), as {@code ale sandbox gc} removes it. */
    private void collectGarbage(NodeProcess n) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + n.namespace()));
        cmd.addAll(java());
        cmd.addAll(List.of("--data-dir", n.dataDir().toString(), "sandbox", "gc"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(n.name() + "-gc.log").toFile()).start();
            p.waitFor(120, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the namespaces below go regardless; a later gc of the data dir retries
        }
    }

    /** The cgroup subtree all this cluster's nodes keep theirs under, each in {@code <top>/<node name>}. */
    public String cgroupTop() {
        return "ale-cluster-" + tag;
    }

    /** The nodes' cgroup parents, empty once their sandboxes are gone (rmdir removes only an empty cgroup); v2 and each v1 mount. */
    private void removeCgroupParents() {
        List<Path> roots = new ArrayList<>(List.of(CGROUP_ROOT));
        try (Stream<Path> mounts = Files.list(CGROUP_ROOT)) {
            mounts.filter(Files::isDirectory).forEach(roots::add);
        } catch (IOException e) {
            return;
        }
        for (Path root : roots) {
            Path top = root.resolve(cgroupTop());
            if (!Files.isDirectory(top)) continue;
            for (NodeProcess n : nodes) {
                try {
                    Files.deleteIfExists(root.resolve(n.cgroupParent()));
                } catch (IOException e) {
                    // not empty: a sandbox's cgroup is still there, and the leak check names it
                }
            }
            try {
                Files.deleteIfExists(top);
            } catch (IOException e) {
                // as above
            }
        }
    }

    private Path tokens() {
        return dir.resolve("tokens.yaml");
    }

    private Path secretFile() {
        return dir.resolve("cluster-secret");
    }

    private static List<String> java() {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "dev.ale.cli.Main");
    }

    /** Waits for the line that says the process serves; copies all it prints to {@code log}. */
    private static void awaitLine(Process p, String marker, Path log) {
        CompletableFuture<Void> seen = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("ale-cluster-log").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    if (line.contains(marker)) seen.complete(null);
                }
            } catch (IOException e) {
                seen.completeExceptionally(e);
            }
            int exit;
            try {
                exit = p.waitFor();
            } catch (InterruptedException e) {
                exit = -1;
            }
            seen.completeExceptionally(new IllegalStateException("the process ended before it served (exit " + exit + "); see " + log));
        });
        try {
            seen.get(START.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage() + ": " + tail(log), e.getCause());
        } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
            throw new IllegalStateException("a cluster process did not start within " + START.toSeconds() + " s: " + tail(log), e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out.strip());
    }

    private static void quietly(String... cmd) throws InterruptedException {
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            // already gone
        }
    }

    private static String hex(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
