package dev.ale.gateway;

import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import dev.ale.core.net.AddressRanges;
import dev.ale.core.net.ConnectionRecord;
import dev.ale.core.net.DropRecord;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.passport.EgressRules;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.SandboxNetwork;
import dev.ale.gateway.dns.DnsServer;
import dev.ale.gateway.net.Drops;
import dev.ale.gateway.net.GatewayNetwork;
import dev.ale.gateway.net.ListenerPorts;
import dev.ale.gateway.net.SandboxLink;
import dev.ale.gateway.proxy.HttpProxy;
import dev.ale.gateway.sink.ConnectionRecords;
import dev.ale.gateway.sink.ConntrackTable;
import dev.ale.gateway.sink.SinkRecord;
import dev.ale.gateway.sink.TcpSink;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.LinkedHashMap;

/**
 * The sandbox's only way out, as one object: it links each sandbox's network namespace to the
 * host ({@link GatewayNetwork}), runs the DNS server, HTTP(S) proxy and TCP sink on
 * {@link GatewayNetwork#GATEWAY_ADDRESS}, tells them who a client is ({@link SandboxClients}),
 * and hands every record, attributed to its sandbox, to one consumer.
 */
public final class Gateway implements SandboxNetwork, SandboxClients, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Gateway.class.getName());

    /** What a sandbox dials for HTTP(S): the rules send it to the proxy listener. */
    public static final String PROXY_URL = "http://" + GatewayNetwork.GATEWAY_ADDRESS.getHostAddress() + ":"
            + ListenerPorts.PROXY_PORT_SEEN;

    /**
     * What a sandbox's agent program gets as {@code OPENAI_BASE_URL}: the proxy listener, which
     * passes origin-form requests on to the model proxy of the server that routed one here.
     */
    public static final String MODEL_BASE_URL = PROXY_URL + "/v1";

    /** The sandbox's /etc/resolv.conf: UDP 53 to any address reaches the DNS server anyway. */
    public static final String RESOLV_CONF = "nameserver " + GatewayNetwork.GATEWAY_ADDRESS.getHostAddress() + "\n";

    /** The sandbox id a sink record gets when its source address never belonged to a sandbox of this gateway. */
    public static final String UNATTRIBUTED = "unattributed";

    /** A listener the gateway runs for sandboxes (DNS server, proxy). */
    public interface Service extends AutoCloseable {

        InetSocketAddress address();

        @Override
        void close();
    }

    /** Starts a {@link Service} on {@code bind} (port 0: any free port). */
    @FunctionalInterface
    public interface ServiceStarter {

        Service start(InetSocketAddress bind, SandboxClients clients, HostResolver resolver, Consumer<NetworkRecord> records);
    }

    /**
     * How a gateway is built. {@code dns} and {@code proxy} start its DNS server and proxy (the
     * real ones by default; a test or an operator may put others in their place).
     */
    public record Config(HostResolver resolver, ServiceStarter dns, ServiceStarter proxy, TcpSink.Limits sinkLimits,
                         Path stateDir) {

        public Config {
            Objects.requireNonNull(resolver, "resolver");
            Objects.requireNonNull(dns, "dns");
            Objects.requireNonNull(proxy, "proxy");
            Objects.requireNonNull(sinkLimits, "sinkLimits");
            Objects.requireNonNull(stateDir, "stateDir");
        }

        public static Config defaults() {
            return new Config(HostResolver.system(), DnsServer::start, HttpProxy::start, TcpSink.Limits.DEFAULT,
                    GatewayNetwork.DEFAULT_STATE_DIR);
        }

        public Config withResolver(HostResolver r) {
            return new Config(r, dns, proxy, sinkLimits, stateDir);
        }
    }

    /** A sandbox this gateway linked: who it is and which phase's allowlist is in force. */
    private record Registration(String sandboxId, EgressRules egress, SandboxLink link, Attachment attachment,
                                Optional<String> modelToken) {
    }

    private final Consumer<NetworkRecord> records;
    private final GatewayNetwork network;
    private final Map<InetAddress, Registration> bySource = new ConcurrentHashMap<>();
    private final Map<String, Registration> bySandbox = new ConcurrentHashMap<>();
    /** Links made ahead for warm pools' blanks and not yet attached: removed when the gateway closes. */
    private final Set<Prepared> prepared = ConcurrentHashMap.newKeySet();
    /** Who last had each address: a connection accepted just before its sandbox detached is still attributed. */
    private final Map<InetAddress, String> lastOwner = new ConcurrentHashMap<>();
    /** Sandbox ids by the SHA-256 of their model-proxy token: a lookup by digest tells nothing of a token. */
    private final Map<String, String> byModelToken = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private volatile InetSocketAddress modelRoute;
    private TcpSink sink;
    private Service dns;
    private Service proxy;
    private ListenerPorts ports;
    private volatile boolean closed;

    private Gateway(GatewayNetwork network, Consumer<NetworkRecord> records) {
        this.network = network;
        this.records = records;
    }

    /**
     * Sets up the machine's dummy link and table (idempotently) and starts the sink, DNS server
     * and proxy on the gateway address.
     *
     * @throws AleException (environment) without root, the tools, or the listeners
     */
    public static Gateway start(Config config, Consumer<NetworkRecord> records) {
        Objects.requireNonNull(records, "records");
        GatewayNetwork network = GatewayNetwork.open(config.stateDir());
        Gateway gateway = new Gateway(network, records);
        try {
            InetSocketAddress any = new InetSocketAddress(GatewayNetwork.GATEWAY_ADDRESS, 0);
            gateway.sink = TcpSink.open(any, new ConntrackTable()::lookup, gateway::onSinkRecord, config.sinkLimits(),
                    gateway::onSinkOpened);
            gateway.dns = config.dns().start(any, gateway, config.resolver(), gateway::emit);
            gateway.proxy = config.proxy().start(any, gateway, config.resolver(), gateway::emit);
            gateway.ports = new ListenerPorts(gateway.proxy.address().getPort(), gateway.dns.address().getPort(),
                    gateway.sink.address().getPort());
            return gateway;
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
    }

    /**
     * Waits until every connection the sink has accepted from sandbox {@code sandboxId} has been
     * recorded, or {@code limit} passes: a command that ended may have left a connection whose
     * first bytes are still being read. Only the sandbox's own connections count (the rules let
     * through to the sink only packets from the sandbox's own address), so another sandbox's
     * flood does not hold its calls. Returns whether the sandbox is quiet; true for a sandbox this
     * gateway has not attached.
     */
    public boolean awaitQuiet(String sandboxId, java.time.Duration limit) {
        Objects.requireNonNull(limit, "limit");
        Registration r = bySandbox.get(Objects.requireNonNull(sandboxId, "sandboxId"));
        if (r == null) return true;
        InetAddress source = r.link().sandboxAddress();
        long deadline = System.nanoTime() + limit.toNanos();
        while (sink.inFlightFrom(source) > 0) {
            if (System.nanoTime() - deadline >= 0) return false;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Routes the model proxy here: from now on each sandbox attached whose passport allows the
     * proxy gets a token of its own and {@code OPENAI_BASE_URL}, and its origin-form requests to
     * the proxy listener go on to {@code address} (a loopback address: {@code ale serve}'s own).
     */
    public void routeModelTo(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.getAddress() == null || !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the model proxy must be on loopback, not " + address);
        }
        modelRoute = address;
    }

    @Override
    public Optional<InetSocketAddress> modelRoute() {
        return Optional.ofNullable(modelRoute);
    }

    /** The model-proxy token of a sandbox this gateway attached, if it has one. */
    public Optional<String> modelToken(String sandboxId) {
        return Optional.ofNullable(bySandbox.get(sandboxId)).flatMap(Registration::modelToken);
    }

    /** The sandbox whose model-proxy token {@code token} is, while it is attached. */
    public Optional<String> modelTokenHolder(String token) {
        Objects.requireNonNull(token, "token");
        return Optional.ofNullable(byModelToken.get(digest(token)));
    }

    private static String digest(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private Optional<String> issueModelToken(NetworkTarget target) {
        if (modelRoute == null || !target.passport().model().proxy()) return Optional.empty();
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String token = "ale-sbx-" + HexFormat.of().formatHex(bytes);
        byModelToken.put(digest(token), target.sandboxId());
        return Optional.of(token);
    }

    /** Links the sandbox's namespace, adds its rules and registers it as a client. */
    @Override
    public NetworkAttachment attach(NetworkTarget target) {
        if (closed) throw new AleException(Fault.ENVIRONMENT, "the gateway is closed");
        return register(target, network.link(target.netnsName(), ports));
    }

    /** A link and its rules made ahead for a warm pool's blank: traffic from it reaches the listeners as nobody's until attached. */
    @Override
    public Optional<PreparedLink> prepare(String netnsName) {
        if (closed) throw new AleException(Fault.ENVIRONMENT, "the gateway is closed");
        Prepared p = new Prepared(network.link(netnsName, ports));
        prepared.add(p);
        if (closed) p.close(); // close() ran meanwhile and did not see it
        return Optional.of(p);
    }

    @Override
    public NetworkAttachment attach(NetworkTarget target, Optional<PreparedLink> made) {
        if (closed) throw new AleException(Fault.ENVIRONMENT, "the gateway is closed");
        if (made.isPresent() && made.get() instanceof Prepared p && p.take()) {
            prepared.remove(p);
            if (p.link().netnsName().equals(target.netnsName())) return register(target, p.link());
            List<String> problems = network.unlink(p.link());
            if (!problems.isEmpty()) LOG.log(Level.WARNING, "an unused prepared link was not fully removed (gc removes it): " + problems);
        }
        made.ifPresent(PreparedLink::close);
        return attach(target);
    }

    private NetworkAttachment register(NetworkTarget target, SandboxLink link) {
        Attachment attachment = new Attachment(target.sandboxId(), target.phase());
        Registration registration = new Registration(target.sandboxId(), target.passport().egress(), link, attachment,
                issueModelToken(target));
        attachment.registration = registration;
        lastOwner.put(link.sandboxAddress(), target.sandboxId());
        // network.link made the host end fresh (it had received nothing) with the sandbox's drop counter reset: a first
        // call that finds it still at 0 received packets need not read nft, as every later call finding no new ones
        receivedAtLastCount.put(target.sandboxId(), 0L);
        bySource.put(link.sandboxAddress(), registration);
        bySandbox.put(target.sandboxId(), registration);
        return attachment;
    }

    @Override
    public List<String> collectGarbage() {
        return network.collectGarbage();
    }

    @Override
    public Optional<Client> bySource(InetAddress source) {
        Registration r = bySource.get(source);
        return r == null ? Optional.empty()
                : Optional.of(new Client(r.sandboxId(), r.egress(), r.attachment().phase(), r.modelToken()));
    }

    /** What the rules dropped from (or towards) a sandbox this gateway linked; empty for any other. */
    public Optional<Drops> drops(String sandboxId) {
        return Optional.ofNullable(bySandbox.get(sandboxId)).map(r -> network.drops(r.link()));
    }

    /**
     * Records what the sandbox's drop counter gained since the last call (a {@link DropRecord}),
     * if anything: the packets the sink, DNS server and proxy never saw. Call it when a tool
     * call ends.
     */
    public void reportDrops(String sandboxId) {
        Registration r = bySandbox.get(sandboxId);
        if (r == null) return;
        // Every drop is of a packet the host end received from the sandbox (the chains are entered by iifname), or of one
        // forwarded towards it from elsewhere (not the sandbox's act; counted at its next read). Nothing received since the
        // last count: nothing new can have been dropped, and the nft process (most of a short call's cost) is not run.
        OptionalLong received = network.receivedPackets(r.link());
        Long atLastCount = receivedAtLastCount.get(sandboxId);
        if (received.isPresent() && atLastCount != null && atLastCount == received.getAsLong()) return;
        received.ifPresent(n -> receivedAtLastCount.put(sandboxId, n)); // before the read, which then covers them all
        Drops now = network.drops(r.link());
        Drops before = reportedDrops.put(sandboxId, now);
        long packets = now.packets() - (before == null ? 0 : before.packets());
        long bytes = now.bytes() - (before == null ? 0 : before.bytes());
        if (packets > 0) emit(new DropRecord(sandboxId, java.time.Instant.now(), packets, bytes, now.packets()));
    }

    /** The link of a sandbox this gateway linked. */
    public Optional<SandboxLink> link(String sandboxId) {
        return Optional.ofNullable(bySandbox.get(sandboxId)).map(Registration::link);
    }

    /**
     * Detaches every sandbox this gateway attached, stops its listeners, and leaves the dummy
     * link and the table to {@link GatewayNetwork#close()}: they go when no other gateway in this
     * namespace is running and no sandbox's rules remain. Idempotent.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        List<String> problems = new ArrayList<>();
        for (Registration r : List.copyOf(bySandbox.values())) problems.addAll(r.attachment().detach());
        for (Prepared p : List.copyOf(prepared)) {
            try {
                p.close();
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        for (AutoCloseable service : new AutoCloseable[] {proxy, dns, sink}) {
            try {
                if (service != null) service.close();
            } catch (Exception e) {
                problems.add("closing " + service + ": " + e.getMessage());
            }
        }
        network.close();
        if (!problems.isEmpty()) LOG.log(Level.WARNING, "gateway closed with leftovers (gc removes them): " + problems);
    }

    /**
     * A connection to an internal or metadata address is a probe whatever it says: it is
     * recorded the moment it is accepted (protocol {@code unread}), so a silent scan is judged at
     * once rather than after the sink's wait for first bytes. The full record follows.
     */
    private void onSinkOpened(TcpSink.Opened opened) {
        if (!AddressRanges.classify(opened.destination().address()).isInternal()) return;
        String sandbox = lastOwner.getOrDefault(opened.client().getAddress(), UNATTRIBUTED);
        emit(new ConnectionRecord(sandbox, opened.time(), opened.destination().address().getHostAddress(),
                opened.destination().port(), ConnectionRecord.UNREAD, Optional.empty(), "first bytes not read yet", ""));
    }

    private final Map<String, Drops> reportedDrops = new java.util.concurrent.ConcurrentHashMap<>();
    /** Packets the host end of each sandbox's link had received when its drops were last read. */
    private final Map<String, Long> receivedAtLastCount = new java.util.concurrent.ConcurrentHashMap<>();

    private void onSinkRecord(SinkRecord record) {
        InetAddress source = record.client().getAddress();
        String sandbox = lastOwner.getOrDefault(source, UNATTRIBUTED);
        emit(ConnectionRecords.of(record, sandbox));
    }

    private void emit(NetworkRecord record) {
        try {
            records.accept(record);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the gateway's record consumer failed on " + record + ": " + e, e);
        }
    }

    /** A link made ahead; taken once by an attachment, or removed when closed untaken. */
    private final class Prepared implements PreparedLink {

        private final SandboxLink link;
        private boolean done;

        Prepared(SandboxLink link) {
            this.link = link;
        }

        SandboxLink link() {
            return link;
        }

        /** True the first time: the caller now owns the link. */
        synchronized boolean take() {
            if (done) return false;
            done = true;
            return true;
        }

        @Override
        public void close() {
            if (!take()) return;
            prepared.remove(this);
            List<String> problems = network.unlink(link);
            if (!problems.isEmpty()) {
                throw new AleException(Fault.ENVIRONMENT, "a prepared link of " + link.netnsName() + " was not fully removed: "
                        + String.join("; ", problems) + " (ale sandbox gc retries)");
            }
        }
    }

    /** One sandbox's attachment; closing it removes its rules, link and slot. */
    private final class Attachment implements NetworkAttachment {

        private final String sandboxId;
        private volatile Phase phase;
        private volatile Registration registration;
        private boolean detached;

        Attachment(String sandboxId, Phase phase) {
            this.sandboxId = sandboxId;
            this.phase = phase;
        }

        /**
         * The proxy for HTTP(S); with a model-proxy token, also {@code OPENAI_BASE_URL} (and the
         * older {@code OPENAI_API_BASE}) and {@code OPENAI_API_KEY}, which any OpenAI-compatible
         * agent program reads. The gateway's address is exempt from the proxy: a client that
         * honours {@code HTTP_PROXY} still sends the model proxy its requests directly.
         */
        @Override
        public Map<String, String> environment() {
            String noProxy = "localhost,127.0.0.1,::1," + GatewayNetwork.GATEWAY_ADDRESS.getHostAddress();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("HTTP_PROXY", PROXY_URL);
            env.put("HTTPS_PROXY", PROXY_URL);
            env.put("http_proxy", PROXY_URL);
            env.put("https_proxy", PROXY_URL);
            env.put("NO_PROXY", noProxy);
            env.put("no_proxy", noProxy);
            registration.modelToken().ifPresent(token -> {
                env.put("OPENAI_BASE_URL", MODEL_BASE_URL);
                env.put("OPENAI_API_BASE", MODEL_BASE_URL);
                env.put("OPENAI_API_KEY", token);
            });
            return Map.copyOf(env);
        }

        @Override
        public Optional<String> resolvConf() {
            return Optional.of(RESOLV_CONF);
        }

        @Override
        public Phase phase() {
            return phase;
        }

        @Override
        public void enterPhase(Phase next) {
            phase = Objects.requireNonNull(next, "phase");
        }

        @Override
        public void close() {
            List<String> problems = detach();
            if (!problems.isEmpty()) {
                throw new AleException(Fault.ENVIRONMENT, "sandbox " + sandboxId + ": its network was not fully removed: "
                        + String.join("; ", problems) + " (ale sandbox gc retries)");
            }
        }

        synchronized List<String> detach() {
            if (detached) return List.of();
            detached = true;
            Registration r = registration;
            // rules first: once they are gone nothing new from this address reaches the listeners
            List<String> problems = network.unlink(r.link());
            bySource.remove(r.link().sandboxAddress(), r);
            bySandbox.remove(sandboxId, r);
            reportedDrops.remove(sandboxId);
            receivedAtLastCount.remove(sandboxId);
            r.modelToken().ifPresent(token -> byModelToken.remove(digest(token), sandboxId));
            return problems;
        }
    }
}
