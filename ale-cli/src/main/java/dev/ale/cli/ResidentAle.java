package dev.ale.cli;

import dev.ale.cli.resident.Wire;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * A resident ALE: one guarded backend (gateway, monitor, kill switch, audit log, warm pool) serving
 * {@code ale sandbox run} to thin clients of its own user on a unix socket in the data directory.
 * Each connection is one run, on a thread of its own; the client's leaving kills its sandbox.
 */
final class ResidentAle implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ResidentAle.class.getName());

    private final Path socket;
    private final ServerSocketChannel server;
    private final GuardedBackend containment;
    private final List<Path> hidden;
    private final UserPrincipal owner;
    private final Clock clock;
    private final Instant since;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private volatile Instant lastActive;
    private volatile boolean stopping;

    private ResidentAle(Path socket, ServerSocketChannel server, GuardedBackend containment, List<Path> hidden, UserPrincipal owner,
                        Clock clock) {
        this.socket = socket;
        this.server = server;
        this.containment = containment;
        this.hidden = hidden;
        this.owner = owner;
        this.clock = clock;
        this.since = clock.instant();
        this.lastActive = since;
    }

    /**
     * Listens on the socket of {@code dataDir} ({@code run/ale.sock}, in a directory of mode 0700, the socket 0600).
     * A socket some other resident ALE answers on is an input error; one nobody answers on is a dead one's, and replaced.
     */
    static ResidentAle open(Path dataDir, GuardedBackend containment, List<Path> hidden) {
        Path socket = Wire.socketOf(dataDir.toAbsolutePath().normalize());
        Path dir = socket.getParent();
        try {
            Files.createDirectories(dir);
            if (Files.isSymbolicLink(dir)) throw new AleException(Fault.ENVIRONMENT, dir + " is a symbolic link; remove it");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                if (answers(socket)) {
                    throw new AleException(Fault.INPUT, "a resident ALE already answers at " + socket + " (ale daemon status; ale daemon stop)");
                }
                Files.delete(socket); // left by one that died (SIGKILL): nothing listens on it
            }
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(socket));
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
            return new ResidentAle(socket, server, containment, List.copyOf(hidden), owner, Clock.systemUTC());
        } catch (IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "cannot listen on " + socket + ": " + e.getMessage(), e);
        }
    }

    private static boolean answers(Path socket) {
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    Path socket() {
        return socket;
    }

    /** Serves connections until {@link #close} or, with {@code idleExit}, until that long passed with no run going. */
    void serve(Optional<Duration> idleExit) {
        idleExit.ifPresent(idle -> Thread.ofPlatform().daemon().name("ale-daemon-idle").start(() -> exitWhenIdle(idle)));
        while (!stopping) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!stopping) LOG.log(System.Logger.Level.ERROR, "accept on " + socket + " failed; the resident ALE stops", e);
                return;
            }
            lastActive = clock.instant();
            Thread.ofPlatform().daemon().name("ale-daemon-client").start(() -> {
                try (client) {
                    serve(client);
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "a client of " + socket + " failed: " + e.getMessage(), e);
                } finally {
                    lastActive = clock.instant();
                }
            });
        }
    }

    private void exitWhenIdle(Duration idle) {
        while (!stopping) {
            try {
                Thread.sleep(Math.min(1000, Math.max(10, idle.toMillis() / 4)));
            } catch (InterruptedException e) {
                return;
            }
            if (running.get() == 0 && Duration.between(lastActive, clock.instant()).compareTo(idle) >= 0) {
                LOG.log(System.Logger.Level.INFO, "idle for " + idle + ": the resident ALE stops");
                close();
            }
        }
    }

    private void serve(SocketChannel client) throws IOException {
        Frames frames = new Frames(client);
        Optional<String> refusal = refusal(client.getOption(ExtendedSocketOptions.SO_PEERCRED), owner, socket);
        if (refusal.isPresent()) {
            frames.send(Wire.STDERR, (refusal.get() + "\n").getBytes(StandardCharsets.UTF_8));
            frames.exit(Failures.ENVIRONMENT);
            return;
        }
        DataInputStream in = new DataInputStream(Channels.newInputStream(client));
        byte kind = Wire.readKind(in);
        switch (kind) {
            case Wire.STATUS -> {
                frames.send(Wire.TEXT, status().getBytes(StandardCharsets.UTF_8));
                frames.exit(Failures.OK);
            }
            case Wire.STOP -> {
                frames.send(Wire.TEXT, ("stopping the resident ALE (pid " + ProcessHandle.current().pid() + ") at " + socket)
                        .getBytes(StandardCharsets.UTF_8));
                frames.exit(Failures.OK);
                close();
            }
            case Wire.RUN -> run(client, in, frames);
            default -> throw new IOException("unknown request kind " + kind);
        }
    }

    /** Why a peer may not use this resident ALE: any user but its own (root's daemon must not run commands for others). */
    static Optional<String> refusal(UnixDomainPrincipal peer, UserPrincipal owner, Path socket) {
        if (peer.user().equals(owner)) return Optional.empty();
        return Optional.of("ale: the resident ALE at " + socket + " serves only its own user (" + owner.getName() + "), not "
                + peer.user().getName() + "; run as " + owner.getName() + ", or pass --no-daemon");
    }

    private String status() {
        return "resident ALE pid " + ProcessHandle.current().pid() + " at " + socket + ", up since " + since + ", " + served.get()
                + " runs served, " + running.get() + " running";
    }

    private void run(SocketChannel client, DataInputStream in, Frames frames) throws IOException {
        String workdir = Wire.readString(in);
        Optional<String> repo = Optional.empty();
        for (String entry : Wire.readStrings(in)) {
            if (entry.startsWith("ALE_REPO=") && entry.length() > "ALE_REPO=".length()) repo = Optional.of(entry.substring("ALE_REPO=".length()));
        }
        String[] args = Wire.readStrings(in);
        int stdinLength = in.readInt();
        byte[] stdin = stdinLength < 0 ? new byte[0] : readStdin(in, stdinLength);

        // in-process, a run hides the checkout it is started from; this backend hides what the daemon was started from
        List<Path> needed = LocalSandboxBackend.Config.hiddenByDefault(repo, workdir);
        List<Path> missing = needed.stream().filter(p -> !hidden.contains(p)).toList();
        if (!missing.isEmpty()) {
            frames.send(Wire.FALLBACK, ("ale: the resident ALE does not hide " + missing + " from its sandboxes (start it from there);"
                    + " running in-process").getBytes(StandardCharsets.UTF_8));
            return;
        }

        Client session = new Client(client, frames, Path.of(workdir));
        running.incrementAndGet();
        try (PrintStream out = new PrintStream(frames.stream(Wire.STDOUT), true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(frames.stream(Wire.STDERR), true, StandardCharsets.UTF_8)) {
            Thread.ofPlatform().daemon().name("ale-daemon-watch").start(session::watchForLeaving);
            int status = CommandTree.runResident(args, new ByteArrayInputStream(stdin), out, err, session);
            session.ended(status);
        } finally {
            running.decrementAndGet();
            served.incrementAndGet();
        }
    }

    private static byte[] readStdin(DataInputStream in, int length) throws IOException {
        if (length > Wire.MAX_STDIN) throw new IOException("stdin of " + length + " bytes (at most " + Wire.MAX_STDIN + ")");
        byte[] b = new byte[length];
        in.readFully(b);
        return b;
    }

    /** Stops listening and removes the socket; runs going on end when their backend closes. */
    @Override
    public void close() {
        stopping = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + socket + ": " + e.getMessage());
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + socket + ": " + e.getMessage());
        }
    }

    /** One thin client's run: its sandbox is killed should it go before the command ends. */
    private final class Client implements Cli.Resident {

        private final SocketChannel channel;
        private final Frames frames;
        private final Path workdir;
        private final AtomicReference<GuardedSandbox> sandbox = new AtomicReference<>();
        private volatile boolean gone;
        private volatile boolean ended;

        Client(SocketChannel channel, Frames frames, Path workdir) {
            this.channel = channel;
            this.frames = frames;
            this.workdir = workdir;
        }

        @Override
        public GuardedBackend containment() {
            return containment;
        }

        @Override
        public Path workdir() {
            return workdir;
        }

        @Override
        public void running(GuardedSandbox guarded) {
            sandbox.set(guarded);
            if (gone) kill(guarded);
        }

        @Override
        public synchronized void ended(int status) {
            if (ended) return;
            ended = true;
            try {
                frames.exit(status);
            } catch (IOException e) {
                // the client went (Ctrl-C just as it ended): nothing is left to tell
            }
        }

        /** The client sends nothing after its request: a read that returns is its end (exit, Ctrl-C, SIGKILL). */
        void watchForLeaving() {
            ByteBuffer one = ByteBuffer.allocate(1);
            try {
                while (channel.read(one) >= 0) one.clear();
            } catch (IOException e) {
                // closed under us when the run ended, or reset by the client: either way it is gone
            }
            gone = true;
            GuardedSandbox guarded = sandbox.get();
            if (guarded != null && !ended) kill(guarded);
        }

        private void kill(GuardedSandbox guarded) {
            LOG.log(System.Logger.Level.INFO, "the client of " + guarded.id() + " went before its command ended: killing it");
            try {
                guarded.kill("client gone");
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot kill " + guarded.id() + " after its client went: " + e.getMessage());
            }
        }
    }

    /** Answer frames on a client's socket, from any thread; after the client went, writes are dropped. */
    private static final class Frames {

        private final SocketChannel channel;
        private final DataOutputStream out;
        private volatile boolean broken;

        Frames(SocketChannel channel) {
            this.channel = channel;
            // not Channels.newOutputStream: its writes take the lock a blocked read holds
            this.out = new DataOutputStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                    while (buffer.hasRemaining()) Frames.this.channel.write(buffer);
                }
            });
        }

        synchronized void send(byte type, byte[] bytes) throws IOException {
            Wire.writeFrame(out, type, bytes, 0, bytes.length);
            out.flush();
        }

        synchronized void exit(int status) throws IOException {
            Wire.writeExit(out, status);
        }

        /** A stream whose every write is one frame of {@code type}. */
        OutputStream stream(byte type) {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    if (broken || len == 0) return;
                    try {
                        synchronized (Frames.this) {
                            Wire.writeFrame(out, type, b, off, len);
                            out.flush();
                        }
                    } catch (IOException e) {
                        broken = true; // the client went; the command goes on to its kill
                    }
                }
            };
        }
    }
}
