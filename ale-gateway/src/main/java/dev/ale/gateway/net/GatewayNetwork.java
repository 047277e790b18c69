package dev.ale.gateway.net;

import dev.ale.core.host.HostTools;
import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.HexFormat;

/**
 * The host side of every sandbox's network, in the network namespace the gateway runs in: the
 * dummy link {@code ale0} holding {@link #GATEWAY_ADDRESS}, the nftables table {@code inet ale},
 * and one veth pair, one /31 and one set of rules per sandbox ({@link #link}).
 *
 * <p>The dummy link and the table are shared by every ALE process in the namespace. Each
 * process registers itself under {@code <state>/gateways/}; the last one to {@link #close}
 * removes both, provided no sandbox's rules remain (a detached sandbox of a crashed process
 * keeps them until garbage collection finds its namespace gone). All changes to slots, the
 * table and the dummy link happen under {@link MachineLock}.
 */
public final class GatewayNetwork implements AutoCloseable {

    /** The gateway's own address: its DNS server, proxy and sink listen here. */
    public static final Inet4Address GATEWAY_ADDRESS = LinkSlots.address((198 << 24) | (18 << 16) | 1);

    /** The link that holds {@link #GATEWAY_ADDRESS}: a dummy, or an empty bridge where the kernel has no dummy driver. */
    public static final String DUMMY_LINK = "ale0";

    /** Where ALE keeps machine-wide network state: link slots, gateway registrations, the lock. */
    public static final Path DEFAULT_STATE_DIR = Path.of("/run/ale");

    private final Path stateDir;
    private final MachineLock lock;
    private final LinkSlots slots;
    /** Sandbox rule changes, joined with those of other threads linking or unlinking at the same moment. */
    private final NftBatch nft;
    private final Path registration;
    private final String netnsInode;
    private volatile boolean closed;

    private GatewayNetwork(Path stateDir) {
        this.stateDir = stateDir;
        this.lock = new MachineLock(stateDir.resolve("net.lock"));
        this.slots = new LinkSlots(stateDir.resolve("links"));
        this.nft = new NftBatch(lock);
        this.netnsInode = ownNetnsInode();
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        this.registration = stateDir.resolve("gateways").resolve(netnsInode + "-" + self.pid() + "-" + start
                + "-" + Integer.toHexString(System.identityHashCode(this)));
    }

    /** Sets up the dummy link and the table (idempotently) with state under {@link #DEFAULT_STATE_DIR}. */
    public static GatewayNetwork open() {
        return open(DEFAULT_STATE_DIR);
    }

    /**
     * Sets up the dummy link and the base table, idempotently.
     *
     * @throws AleException (environment) without root, ip, nft or sysctl
     */
    public static GatewayNetwork open(Path stateDir) {
        NetTools.checkHost();
        GatewayNetwork network = new GatewayNetwork(stateDir);
        network.lock.holding(() -> {
            try {
                Files.createDirectories(network.registration.getParent());
                Files.writeString(network.registration, "");
            } catch (IOException e) {
                throw new AleException(Fault.ENVIRONMENT, "cannot register the gateway in " + stateDir + ": " + e.getMessage(), e);
            }
            ensureDummyLink();
            NetTools.run(List.of("nft", "-f", "-"), AleTable.base());
        });
        return network;
    }

    /**
     * Connects the network namespace {@code netnsName} (which must exist) to the host: claims a
     * link slot, makes the veth pair with its peer straight inside the namespace as
     * {@code eth0}, addresses both ends, routes the sandbox's default through the host end,
     * disables IPv6 on both ends, and adds the sandbox's rules carrying {@code ports}. Undoes
     * what it did when a step fails.
     */
    public SandboxLink link(String netnsName, ListenerPorts ports) {
        if (closed) throw new AleException(Fault.ENVIRONMENT, "the gateway network is closed");
        LinkSlots.checkNetnsName(netnsName);
        if (!LinkSlots.netnsExists(netnsName)) {
            throw new AleException(Fault.ENVIRONMENT, "network namespace " + netnsName + " does not exist (ip netns list)");
        }
        SandboxLink link = lock.holding(() -> slots.claim(netnsName));
        try {
            String hostIf = link.hostInterface();
            // new interfaces in the sandbox's namespace start without IPv6: its eth0 never gets an address
            NetTools.run(List.of("ip", "netns", "exec", netnsName, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"));
            NetTools.run(List.of("ip", "link", "add", hostIf, "type", "veth", "peer", "name", SandboxLink.SANDBOX_INTERFACE,
                    "netns", netnsName));
            disableIpv6(hostIf);
            NetTools.run(List.of("ip", "-batch", "-"), """
                    addr add %s/31 dev %s
                    link set %s up
                    """.formatted(link.hostAddress().getHostAddress(), hostIf, hostIf));
            String eth = SandboxLink.SANDBOX_INTERFACE;
            NetTools.run(List.of("ip", "-n", netnsName, "-batch", "-"), """
                    addr add %s/31 dev %s
                    link set %s up
                    route add default via %s dev %s
                    """.formatted(link.sandboxAddress().getHostAddress(), eth, eth, link.hostAddress().getHostAddress(), eth));
            String rules = AleTable.addSandbox(link, ports);
            HostTools.Result added = nft.apply(rules);
            if (!added.ok()) {
                throw new AleException(Fault.ENVIRONMENT, "nft -f - failed (exit " + added.exitCode() + "): " + added.output().strip()
                        + "\n--- input ---\n" + rules);
            }
            return link;
        } catch (RuntimeException e) {
            List<String> problems = unlink(link);
            if (!problems.isEmpty()) e.addSuppressed(new IllegalStateException("undoing: " + String.join("; ", problems)));
            throw e;
        }
    }

    /**
     * Removes a sandbox's rules, its host-side link (the kernel would remove it with the
     * namespace, but only later) and its slot. Idempotent. Returns what it could not remove.
     */
    public List<String> unlink(SandboxLink link) {
        List<String> problems = new ArrayList<>();
        removeRules(link.id(), problems);
        // Outside the lock: the slot is still claimed, so no one else makes a link of this name
        // meanwhile, and a thousand sandboxes torn down at once do not queue behind each deletion.
        deleteHostLink(link.id(), problems);
        lock.holding(() -> slots.release(link.id(), link.netnsName()));
        return problems;
    }

    /** What the rules have dropped from (or towards) the sandbox on {@code link} so far. */
    public Drops drops(SandboxLink link) {
        // One set for every sandbox, listed whole: nft lists a set without fetching the rules of the
        // table, which a named counter needs (0.05 s against 0.6 s with a thousand sandboxes).
        HostTools.Result r = NetTools.tryRun(List.of("nft", "list", "set", "inet", "ale", AleTable.DROPS_SET));
        if (!r.ok()) return Drops.NONE;
        Matcher m = Pattern.compile("\"" + Pattern.quote(link.hostInterface()) + "\" counter packets (\\d+) bytes (\\d+)").matcher(r.output());
        return m.find() ? new Drops(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))) : Drops.NONE;
    }

    /**
     * Packets the host end of {@code link} has received, from this process's network namespace's
     * {@code /proc/self/net/dev}; empty when the interface is not there or the file cannot be read.
     */
    public OptionalLong receivedPackets(SandboxLink link) {
        String prefix = link.hostInterface() + ":";
        try (java.util.stream.Stream<String> lines = Files.lines(Path.of("/proc/self/net/dev"))) {
            return lines.map(String::strip).filter(l -> l.startsWith(prefix)).findFirst().map(l -> {
                // "ale-h…: rx bytes, rx packets, …"
                String[] fields = l.substring(prefix.length()).strip().split("\\s+");
                return fields.length > 1 ? OptionalLong.of(Long.parseLong(fields[1])) : OptionalLong.empty();
            }).orElse(OptionalLong.empty());
        } catch (IOException | java.io.UncheckedIOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The link whose sandbox end has {@code address}, if a slot is claimed for it. */
    public Optional<SandboxLink> bySandboxAddress(Inet4Address address) {
        byte[] b = address.getAddress();
        int value = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        int offset = value - ((198 << 24) | (18 << 16));
        if (offset < 2 || offset >= 2 * LinkSlots.SLOTS || offset % 2 == 0) return Optional.empty();
        String id = HexFormat.of().toHexDigits(offset / 2);
        return slots.owner(id).map(netns -> LinkSlots.link(id, netns));
    }

    /**
     * Removes what sandboxes whose namespaces are gone left behind: their slots, rules and
     * host-side links, and the registrations of gateways whose process is gone. Returns what
     * it could not remove.
     */
    public List<String> collectGarbage() {
        List<String> problems = new ArrayList<>();
        lock.holding(() -> {
            Map<String, String> claimed = slots.claimed();
            for (Map.Entry<String, String> slot : claimed.entrySet()) {
                if (LinkSlots.netnsExists(slot.getValue())) continue;
                removeRules(slot.getKey(), problems);
                deleteHostLink(slot.getKey(), problems);
                slots.release(slot.getKey(), slot.getValue());
            }
            for (String id : sandboxIdsInTable()) {
                Optional<String> owner = slots.owner(id);
                if (owner.isPresent() && LinkSlots.netnsExists(owner.get())) continue;
                removeRules(id, problems);
                deleteHostLink(id, problems);
            }
            for (Path gateway : registrations()) {
                if (!isAlive(gateway)) deleteQuietly(gateway);
            }
        });
        return problems;
    }

    /** The ids of the sandboxes that have rules in this namespace's table now. */
    public List<String> sandboxIdsInTable() {
        HostTools.Result r = NetTools.tryRun(List.of("nft", "list", "table", "inet", "ale"));
        return r.ok() ? List.copyOf(AleTable.sandboxIds(r.output())) : List.of();
    }

    /** The state directory (slots under {@code links/}). */
    public Path stateDir() {
        return stateDir;
    }

    /**
     * Unregisters this gateway; when it was the last one in this namespace and no sandbox's
     * rules remain, removes the table and the dummy link too. Sandboxes it linked must be
     * unlinked first (the caller's job: it knows which are its own). Idempotent.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        lock.holding(() -> {
            deleteQuietly(registration);
            boolean othersHere = registrations().stream()
                    .anyMatch(g -> g.getFileName().toString().startsWith(netnsInode + "-") && isAlive(g));
            if (othersHere || !sandboxIdsInTable().isEmpty()) return;
            NetTools.tryRun(List.of("nft", "-f", "-"), AleTable.deleteTable());
            if (interfaceExists(DUMMY_LINK)) NetTools.tryRun(List.of("ip", "link", "del", DUMMY_LINK));
        });
    }

    private static void ensureDummyLink() {
        if (!interfaceExists(DUMMY_LINK)) {
            // kernels built without the dummy driver (some VMs) get a bridge with no ports: as
            // good a home for a local address, and it forwards nothing with no ports
            HostTools.Result dummy = NetTools.tryRun(List.of("ip", "link", "add", DUMMY_LINK, "type", "dummy"));
            if (!dummy.ok()) NetTools.run(List.of("ip", "link", "add", DUMMY_LINK, "type", "bridge"));
        }
        disableIpv6(DUMMY_LINK);
        NetTools.run(List.of("ip", "-batch", "-"), """
                addr replace %s/32 dev %s
                link set %s up
                """.formatted(GATEWAY_ADDRESS.getHostAddress(), DUMMY_LINK, DUMMY_LINK));
    }

    /**
     * One transaction; only when it fails is the table looked for (no table: nothing to remove).
     * Listing the whole table first cost every removal time linear in the number of sandboxes.
     */
    private void removeRules(String id, List<String> problems) {
        HostTools.Result r = nft.apply(AleTable.removeSandbox(id));
        if (!r.ok() && tableExists()) problems.add("nft rules of link " + id + ": " + r.output().strip());
    }

    /** Lists one base chain, whose size does not grow with the sandboxes (their rules hang off maps). */
    private static boolean tableExists() {
        return NetTools.tryRun(List.of("nft", "list", "chain", "inet", "ale", "ale_input")).ok();
    }

    private static void deleteHostLink(String id, List<String> problems) {
        String hostIf = SandboxLink.hostInterfaceOf(id);
        if (!interfaceExists(hostIf)) return;
        HostTools.Result r = NetTools.tryRun(List.of("ip", "link", "del", hostIf));
        // the kernel may have removed it with its namespace meanwhile
        if (!r.ok() && interfaceExists(hostIf)) problems.add("ip link del " + hostIf + ": " + r.output().strip());
    }

    /**
     * In this process's namespace (not /sys/class/net, which shows the namespace /sys was
     * mounted in): the test JVMs run in namespaces entered with nsenter.
     */
    static boolean interfaceExists(String name) {
        try {
            return NetworkInterface.getByName(name) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** /proc/sys/net follows the reading process's namespace; absent when the kernel has no IPv6. */
    private static void disableIpv6(String interfaceName) {
        Path knob = Path.of("/proc/sys/net/ipv6/conf", interfaceName, "disable_ipv6");
        if (!Files.exists(knob)) return;
        try {
            Files.writeString(knob, "1");
        } catch (IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "cannot disable IPv6 on " + interfaceName + ": " + e.getMessage(), e);
        }
    }

    private List<Path> registrations() {
        List<Path> result = new ArrayList<>();
        Path dir = stateDir.resolve("gateways");
        if (!Files.isDirectory(dir)) return result;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(result::add);
        } catch (IOException e) {
            // none readable: treat as none
        }
        return result;
    }

    /** A registration {@code <netns inode>-<pid>-<start millis>-<instance>} whose process still runs. */
    private static boolean isAlive(Path registration) {
        String[] f = registration.getFileName().toString().split("-");
        if (f.length != 4) return false;
        try {
            return ProcessHandle.of(Long.parseLong(f[1]))
                    .flatMap(h -> h.info().startInstant())
                    .map(s -> String.valueOf(s.toEpochMilli()).equals(f[2]))
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String ownNetnsInode() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(); // net:[4026531840]
            return link.replaceAll("\\D", "");
        } catch (IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "cannot read /proc/self/ns/net: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a later garbage collection retries
        }
    }
}
