package dev.ale.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.server.ClusterTls;
import dev.ale.server.JettyThreads;
import dev.ale.server.NodeSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ale bench cluster}: what the cluster's front costs. Three nodes and the front on this
 * host ({@link LocalCluster}); a GEM step sent through the front against the same step sent
 * straight to its node, interleaved in one run (latency, and throughput with many environments
 * stepping at once); then many sandboxes created at once through the front over the three nodes
 * against as many created at once on one node alone.
 */
@Command(name = "cluster",
        description = {
                "Measure cluster mode on this host: three ale serve nodes, each in a network namespace",
                "of its own, and the front. A GEM step (a shell call of `true`) through the front",
                "against the same step sent straight to its node, interleaved (p50/p99 latency, and",
                "steps per second with --envs environments at once); then --sandboxes creates at",
                "once through the front over the nodes (spread, p50/p99) against one node alone.",
                "Needs root; run it in a network namespace of its own."})
public final class BenchClusterCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STEP = "{\"action\": {\"name\": \"shell\", \"arguments\": {\"command\": \"true\"}}}";

    private final PrintStream out;
    private HttpClient http;

    @Spec
    private CommandSpec spec;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "500", description = "Measured steps of each side for latency (default: ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--envs", paramLabel = "N", defaultValue = "64", description = "Environments stepping at once for throughput (default: ${DEFAULT-VALUE}).")
    private int envs;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
            description = "How long each side steps per throughput round (default: ${DEFAULT-VALUE}).")
    private int seconds;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "2",
            description = "Throughput rounds, the order swapped each round (default: ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--sandboxes", paramLabel = "N", defaultValue = "300",
            description = "Sandboxes created at once in the placement part (default: ${DEFAULT-VALUE}).")
    private int sandboxes;

    @Option(names = "--only-placement", description = "Skip the GEM part; measure placement only.")
    private boolean onlyPlacement;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "300",
            description = "Unmeasured steps of each side first, for the JIT (default: ${DEFAULT-VALUE}); a front runs for days, so more is fairer.")
    private int warmUp;

    @Option(names = "--plain-http", description = "Front and nodes speak plain HTTP (default: mutual TLS, as a cluster should).")
    private boolean plainHttp;

    @Option(names = "--compare-tls", description = {"Only the GEM step latency, with two clusters of one node each up at once, one under",
            "mutual TLS and one in plain HTTP: front and node of each, the four interleaved step by step."})
    private boolean compareTls;

    @Option(names = "--compare-node-pool", description = {"Only the node's side: two clusters of one node each up at once under mutual TLS, one",
            "node on ALE's Jetty pool (selector and acceptor on platform threads) and one on Javalin's all-virtual pool;",
            "GEM steps straight to each node, interleaved, in --rounds parts (node CPU per step, p50/p99)."})
    private boolean compareNodePool;

    @Option(names = "--split-cpus", paramLabel = "CPUS", description = {
            "Also measure the throughput with the front's process on CPUS (a list such as 1 or 2-3) and the nodes, their",
            "sandboxes and this bench's client on the other CPUs (cgroup v1 cpusets), interleaved round by round with",
            "the shared layout (every process on every CPU): the front's CPU then is its own, as on a machine of its own."})
    private Optional<String> splitCpus = Optional.empty();

    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    public BenchClusterCommand(PrintStream out) {
        this.out = out;
    }

    private record Target(String url, String id, Map<String, String> headers) { }

    @Override
    public Integer call() throws Exception {
        BenchOptions.atLeast(spec, "--steps", steps, 1);
        BenchOptions.atLeast(spec, "--envs", envs, 1);
        BenchOptions.atLeast(spec, "--seconds", seconds, 1);
        BenchOptions.atLeast(spec, "--rounds", rounds, 1);
        BenchOptions.atLeast(spec, "--sandboxes", sandboxes, 1);
        BenchOptions.atLeast(spec, "--warmup", warmUp, 0);
        if (compareTls && splitCpus.isPresent()) throw new ParameterException(spec.commandLine(), "--split-cpus and --compare-tls: choose one");
        if (compareNodePool && (compareTls || splitCpus.isPresent() || plainHttp)) {
            throw new ParameterException(spec.commandLine(), "--compare-node-pool runs alone: not with --compare-tls, --split-cpus or --plain-http");
        }
        Path dir = Files.createTempDirectory("ale-bench-cluster-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        if (compareTls || !plainHttp) {
            // the nodes' certificates name ale-node, not the address this bench dials them at; the JDK client reads this
            // switch once, when its first client is made, so before that (the front, which checks the name, is not this process)
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        if (compareTls) return compare(dir);
        if (compareNodePool) return compareNodePool(dir);
        Optional<CpuSets> cpus;
        try {
            cpus = splitCpus.isEmpty() ? Optional.empty() : Optional.of(CpuSets.create(Long.toHexString(ProcessHandle.current().pid()), splitCpus.get()));
        } catch (IllegalArgumentException e) {
            BenchGemCommand.delete(dir);
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            return bench(dir, cpus);
        } finally {
            if (cpus.isPresent()) cpus.get().close();
        }
    }

    private int bench(Path dir, Optional<CpuSets> cpus) throws Exception {
        LocalCluster.Transport transport = plainHttp ? LocalCluster.Transport.PLAIN : LocalCluster.Transport.TLS;
        try (LocalCluster cluster = LocalCluster.start(Files.createDirectories(dir.resolve("cluster")), 3, Math.max(envs, sandboxes) + 8,
                BenchGemCommand.writeTask(dir.resolve("tasks")), transport, cpus)) {
            out.println("Three nodes and the front up (" + transport + " between them); load " + BenchGemCommand.loadAverage());
            if (cpus.isPresent()) cpus.get().joinClientToNodes();
            trustNodes(cluster);
            awaitReady(cluster);
            if (!onlyPlacement) gem(cluster, cpus);
            placement(cluster);
        } catch (Exception | Error e) {
            failures.add(e.toString()); // keep the logs: they say what the front and the nodes saw
            throw e;
        } finally {
            if (failures.isEmpty()) BenchGemCommand.delete(dir);
            else out.println("Something failed; the nodes' and the front's logs are kept in " + dir.resolve("cluster"));
        }
        return failures.isEmpty() ? 0 : 1;
    }

    /** Sends this bench's straight-to-node calls as the front does: with the front's certificate, trusting the cluster CA. */
    private void trustNodes(LocalCluster cluster) {
        if (cluster.transport() != LocalCluster.Transport.TLS) return;
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor())
                .sslContext(ClusterTls.load(cluster.tlsDir(), ClusterTls.Role.FRONT).context()).build();
    }

    /** {@code --compare-tls}: one node and its front under TLS, one of each in plain HTTP, four targets stepped in turn. */
    private int compare(Path dir) throws Exception {
        Path tasks = BenchGemCommand.writeTask(dir.resolve("tasks"));
        try (LocalCluster tls = LocalCluster.start(Files.createDirectories(dir.resolve("tls")), 1, 8, tasks, LocalCluster.Transport.TLS);
             LocalCluster plain = LocalCluster.start(Files.createDirectories(dir.resolve("plain")), 1, 8, tasks, LocalCluster.Transport.PLAIN)) {
            trustNodes(tls);
            awaitReady(tls);
            awaitReady(plain);
            out.println("Two clusters of one node each up (TLS, plain); load " + BenchGemCommand.loadAverage());
            List<LocalCluster> clusters = List.of(tls, plain);
            List<Target> targets = new ArrayList<>();
            for (LocalCluster c : clusters) {
                String id = post(c.frontUrl() + "/v1/envs", front(c), "{\"task\": \"gem-bench\"}", 201).path("env_id").asText();
                post(c.frontUrl() + "/v1/envs/" + id + "/reset", front(c), "{}", 200);
                targets.add(new Target(c.frontUrl(), id, front(c)));
                targets.add(direct(c, id));
            }
            for (int i = 0; i < warmUp; i++) for (Target t : targets) step(t);
            List<Samples> samples = new ArrayList<>();
            for (int k = 0; k < targets.size(); k++) samples.add(new Samples(steps));
            Duration[] cpu = {Duration.ZERO, Duration.ZERO};
            Duration[] cpu0 = {tls.frontCpu(), plain.frontCpu()};
            for (int i = 0; i < steps; i++) {
                for (int j = 0; j < targets.size(); j++) {
                    int k = (i + j) % targets.size(); // each target goes first in turn
                    samples.get(k).add(step(targets.get(k)));
                }
            }
            cpu[0] = tls.frontCpu().minus(cpu0[0]);
            cpu[1] = plain.frontCpu().minus(cpu0[1]);
            out.printf("GEM step, one environment per cluster, %d steps each of four targets, interleaved, after %d warm-up steps each:%n",
                    steps, warmUp);
            String[] names = {"TLS", "plain"};
            for (int c = 0; c < 2; c++) {
                Samples f = samples.get(2 * c);
                Samples n = samples.get(2 * c + 1);
                out.printf("  %-5s through the front p50 %.2f ms  p99 %.2f ms;  straight to node p50 %.2f ms  p99 %.2f ms;"
                        + "  added at p50 %.2f ms;  front CPU per step %.0f µs%n", names[c], f.p50Millis(), f.p99Millis(), n.p50Millis(),
                        n.p99Millis(), f.p50Millis() - n.p50Millis(), cpu[c].toNanos() / 1e3 / steps);
            }
            out.println("Load " + BenchGemCommand.loadAverage());
            for (int c = 0; c < 2; c++) post(clusters.get(c).frontUrl() + "/v1/envs/" + targets.get(2 * c).id() + "/close", front(clusters.get(c)), "{}", 200);
        } catch (Exception | Error e) {
            out.println("Something failed; the nodes' and the fronts' logs are kept in " + dir);
            throw e;
        }
        BenchGemCommand.delete(dir);
        return 0;
    }

    private void gem(LocalCluster cluster, Optional<CpuSets> cpus) throws Exception {
        List<Target[]> pairs = new ArrayList<>();
        for (int i = 0; i < envs; i++) {
            JsonNode made = post(cluster.frontUrl() + "/v1/envs", front(cluster), "{\"task\": \"gem-bench\"}", 201);
            String id = made.path("env_id").asText();
            post(cluster.frontUrl() + "/v1/envs/" + id + "/reset", front(cluster), "{}", 200);
            pairs.add(new Target[] {new Target(cluster.frontUrl(), id, front(cluster)), direct(cluster, id)});
        }
        Target[] one = pairs.getFirst();
        // warm both JVMs' JIT first: a fresh front compiles for thousands of calls, and that CPU is not the front's cost per call
        for (int i = 0; i < warmUp; i++) {
            step(one[0]);
            step(one[1]);
        }
        Samples viaFront = new Samples(steps);
        Samples straight = new Samples(steps);
        Duration cpu0 = cluster.frontCpu();
        for (int i = 0; i < steps; i++) {
            if (i % 2 == 0) {
                viaFront.add(step(one[0]));
                straight.add(step(one[1]));
            } else {
                straight.add(step(one[1]));
                viaFront.add(step(one[0]));
            }
        }
        out.printf("GEM step, one environment, %d steps each, interleaved, after %d warm-up steps each:%n", steps, warmUp);
        out.printf("  through the front  p50 %.2f ms  p99 %.2f ms%n", viaFront.p50Millis(), viaFront.p99Millis());
        out.printf("  straight to node   p50 %.2f ms  p99 %.2f ms%n", straight.p50Millis(), straight.p99Millis());
        out.printf("  added at p50       %.2f ms%n", viaFront.p50Millis() - straight.p50Millis());
        out.printf("  front CPU per step %.0f µs (user + system of its process over the %d steps through it, polls included)%n",
                cluster.frontCpu().minus(cpu0).toNanos() / 1e3 / steps, steps);
        throughput(cluster, pairs, cpus);
        for (Target[] p : pairs) post(cluster.frontUrl() + "/v1/envs/" + p[0].id() + "/close", front(cluster), "{}", 200);
    }

    /**
     * {@code --compare-node-pool}: two one-node clusters under TLS, the nodes differing only by their Jetty
     * pool; one environment on each, stepped straight to its node (as the front does), interleaved step by
     * step, the first of each pair alternating. Each node's CPU is read from /proc around each part.
     */
    private int compareNodePool(Path dir) throws Exception {
        Path tasks = BenchGemCommand.writeTask(dir.resolve("tasks"));
        String[] names = {"ALE's pool (platform selector)", "Javalin's all-virtual pool"};
        try (LocalCluster own = LocalCluster.start(Files.createDirectories(dir.resolve("own")), 1, 8, tasks, LocalCluster.Transport.TLS);
             LocalCluster javalin = LocalCluster.start(Files.createDirectories(dir.resolve("javalin")), 1, 8, tasks, LocalCluster.Transport.TLS,
                     Optional.empty(), List.of("-D" + JettyThreads.NODE_POOL_PROPERTY + "=javalin"))) {
            List<LocalCluster> clusters = List.of(own, javalin);
            List<HttpClient> clients = new ArrayList<>();
            List<Target> targets = new ArrayList<>();
            for (LocalCluster c : clusters) {
                awaitReady(c);
                String id = post(c.frontUrl() + "/v1/envs", front(c), "{\"task\": \"gem-bench\"}", 201).path("env_id").asText();
                post(c.frontUrl() + "/v1/envs/" + id + "/reset", front(c), "{}", 200);
                targets.add(direct(c, id));
                clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor())
                        .sslContext(ClusterTls.load(c.tlsDir(), ClusterTls.Role.FRONT).context()).build());
            }
            out.println("Two clusters of one node each up (mutual TLS): " + names[0] + ", " + names[1] + "; load " + BenchGemCommand.loadAverage());
            for (int i = 0; i < warmUp; i++) for (int k = 0; k < 2; k++) stepOn(clients.get(k), targets.get(k));
            List<Samples> samples = List.of(new Samples(steps), new Samples(steps));
            double[] total = new double[2];
            int done = 0;
            out.printf("GEM step straight to each node, %d steps each in %d parts, interleaved, after %d warm-up steps each:%n", steps, rounds, warmUp);
            for (int r = 0; r < rounds; r++) {
                int part = steps / rounds + (r < steps % rounds ? 1 : 0);
                Duration[] cpu0 = {own.nodeCpu(0), javalin.nodeCpu(0)};
                for (int i = 0; i < part; i++, done++) {
                    for (int j = 0; j < 2; j++) {
                        int k = (done + j) % 2; // each node goes first in turn
                        samples.get(k).add(stepOn(clients.get(k), targets.get(k)));
                    }
                }
                double[] perStep = new double[2];
                for (int k = 0; k < 2; k++) {
                    Duration used = clusters.get(k).nodeCpu(0).minus(cpu0[k]);
                    perStep[k] = used.toNanos() / 1e3 / part;
                    total[k] += used.toNanos() / 1e3;
                }
                out.printf("  part %d (%d steps): node CPU per step  %s %.0f µs;  %s %.0f µs;  ratio %.2f%n", r + 1, part, names[0], perStep[0],
                        names[1], perStep[1], perStep[0] / perStep[1]);
            }
            for (int k = 0; k < 2; k++) {
                out.printf("  %-30s p50 %.2f ms  p99 %.2f ms  node CPU per step %.0f µs%n", names[k], samples.get(k).p50Millis(), samples.get(k).p99Millis(),
                        total[k] / steps);
            }
            out.printf("  ratio of node CPU per step (ALE's / Javalin's) %.2f; load %s%n", total[0] / total[1], BenchGemCommand.loadAverage());
            for (int k = 0; k < 2; k++) {
                post(clusters.get(k).frontUrl() + "/v1/envs/" + clusters.get(k).nodes().getFirst().name() + "." + targets.get(k).id() + "/close",
                        front(clusters.get(k)), "{}", 200);
            }
            clients.forEach(HttpClient::close);
        } catch (Exception | Error e) {
            out.println("Something failed; the nodes' and the fronts' logs are kept in " + dir);
            throw e;
        }
        BenchGemCommand.delete(dir);
        return 0;
    }

    /** A step straight to a node with {@code client} (which holds that cluster's front certificate). */
    private static long stepOn(HttpClient client, Target t) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.url() + "/v1/envs/" + t.id() + "/step")).POST(HttpRequest.BodyPublishers.ofString(STEP))
                .header("Content-Type", "application/json");
        t.headers().forEach(b::header);
        long t0 = System.nanoTime();
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        long took = System.nanoTime() - t0;
        if (r.statusCode() != 200) throw new IllegalStateException("a step on " + t.url() + " answered " + r.statusCode() + ": " + r.body());
        return took;
    }

    /** One throughput measure: where the processes ran, which side was stepped. */
    private record Run(boolean split, int side) { }

    /** Steps per second of one run; over it, the front's CPU per step, the share of one CPU it kept busy, and its wait for a CPU per step. */
    private record Rate(double perSecond, double frontMicrosPerStep, double frontBusy, double frontWaitMicrosPerStep) { }

    /**
     * Each side steps every environment for {@code --seconds} unmeasured (the nodes that the latency
     * part did not touch, and the front's paths for many calls at once, are cold), then {@code
     * --rounds} rounds of every run, the first run of each round rotating: front and node, and with
     * {@code --split-cpus} those two again on split CPUs. Both sides step the same environments on
     * the same nodes.
     */
    private void throughput(LocalCluster cluster, List<Target[]> pairs, Optional<CpuSets> cpus) throws Exception {
        List<Run> runs = new ArrayList<>(List.of(new Run(false, 0), new Run(false, 1)));
        if (cpus.isPresent()) runs.addAll(List.of(new Run(true, 0), new Run(true, 1)));
        throughput(cluster, pairs, 0);
        throughput(cluster, pairs, 1);
        Map<Run, List<Rate>> rates = new HashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < runs.size(); k++) {
                Run run = runs.get((r + k) % runs.size());
                if (cpus.isPresent()) {
                    if (run.split()) cpus.get().split();
                    else cpus.get().share();
                }
                rates.computeIfAbsent(run, x -> new ArrayList<>()).add(throughput(cluster, pairs, run.side()));
            }
        }
        if (cpus.isPresent()) cpus.get().share();
        out.printf("GEM steps per second, %d environments at once, %d rounds of %d s each run, after %d s unmeasured of each side:%n",
                envs, rounds, seconds, seconds);
        for (boolean split : cpus.isPresent() ? List.of(false, true) : List.of(false)) {
            if (cpus.isPresent()) {
                out.println(split ? "  split CPUs: the front on " + cpus.get().frontCpus() + "; the nodes, their sandboxes and this client on "
                        + cpus.get().nodeCpus() : "  shared CPUs: every process on every CPU");
            }
            List<Rate> front = rates.get(new Run(split, 0));
            List<Rate> node = rates.get(new Run(split, 1));
            double f = front.stream().mapToDouble(Rate::perSecond).average().orElseThrow();
            double n = node.stream().mapToDouble(Rate::perSecond).average().orElseThrow();
            double cpu = front.stream().mapToDouble(Rate::frontMicrosPerStep).average().orElseThrow();
            double busy = front.stream().mapToDouble(Rate::frontBusy).average().orElseThrow();
            double wait = front.stream().mapToDouble(Rate::frontWaitMicrosPerStep).average().orElseThrow();
            out.printf("    through the front  %.0f/s (front CPU per step %.0f µs, %.0f%% of one CPU busy; waited for a CPU %.0f µs per step)%n"
                    + "    straight to node   %.0f/s%n    ratio              %.2fx%n", f, cpu, 100 * busy, wait, n, f / n);
        }
        out.println("  load " + BenchGemCommand.loadAverage());
    }

    private Rate throughput(LocalCluster cluster, List<Target[]> pairs, int side) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        CountDownLatch started = new CountDownLatch(pairs.size());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (Target[] p : pairs) {
                running.add(pool.submit(() -> {
                    started.countDown();
                    while (!stop.get()) {
                        step(p[side]);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            started.await();
            long t0 = System.nanoTime();
            long d0 = done.get();
            Duration cpu0 = cluster.frontCpu();
            Duration wait0 = cluster.frontRunQueueWait();
            Thread.sleep(Duration.ofSeconds(seconds));
            long d1 = done.get();
            long t1 = System.nanoTime();
            Duration cpu = cluster.frontCpu().minus(cpu0);
            Duration wait = cluster.frontRunQueueWait().minus(wait0);
            stop.set(true);
            for (Future<?> f : running) f.get();
            long n = Math.max(1, d1 - d0);
            return new Rate((d1 - d0) / ((t1 - t0) / 1e9), cpu.toNanos() / 1e3 / n, (double) cpu.toNanos() / (t1 - t0), wait.toNanos() / 1e3 / n);
        }
    }

    private void placement(LocalCluster cluster) throws Exception {
        List<Long> viaFront = Collections.synchronizedList(new ArrayList<>());
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        createAtOnce(cluster.frontUrl(), front(cluster), viaFront, ids);
        Map<String, Integer> perNode = new HashMap<>();
        for (String id : ids) perNode.merge(id.substring(0, id.indexOf('.')), 1, Integer::sum);
        for (String id : ids) delete(cluster.frontUrl() + "/v1/sandboxes/" + id, front(cluster));
        LocalCluster.NodeProcess alone = cluster.nodes().getFirst();
        List<Long> oneNode = Collections.synchronizedList(new ArrayList<>());
        List<String> aloneIds = Collections.synchronizedList(new ArrayList<>());
        Map<String, String> direct = new HashMap<>(front(cluster));
        direct.put(NodeSettings.SECRET_HEADER, cluster.secret());
        createAtOnce(alone.url(), direct, oneNode, aloneIds);
        for (String id : aloneIds) delete(alone.url() + "/v1/sandboxes/" + id, direct);
        int max = perNode.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = cluster.nodes().size() == perNode.size() ? perNode.values().stream().mapToInt(Integer::intValue).min().orElse(0) : 0;
        out.printf("%d sandboxes created at once:%n", sandboxes);
        out.printf("  through the front over %d nodes  per node %s (max/min %d/%d)  p50 %.0f ms  p99 %.0f ms  (%d made)%n",
                cluster.nodes().size(), perNode, max, min, p(viaFront, 50), p(viaFront, 99), ids.size());
        out.printf("  one node alone                   p50 %.0f ms  p99 %.0f ms  (%d made)%n", p(oneNode, 50), p(oneNode, 99), aloneIds.size());
        if (!failures.isEmpty()) {
            out.println("  " + failures.size() + " creates failed, e.g.:");
            failures.stream().distinct().limit(3).forEach(f -> out.println("    " + f));
        }
    }

    private void createAtOnce(String base, Map<String, String> headers, List<Long> latencies, List<String> ids) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < sandboxes; i++) {
                all.add(pool.submit(() -> {
                    go.await();
                    long t0 = System.nanoTime();
                    try {
                        JsonNode made = post(base + "/v1/sandboxes", headers, "{\"idle_timeout_seconds\": 3600}", 201);
                        latencies.add(System.nanoTime() - t0);
                        ids.add(made.path("id").asText());
                    } catch (IOException | RuntimeException e) {
                        failures.add(base + ": " + e);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : all) f.get();
        }
    }

    private static double p(List<Long> nanos, int percentile) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(Comparator.naturalOrder());
        if (sorted.isEmpty()) return Double.NaN;
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1)) / 1e6;
    }

    private long step(Target t) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        post(t.url() + "/v1/envs/" + t.id() + "/step", t.headers(), STEP, 200);
        return System.nanoTime() - t0;
    }

    private static Map<String, String> front(LocalCluster cluster) {
        return Map.of("Authorization", "Bearer " + cluster.envToken());
    }

    /** The same environment on its node: the node's own id, the front's secret beside the token. */
    private static Target direct(LocalCluster cluster, String id) {
        String node = id.substring(0, id.indexOf('.'));
        LocalCluster.NodeProcess n = cluster.nodes().stream().filter(x -> x.name().equals(node)).findFirst().orElseThrow();
        return new Target(n.url(), id.substring(id.indexOf('.') + 1),
                Map.of("Authorization", "Bearer " + cluster.envToken(), NodeSettings.SECRET_HEADER, cluster.secret()));
    }

    private void awaitReady(LocalCluster cluster) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cluster.frontUrl() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (JSON.readTree(r.body()).path("ready_nodes").asInt() == cluster.nodes().size()) return;
            Thread.sleep(200);
        }
        throw new IllegalStateException("the front did not see its nodes ready within 60 s");
    }

    private JsonNode post(String url, Map<String, String> headers, String body, int expected) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        headers.forEach(b::header);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) throw new IllegalStateException("POST " + url + " answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private void delete(String url, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).DELETE();
        headers.forEach(b::header);
        http.send(b.build(), HttpResponse.BodyHandlers.discarding());
    }



}
