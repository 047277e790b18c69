package dev.ale.gateway.dns;

import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import dev.ale.core.net.AddressRanges;
import dev.ale.core.net.AddressSpellings;
import dev.ale.core.net.DatagramRecord;
import dev.ale.core.net.DnsRecord;
import dev.ale.core.net.NetworkRecord;
import dev.ale.gateway.Gateway;
import dev.ale.gateway.HostResolver;
import dev.ale.gateway.SandboxClients;
import dev.ale.gateway.SandboxClients.Client;
import dev.ale.gateway.sink.ConntrackTable;
import dev.ale.gateway.sink.FirstBytes;
import dev.ale.gateway.sink.OriginalDestination;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The sandbox's DNS server over UDP. It answers only A and AAAA questions for names the client's
 * current phase allowlists, with the public addresses the host resolves them to; it never forwards
 * a query, so a sandbox cannot tunnel data through recursion to a name it is not allowed.
 *
 * <p>What each question gets, and how it is recorded ({@link DnsRecord#answered()} is true only
 * when the name was allowlisted, resolved and not internal):
 * <ul>
 * <li>client not a known sandbox source: REFUSED, nothing recorded (no sandbox to attribute it to);
 * <li>name not allowlisted (or not a plain host name, or class not IN): NXDOMAIN, not answered;
 * <li>allowlisted A/AAAA: NOERROR with that family's addresses, TTL {@link Limits#ttl()}; an empty
 *     answer (NODATA) when the name has addresses only of the other family; answered;
 * <li>allowlisted A/AAAA whose host resolution is empty, fails, or gives only internal addresses
 *     (DNS rebinding) and the name is not pinned: NXDOMAIN, not answered; internal addresses are
 *     dropped from a mixed answer;
 * <li>allowlisted name, other type (TXT, MX, HTTPS, ANY…): NOERROR with no records (NODATA), so
 *     clients go on to ask for addresses; answered (the name is allowed: modern resolvers ask
 *     HTTPS records of every name, and that is no egress attempt);
 * <li>from a sandbox, a datagram that is no question (over 512 bytes, shorter than a header, a
 *     response, another opcode, not one well-formed question): dropped or FORMERR/NOTIMP, and
 *     recorded as a {@link DatagramRecord} with where it was sent: data sent where DNS goes, the
 *     shape of a DNS tunnel's raw mode;
 * <li>from anyone else, such a datagram: dropped, not recorded.
 * </ul>
 * A wildcard rule ({@code *.example.com}) lets the host resolve any name under it: such lookups
 * reach the host's resolver by name, and are all recorded for the monitor to judge.
 */
public final class DnsServer implements Gateway.Service {

    private static final System.Logger LOG = System.getLogger(DnsServer.class.getName());
    private static final long LOOKUP_SPACING_NANOS = 10_000_000;

    /**
     * How long answers may be cached by the sandbox, and how many host resolutions run at once;
     * questions over that get SERVFAIL rather than wait.
     */
    public record Limits(Duration ttl, int maxResolutions) {

        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(30), 256);

        public Limits {
            if (ttl.isNegative() || ttl.toSeconds() > Integer.MAX_VALUE) throw new IllegalArgumentException("ttl " + ttl);
            if (maxResolutions < 1) throw new IllegalArgumentException("maxResolutions " + maxResolutions + " must be at least 1");
        }
    }

    private final DatagramChannel channel;
    private final SandboxClients clients;
    private final HostResolver resolver;
    private final Consumer<NetworkRecord> records;
    private final Limits limits;
    private final Semaphore resolutions;
    private final ExecutorService resolvers;
    private final Thread receiver;
    private final InetSocketAddress address;
    private final Function<InetSocketAddress, Optional<OriginalDestination>> destinations;
    /** System.nanoTime() before which no other destination lookup is made: a flood of raw datagrams must not read conntrack for each. */
    private final AtomicLong nextLookup = new AtomicLong(System.nanoTime());
    private volatile boolean closed;

    private DnsServer(DatagramChannel channel, SandboxClients clients, HostResolver resolver,
                      Consumer<NetworkRecord> records, Limits limits,
                      Function<InetSocketAddress, Optional<OriginalDestination>> destinations) throws IOException {
        this.channel = channel;
        this.destinations = destinations;
        this.clients = clients;
        this.resolver = resolver;
        this.records = records;
        this.limits = limits;
        this.resolutions = new Semaphore(limits.maxResolutions());
        this.address = (InetSocketAddress) channel.getLocalAddress();
        int port = address.getPort();
        this.resolvers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dns-" + port + "-", 0).factory());
        this.receiver = Thread.ofPlatform().daemon().name("dns-" + port + "-receive").start(this::receiveLoop);
    }

    /** Binds {@code bind} (port 0: any free port) and answers from a thread of its own. */
    public static DnsServer start(InetSocketAddress bind, SandboxClients clients, HostResolver resolver,
                                  Consumer<NetworkRecord> records) {
        return start(bind, clients, resolver, records, Limits.DEFAULT);
    }

    /**
     * As {@link #start(InetSocketAddress, SandboxClients, HostResolver, Consumer)}, with limits.
     * {@code records} is called once per question, from several threads at once.
     *
     * @throws AleException (environment) when the address cannot be bound
     */
    public static DnsServer start(InetSocketAddress bind, SandboxClients clients, HostResolver resolver,
                                  Consumer<NetworkRecord> records, Limits limits) {
        return start(bind, clients, resolver, records, limits, new ConntrackTable()::lookupUdp);
    }

    /**
     * As {@link #start(InetSocketAddress, SandboxClients, HostResolver, Consumer, Limits)};
     * {@code destinations} finds where a datagram was sent before it was redirected here
     * ({@code ConntrackTable::lookupUdp}), for the record of one that is no question.
     */
    public static DnsServer start(InetSocketAddress bind, SandboxClients clients, HostResolver resolver,
                                  Consumer<NetworkRecord> records, Limits limits,
                                  Function<InetSocketAddress, Optional<OriginalDestination>> destinations) {
        Objects.requireNonNull(destinations, "destinations");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(limits, "limits");
        DatagramChannel channel = null;
        try {
            channel = bind.getAddress() instanceof java.net.Inet6Address
                    ? DatagramChannel.open(StandardProtocolFamily.INET6)
                    : DatagramChannel.open(StandardProtocolFamily.INET);
            channel.bind(bind);
            return new DnsServer(channel, clients, resolver, records, limits, destinations);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw new AleException(Fault.ENVIRONMENT, "the DNS server cannot listen on " + bind + " (" + e.getMessage()
                    + "): is another gateway using that address, or is it not an address of this host?", e);
        }
    }

    /** The address the server listens on, with the port the system picked when asked for 0. */
    public InetSocketAddress address() {
        return address;
    }

    /** Stops answering; when this returns, the record consumer will not be called again. */
    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        boolean interrupted = false;
        while (receiver.isAlive()) {
            try {
                receiver.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        resolvers.close();
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void receiveLoop() {
        // Room for any datagram, so an oversized one shows itself, and is recorded at its size.
        ByteBuffer packet = ByteBuffer.allocate(65_536);
        while (!closed) {
            SocketAddress from;
            try {
                packet.clear();
                from = channel.receive(packet);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                LOG.log(Level.DEBUG, "DNS server on " + address + " failed to receive: " + e);
                continue;
            }
            packet.flip();
            try {
                if (from instanceof InetSocketAddress source) {
                    if (packet.remaining() <= DnsQuery.MAX_UDP) {
                        handle(packet, source);
                    } else {
                        raw(packet, source, "over " + DnsQuery.MAX_UDP + " bytes");
                    }
                }
            } catch (RuntimeException e) {
                // A bug must cost one question, never the server.
                LOG.log(Level.WARNING, "DNS server on " + address + " failed on a packet from " + from + ": " + e, e);
            }
        }
    }

    private void handle(ByteBuffer packet, InetSocketAddress source) {
        Instant time = Instant.now();
        Optional<DnsQuery.Header> header = DnsQuery.header(packet);
        if (header.isEmpty() || !header.get().isQuery()) {
            // nothing to answer, or a reflected answer; from a sandbox, data sent where DNS goes
            raw(packet, source, header.isEmpty() ? "not a DNS message" : "a response, not a question");
            return;
        }
        Optional<Client> client = clients.bySource(source.getAddress());
        if (client.isEmpty()) {
            send(DnsQuery.bareReply(header.get(), DnsQuery.REFUSED), source);
            return;
        }
        if (header.get().opcode() != 0) {
            raw(packet, source, "not a standard query (opcode " + header.get().opcode() + ")");
            send(DnsQuery.bareReply(header.get(), DnsQuery.NOTIMP), source);
            return;
        }
        Optional<DnsQuery> parsed = DnsQuery.parse(packet);
        if (parsed.isEmpty()) {
            raw(packet, source, "malformed question");
            send(DnsQuery.bareReply(header.get(), 1 /* FORMERR */), source);
            return;
        }
        DnsQuery query = parsed.get();
        Client sandbox = client.get();
        // an address in any spelling (2852039166, 0x7f.1) is never a name to resolve, whatever matches it
        boolean allowlisted = query.qclass() == DnsQuery.CLASS_IN && query.plainName()
                && AddressSpellings.parse(query.name()).isEmpty() && sandbox.allowsName(query.name());
        if (!allowlisted) {
            reply(query, DnsQuery.NXDOMAIN, List.of(), false, sandbox, time, source);
        } else if (query.type() != DnsQuery.TYPE_A && query.type() != DnsQuery.TYPE_AAAA) {
            reply(query, DnsQuery.NOERROR, List.of(), true, sandbox, time, source);
        } else if (!resolutions.tryAcquire()) {
            reply(query, DnsQuery.SERVFAIL, List.of(), false, sandbox, time, source);
        } else {
            try {
                resolvers.execute(() -> {
                    try {
                        answerAddresses(query, sandbox, time, source);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "DNS server failed to answer " + query.name() + ": " + e, e);
                    } finally {
                        resolutions.release();
                    }
                });
            } catch (RejectedExecutionException closing) {
                resolutions.release();
            }
        }
    }

    /**
     * Records a datagram from a sandbox that was no question, with where it was sent. Its
     * destination is looked up at most every {@link #LOOKUP_SPACING_NANOS}; under a flood the
     * rest are recorded without one.
     */
    private void raw(ByteBuffer packet, InetSocketAddress source, String reason) {
        Optional<Client> client = clients.bySource(source.getAddress());
        if (client.isEmpty()) return;
        byte[] bytes = new byte[packet.remaining()];
        packet.duplicate().get(bytes);
        Optional<OriginalDestination> destination = Optional.empty();
        long now = System.nanoTime();
        long allowed = nextLookup.get();
        if (now - allowed >= 0 && nextLookup.compareAndSet(allowed, now + LOOKUP_SPACING_NANOS)) {
            try {
                destination = Objects.requireNonNullElse(destinations.apply(source), Optional.empty());
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "DNS server could not find where a datagram from " + source + " was going: " + e.getMessage());
            }
        }
        emit(new DatagramRecord(client.get().sandboxId(), Instant.now(),
                destination.map(d -> d.address().getHostAddress()).orElse(""), destination.map(OriginalDestination::port).orElse(0),
                bytes.length, FirstBytes.escaped(bytes, bytes.length), reason));
    }

    private void answerAddresses(DnsQuery query, Client sandbox, Instant time, InetSocketAddress source) {
        List<InetAddress> resolved;
        try {
            resolved = List.copyOf(resolver.resolve(query.name()));
        } catch (UnknownHostException e) {
            resolved = List.of();
        }
        boolean pinned = resolver.isPinned(query.name());
        // A public name that resolves to an inner address is DNS rebinding: the sandbox must not learn it.
        List<InetAddress> acceptable = resolved.stream().filter(a -> {
            AddressRanges.Kind kind = AddressRanges.classify(a);
            return kind != AddressRanges.Kind.ALE_LINK && (pinned || kind.isPublic());
        }).toList();
        if (acceptable.isEmpty()) {
            reply(query, DnsQuery.NXDOMAIN, List.of(), false, sandbox, time, source);
            return;
        }
        List<InetAddress> ofFamily = acceptable.stream().filter(a -> DnsQuery.ofFamily(a, query.type())).toList();
        reply(query, DnsQuery.NOERROR, ofFamily, true, sandbox, time, source);
    }

    private void reply(DnsQuery query, int rcode, List<InetAddress> answers, boolean answered, Client sandbox,
                       Instant time, InetSocketAddress source) {
        ByteBuffer reply = query.reply(rcode, answers, (int) limits.ttl().toSeconds());
        int given = reply.getShort(6) & 0xffff; // ANCOUNT: how many fitted in 512 bytes
        List<String> texts = answers.subList(0, given).stream().map(InetAddress::getHostAddress).toList();
        // Recorded before it is sent: whoever acts on the answer finds the record already there.
        emit(new DnsRecord(sandbox.sandboxId(), time, query.name(), query.typeText(), answered, texts));
        send(reply, source);
    }

    private void send(ByteBuffer reply, InetSocketAddress to) {
        try {
            channel.send(reply, to);
        } catch (IOException e) {
            if (!closed) LOG.log(Level.DEBUG, "DNS server could not reply to " + to + ": " + e);
        }
    }

    private void emit(NetworkRecord record) {
        try {
            records.accept(record);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "DNS server's record consumer failed on " + record + ": " + e, e);
        }
    }
}
