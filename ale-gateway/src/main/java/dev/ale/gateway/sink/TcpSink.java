package dev.ale.gateway.sink;

import dev.ale.core.AleException;

import java.io.Closeable;
import dev.ale.gateway.Listening;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where a sandbox's redirected TCP connections end. For each one it looks up the original
 * destination, gathers the client's first bytes as {@link Limits} says, classifies them
 * ({@link FirstBytes}), closes the connection and hands a {@link SinkRecord} to its consumer; a
 * connection past its limits is closed at once and recorded as skipped. It never writes a byte to
 * a client and never forwards anything.
 */
public final class TcpSink implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpSink.class.getName());

    /** How often at most the bytes gathered so far are classified while more keep coming. */
    private static final long RECLASSIFY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** Pause after a failed accept (out of file descriptors, say) so the loop does not spin. */
    private static final long ACCEPT_RETRY_MILLIS = 50;

    /**
     * How long the sink listens to a connection, and how many it holds. It reads until the first
     * bytes are settled ({@link FirstBytes.Reading#complete()}) and hostile, or settled and then
     * quiet for {@code linger} (something may follow an HTTP-looking preamble), or the window of
     * {@link FirstBytes#MAX_BYTES} is full, or {@code firstBytesDeadline} passes: long enough for
     * a banner sent after a few seconds of silence. Connections over {@code maxConnections} in all,
     * or over {@code maxPerSource} from one address (so one sandbox's flood cannot blind the sink
     * to another's), are closed as soon as they are accepted, and recorded as
     * {@link Classification.Skipped}: never silently.
     */
    public record Limits(Duration firstBytesDeadline, Duration linger, int maxConnections, int maxPerSource) {

        /** 8 s of listening, 300 ms of linger, 4096 connections held, 1024 from one source. */
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(8), Duration.ofMillis(300), 4096, 1024);

        public Limits {
            if (firstBytesDeadline.isNegative() || firstBytesDeadline.isZero()) {
                throw new IllegalArgumentException("firstBytesDeadline " + firstBytesDeadline + " must be positive");
            }
            if (linger.isNegative() || linger.compareTo(firstBytesDeadline) > 0) {
                throw new IllegalArgumentException("linger " + linger + " must be between 0 and firstBytesDeadline " + firstBytesDeadline);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections " + maxConnections + " must be at least 1");
            }
            if (maxPerSource < 1 || maxPerSource > maxConnections) {
                throw new IllegalArgumentException("maxPerSource " + maxPerSource + " must be between 1 and maxConnections " + maxConnections);
            }
        }

        /** A deadline and a limit on connections, with a linger of at most 300 ms and no limit per source below the total. */
        public Limits(Duration firstBytesDeadline, int maxConnections) {
            this(firstBytesDeadline, firstBytesDeadline.compareTo(Duration.ofMillis(300)) < 0 ? firstBytesDeadline : Duration.ofMillis(300),
                    maxConnections, maxConnections);
        }
    }

    private final ServerSocket server;
    private final Function<InetSocketAddress, Optional<OriginalDestination>> destinations;
    private final Consumer<SinkRecord> records;
    private final Consumer<Opened> opened;
    private final Limits limits;
    private final Semaphore slots;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService handlers;
    private final Thread acceptor;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder lookupFailures = new LongAdder();
    private final Map<Class<? extends Classification>, LongAdder> classified = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> perSource = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private TcpSink(ServerSocket server,
                    Function<InetSocketAddress, Optional<OriginalDestination>> destinations,
                    Consumer<SinkRecord> records,
                    Limits limits,
                    Consumer<Opened> opened) {
        this.server = server;
        this.destinations = destinations;
        this.records = records;
        this.opened = opened;
        this.limits = limits;
        this.slots = new Semaphore(limits.maxConnections());
        int port = server.getLocalPort();
        this.handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tcp-sink-" + port + "-", 0).factory());
        this.acceptor = Thread.ofVirtual().name("tcp-sink-" + port + "-accept").start(this::acceptLoop);
    }

    /** Opens a sink with {@link Limits#DEFAULT}. */
    public static TcpSink open(InetSocketAddress listenOn,
                               Function<InetSocketAddress, Optional<OriginalDestination>> destinations,
                               Consumer<SinkRecord> records) {
        return open(listenOn, destinations, records, Limits.DEFAULT);
    }

    /**
     * Listens on {@code listenOn} (port 0 picks one; see {@link #address()}). {@code destinations}
     * maps a client, as the sink sees it, to where it was going: {@code ConntrackTable::lookup}.
     * {@code records} is called once per connection (not dropped ones), from many threads at once.
     *
     * @throws AleException (environment) when the address cannot be bound
     */
    public static TcpSink open(InetSocketAddress listenOn,
                               Function<InetSocketAddress, Optional<OriginalDestination>> destinations,
                               Consumer<SinkRecord> records,
                               Limits limits) {
        return open(listenOn, destinations, records, limits, o -> { });
    }

    /**
     * A connection's destination, known as soon as it is accepted: before its first bytes, which
     * a scanner or a silent reverse shell never sends and the sink waits for up to
     * {@link Limits#firstBytesDeadline()}. Lets a caller judge by destination at once.
     */
    public record Opened(Instant time, InetSocketAddress client, OriginalDestination destination) {
    }

    /** As {@link #open(InetSocketAddress, Function, Consumer, Limits)}, and tells {@code opened} of each destination found. */
    public static TcpSink open(InetSocketAddress listenOn,
                               Function<InetSocketAddress, Optional<OriginalDestination>> destinations,
                               Consumer<SinkRecord> records,
                               Limits limits,
                               Consumer<Opened> opened) {
        Objects.requireNonNull(opened, "opened");
        Objects.requireNonNull(destinations, "destinations");
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(limits, "limits");
        // A scan arrives as a burst of SYNs; let the kernel queue them while handlers start.
        ServerSocket server = Listening.tcp(listenOn, Math.max(128, limits.maxConnections()), "the TCP sink");
        return new TcpSink(server, destinations, records, limits, opened);
    }

    /** The address the sink listens on, with the port the system picked when asked for 0. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Connections accepted whose record has not been handed on yet. */
    public int inFlight() {
        return limits.maxConnections() - slots.availablePermits();
    }

    /** Connections from {@code source} accepted whose record has not been handed on yet. */
    public int inFlightFrom(InetAddress source) {
        return perSource.getOrDefault(Objects.requireNonNull(source, "source"), 0);
    }

    public SinkCounters counters() {
        return new SinkCounters(accepted.sum(), dropped.sum(), lookupFailures.sum(),
                classified.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum())));
    }

    /**
     * Stops listening and ends every open connection at once (each is still recorded, with what
     * it had sent). When this returns, the consumer will not be called again.
     */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        open.forEach(TcpSink::closeQuietly);
        boolean interrupted = false;
        while (acceptor.isAlive()) {
            try {
                acceptor.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        handlers.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.log(Level.WARNING, "TCP sink on " + address() + " failed to accept a connection: " + e);
                pauseAfterFailedAccept();
                continue;
            }
            Instant time = Instant.now();
            accepted.increment();
            InetAddress source = socket.getInetAddress();
            if (!slots.tryAcquire()) {
                skip(socket, time, "the sink held its limit of " + limits.maxConnections() + " connections");
                continue;
            }
            if (!enter(source)) {
                slots.release();
                skip(socket, time, "the sink held its limit of " + limits.maxPerSource() + " connections from one source");
                continue;
            }
            try {
                handlers.execute(() -> handle(socket, time));
            } catch (RejectedExecutionException closing) {
                leave(source);
                slots.release();
                closeQuietly(socket);
            }
        }
    }

    private void handle(Socket socket, Instant time) {
        InetAddress source = socket.getInetAddress();
        try {
            SinkRecord record = take(socket, time);
            classified.computeIfAbsent(record.classification().getClass(), kind -> new LongAdder()).increment();
            emit(record);
        } finally {
            leave(source);
            slots.release();
        }
    }

    /**
     * Over a limit: closed unread at once (fail closed), and recorded as skipped so the flood that
     * filled the sink cannot pass anything off as plain denied egress. No destination lookup: under
     * a flood the conntrack table is at its largest, and the acceptor must keep up.
     */
    private void skip(Socket socket, Instant time, String reason) {
        dropped.increment();
        InetSocketAddress client = (InetSocketAddress) socket.getRemoteSocketAddress();
        closeQuietly(socket);
        if (client == null) return;
        classified.computeIfAbsent(Classification.Skipped.class, kind -> new LongAdder()).increment();
        emit(new SinkRecord(time, client, Optional.empty(), new Classification.Skipped(reason + "; closed unread"), 0, ""));
    }

    /** Counts a connection from {@code source} in; false (and not counted) when it has its fill. */
    private boolean enter(InetAddress source) {
        boolean[] entered = {false};
        perSource.compute(source, (s, count) -> {
            int now = count == null ? 0 : count;
            if (now >= limits.maxPerSource()) return count;
            entered[0] = true;
            return now + 1;
        });
        return entered[0];
    }

    private void leave(InetAddress source) {
        perSource.computeIfPresent(source, (s, count) -> count <= 1 ? null : count - 1);
    }

    /** Looks up, reads and classifies one connection, and closes it. */
    private SinkRecord take(Socket socket, Instant time) {
        open.add(socket);
        try {
            if (closed) {
                closeQuietly(socket); // close() may have swept the open set before this one joined it
            }
            InetSocketAddress client = (InetSocketAddress) socket.getRemoteSocketAddress();
            // Look up first: the conntrack entry is surest while the connection is still open.
            Optional<OriginalDestination> destination = originalDestination(client);
            destination.ifPresent(d -> tellOpened(new Opened(time, client, d)));
            Gathered first = gather(socket);
            return new SinkRecord(time, client, destination, FirstBytes.classify(first.bytes(), first.length()), first.length(),
                    FirstBytes.escaped(first.bytes(), first.length()));
        } finally {
            open.remove(socket);
            closeQuietly(socket);
        }
    }

    private Optional<OriginalDestination> originalDestination(InetSocketAddress client) {
        try {
            return Objects.requireNonNullElse(destinations.apply(client), Optional.empty());
        } catch (RuntimeException e) {
            lookupFailures.increment();
            // Once at WARNING: a broken lookup fails for every connection, and a scan is thousands.
            LOG.log(lookupFailures.sum() == 1 ? Level.WARNING : Level.DEBUG,
                    "TCP sink could not find the original destination of " + client + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The bytes a connection sent, {@code bytes[0, length)}. */
    private record Gathered(byte[] bytes, int length) {
    }

    /**
     * Reads as {@link Limits} says: until the reading is settled and hostile, or settled and
     * quiet for the linger, or the window is full, the client stops sending, or the deadline
     * passes; a reset or a close by {@link #close()} ends it with what arrived. Fragments are
     * gathered however slowly they come, within the deadline. The classifier is run on the
     * bytes so far at most every {@link #RECLASSIFY_NANOS} (or when they have doubled), so a
     * client dribbling one byte at a time costs a bounded number of readings.
     */
    private Gathered gather(Socket socket) {
        long now = System.nanoTime();
        long deadline = now + limits.firstBytesDeadline().toNanos();
        byte[] buffer = new byte[2048];
        int length = 0;
        int classifiedAt = 0;
        long classifiedWhen = now - RECLASSIFY_NANOS;
        long lingerUntil = 0; // 0: not settled, keep listening until the deadline
        try {
            InputStream in = socket.getInputStream();
            while (length < FirstBytes.MAX_BYTES) {
                now = System.nanoTime();
                boolean pending = length > classifiedAt;
                if (pending && (now - classifiedWhen >= RECLASSIFY_NANOS || length >= 2 * classifiedAt)) {
                    FirstBytes.Reading reading = FirstBytes.read(buffer, length);
                    classifiedAt = length;
                    classifiedWhen = now;
                    pending = false;
                    if (reading.complete() && reading.classification().hostile()) break;
                    lingerUntil = reading.complete() ? now + limits.linger().toNanos() : 0;
                }
                long until = lingerUntil != 0 ? Math.min(deadline, lingerUntil) : deadline;
                if (pending) until = Math.min(until, classifiedWhen + RECLASSIFY_NANOS); // come back to classify
                long leftMillis = TimeUnit.NANOSECONDS.toMillis(until - now + 999_999);
                if (leftMillis <= 0) {
                    if (pending && now < deadline) continue;
                    break;
                }
                if (length == buffer.length) buffer = Arrays.copyOf(buffer, Math.min(FirstBytes.MAX_BYTES, buffer.length * 2));
                socket.setSoTimeout((int) Math.min(leftMillis, Integer.MAX_VALUE));
                int read;
                try {
                    read = in.read(buffer, length, buffer.length - length);
                } catch (SocketTimeoutException quiet) {
                    if (pending && System.nanoTime() < deadline) continue; // classify what came, then go on listening
                    break;
                }
                if (read < 0) break;
                length += read;
            }
        } catch (IOException endedByClientOrClose) {
            // Reset by the client, or closed by close(); classify what it sent.
        }
        return new Gathered(buffer, length);
    }

    private void tellOpened(Opened o) {
        try {
            opened.accept(o);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "TCP sink's opened listener failed on " + o + ": " + e, e);
        }
    }

    private void emit(SinkRecord record) {
        try {
            records.accept(record);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "TCP sink's record consumer failed on " + record + ": " + e, e);
        }
    }

    private void pauseAfterFailedAccept() {
        try {
            Thread.sleep(ACCEPT_RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException ignored) {
            // Closing a socket that is already gone; nothing to do.
        }
    }
}
