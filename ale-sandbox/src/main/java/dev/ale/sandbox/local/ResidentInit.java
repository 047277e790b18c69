package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.SandboxException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A sandbox's resident init ({@code ale-init.c}): one process in the sandbox's namespaces, cgroup
 * and uid for the sandbox's life, that starts each call by fork and exec on request over the two
 * pipes only this JVM holds. One reader thread per sandbox turns its framed responses into the
 * calls' output and exit codes.
 */
final class ResidentInit {

    private static final System.Logger LOG = System.getLogger(ResidentInit.class.getName());

    /** The binary's name: also what the init calls itself, so the monitor sees argv[0] name its executable. */
    static final String NAME = "ale-init";

    private static final int REQ_START = 1;
    private static final int REQ_KILL = 2;
    private static final int REQ_OPEN = 3;
    private static final int REQ_INPUT = 4;
    private static final int REQ_CLOSE_INPUT = 5;
    private static final int REQ_SIGNAL = 6;
    private static final int REQ_WRITE = 7;
    private static final int REQ_READ = 8;
    private static final int RSP_STARTED = 1;
    private static final int RSP_STDOUT = 2;
    private static final int RSP_STDERR = 3;
    private static final int RSP_EXIT = 4;
    private static final int RSP_FAIL = 5;
    private static final int RSP_TAKEN = 6;

    /** A write's data goes in frames of this size, at most {@link #WRITE_WINDOW} ahead of what the init has passed on. */
    private static final int FILE_CHUNK = 64 << 10;
    /** The most of a write's data that waits in the init (its WRITE_WINDOW: it ends itself on more). */
    private static final int WRITE_WINDOW = 4 * FILE_CHUNK;

    private final String sandboxId;
    private final Process process;
    private final DataOutputStream requests;
    private final Path log;
    private final Map<Integer, ResidentCall> calls = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final ReentrantLock sessionStarts = new ReentrantLock();
    /** How long a session's start may take before the init is taken for broken (it is a fork: milliseconds). */
    private static final Duration START_LIMIT = Duration.ofSeconds(30);
    private final Consumer<String> onLost;
    private volatile Optional<String> lost = Optional.empty();

    private ResidentInit(String sandboxId, Process process, Path log, Consumer<String> onLost) {
        this.sandboxId = sandboxId;
        this.process = process;
        this.requests = new DataOutputStream(process.getOutputStream());
        this.log = log;
        this.onLost = onLost;
    }

    /**
     * Starts the init with {@code command} (from {@link BwrapCommand#buildResident}); its own
     * messages go to {@code log}. {@code onLost} hears why, once, if it ends while this side still wants it.
     */
    static ResidentInit start(String sandboxId, List<String> command, Path log, Consumer<String> onLost) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", HostCommands.PATH);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            ResidentInit init = new ResidentInit(sandboxId, pb.start(), log, onLost);
            ProcessTree.PIPE_THREADS.start(init::readResponses);
            return init;
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot start the resident init of sandbox " + sandboxId + ": " + e.getMessage(), e);
        }
    }

    /** Host pids of the launcher (the outer bubblewrap) and the init below it. */
    Set<Long> hostPids() {
        Set<Long> pids = new HashSet<>();
        if (!process.isAlive()) return pids;
        pids.add(process.pid());
        process.children().forEach(c -> pids.add(c.pid()));
        return pids;
    }

    /** Asks the init to start a call; its output goes to the captures and the listener as it comes. */
    ResidentCall start(List<String> argv, Map<String, String> env, String cwd, byte[] stdin, OutputListener listener,
                       CapturedOutput out, CapturedOutput err) {
        return begin(REQ_START, argv, env, cwd, stdin, listener, out, err);
    }

    /**
     * Asks the init to start a long-lived process (a shell session) whose stdin stays open: {@link #input}
     * feeds it, {@link #closeInput} ends it. Its output goes to the listener as it comes.
     */
    ResidentCall open(List<String> argv, Map<String, String> env, String cwd, OutputListener listener) {
        // no sweep reads the sandbox's processes until the init has said which socket is the session's (see sessionSockets)
        sessionStarts.lock();
        try {
            // a session's output is read by its listener, never kept whole
            ResidentCall call = begin(REQ_OPEN, argv, env, cwd, new byte[0], listener, new CapturedOutput(0), new CapturedOutput(0));
            if (!call.awaitStarted(START_LIMIT)) {
                call.kill();
                throw lostError("it did not start a session within " + START_LIMIT.toSeconds() + " s");
            }
            return call;
        } finally {
            sessionStarts.unlock();
        }
    }

    /**
     * Reads the sandbox's processes ({@code read}, given the stdin sockets of its sessions) while no
     * session is starting: a session's shell is never seen before its socket is known to be ALE's.
     */
    <T> T withSessionSockets(Function<Set<String>, T> read) {
        sessionStarts.lock();
        try {
            Set<String> sockets = new HashSet<>();
            for (ResidentCall c : calls.values()) c.stdinSocket().ifPresent(ino -> sockets.add("socket:[" + Long.toUnsignedString(ino) + "]"));
            return read.apply(sockets);
        } finally {
            sessionStarts.unlock();
        }
    }

    private ResidentCall begin(int type, List<String> argv, Map<String, String> env, String cwd, byte[] stdin, OutputListener listener,
                               CapturedOutput out, CapturedOutput err) {
        int id = ids.incrementAndGet();
        ResidentCall call = new ResidentCall(this, id, listener, out, err);
        calls.put(id, call);
        ByteArrayOutputStream body = new ByteArrayOutputStream(256 + stdin.length);
        DataOutputStream b = new DataOutputStream(body);
        try {
            b.writeInt(argv.size());
            for (String a : argv) writeString(b, a);
            b.writeInt(env.size());
            for (Map.Entry<String, String> e : env.entrySet()) writeString(b, e.getKey() + "=" + e.getValue());
            writeString(b, cwd);
            b.writeInt(stdin.length);
            b.write(stdin);
            send(type, id, body.toByteArray());
        } catch (IOException e) {
            calls.remove(id);
            throw lostError(e.getMessage());
        }
        return call;
    }

    /**
     * Asks the init to write {@code content} to {@code path} in the sandbox from a call's process of its
     * own (no shell: see ale-init.c's WRITE): the first chunk goes with the request, the rest as the
     * init passes it on, no more than {@link #WRITE_WINDOW} ahead, until the call ends or {@code deadline}
     * ({@link System#nanoTime}) passes; the caller's wait for the call then times out and kills it.
     */
    ResidentCall write(String path, byte[] content, long deadline, CapturedOutput out, CapturedOutput err) {
        int id = ids.incrementAndGet();
        ResidentCall call = new ResidentCall(this, id, OutputListener.NONE, out, err);
        calls.put(id, call);
        int first = Math.min(content.length, FILE_CHUNK);
        boolean more = first < content.length;
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream(64 + first);
            DataOutputStream b = new DataOutputStream(body);
            writeString(b, path);
            b.writeInt(more ? 1 : 0);
            b.writeInt(first);
            b.write(content, 0, first);
            call.reserve(first);
            send(REQ_WRITE, id, body.toByteArray());
            if (!more) return call;
            for (int at = first; at < content.length; at += FILE_CHUNK) {
                int n = Math.min(FILE_CHUNK, content.length - at);
                if (!call.awaitRoom(n, WRITE_WINDOW, deadline)) return call; // ended (refused, failed) or out of time
                send(REQ_INPUT, id, Arrays.copyOfRange(content, at, at + n));
            }
            send(REQ_CLOSE_INPUT, id, new byte[0]);
        } catch (IOException e) {
            calls.remove(id);
            throw lostError(e.getMessage());
        }
        return call;
    }

    /** Asks the init to copy the file at {@code path} in the sandbox to the call's stdout, at most {@code limit} + 1 bytes (see ale-init.c's READ). */
    ResidentCall read(String path, int limit, CapturedOutput out, CapturedOutput err) {
        int id = ids.incrementAndGet();
        ResidentCall call = new ResidentCall(this, id, OutputListener.NONE, out, err);
        calls.put(id, call);
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream(64);
            DataOutputStream b = new DataOutputStream(body);
            writeString(b, path);
            b.writeInt(limit);
            send(REQ_READ, id, body.toByteArray());
        } catch (IOException e) {
            calls.remove(id);
            throw lostError(e.getMessage());
        }
        return call;
    }

    /** Bytes for an open call's stdin, written in the order they are given. */
    void input(int id, byte[] data) throws IOException {
        send(REQ_INPUT, id, data);
    }

    /** Ends an open call's stdin once what was given is written: the process reads end of file. */
    void closeInput(int id) {
        try {
            send(REQ_CLOSE_INPUT, id, new byte[0]);
        } catch (IOException e) {
            // the init is gone, and the process with it
        }
    }

    /** Sends a signal to a call's command (not to the rest of its tree). */
    void signal(int id, int signal) {
        try {
            send(REQ_SIGNAL, id, new byte[] {0, 0, 0, (byte) signal});
        } catch (IOException e) {
            // the init is gone, and the process with it
        }
    }

    /** Kills a call's whole tree: the init SIGKILLs its group and its per-call process, then sweeps what was reparented. */
    void kill(int id) {
        try {
            send(REQ_KILL, id, new byte[0]);
        } catch (IOException e) {
            // the init is gone, and every process of its namespace with it
        }
    }

    /** Ends the init; every process its calls left ends with it (it is its pid namespace's pid 1). */
    void close() {
        process.destroyForcibly();
    }

    SandboxException lostError(String detail) {
        return new SandboxException(Fault.ENVIRONMENT, "sandbox " + sandboxId + ": its resident init ended ("
                + lost.orElse(detail) + "); the sandbox is killed rather than run a call outside it");
    }

    private synchronized void send(int type, int id, byte[] body) throws IOException {
        requests.writeInt(5 + body.length);
        requests.writeByte(type);
        requests.writeInt(id);
        requests.write(body);
        requests.flush();
    }

    private static void writeString(DataOutputStream b, String s) throws IOException {
        if (s.indexOf('\0') >= 0) throw new SandboxException(Fault.INPUT, "a command's argument, variable or directory holds a NUL byte");
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.writeInt(bytes.length);
        b.write(bytes);
    }

    private void readResponses() {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16))) {
            byte[] buf = new byte[1 << 16];
            while (true) {
                int len = in.readInt();
                int type = in.readUnsignedByte();
                int id = in.readInt();
                int n = len - 5;
                if (n < 0 || n > 1 << 24) throw new IOException("a response frame of " + len + " bytes");
                byte[] body = n <= buf.length ? buf : new byte[n];
                in.readFully(body, 0, n);
                ResidentCall call = calls.get(id);
                if (call == null) continue;
                switch (type) {
                    case RSP_STARTED -> call.started(readInt(body, 4),
                            n >= 16 ? OptionalLong.of((long) readInt(body, 8) << 32 | (readInt(body, 12) & 0xffffffffL)) : OptionalLong.empty());
                    case RSP_STDOUT -> call.output(OutputListener.Stream.STDOUT, body, n);
                    case RSP_STDERR -> call.output(OutputListener.Stream.STDERR, body, n);
                    case RSP_EXIT -> {
                        calls.remove(id);
                        call.exited(readInt(body, 0));
                    }
                    case RSP_FAIL -> {
                        calls.remove(id);
                        call.failed(new String(body, 0, n, StandardCharsets.UTF_8));
                    }
                    case RSP_TAKEN -> call.taken(readInt(body, 0));
                    default -> throw new IOException("a response of unknown type " + type);
                }
            }
        } catch (EOFException e) {
            end("it exited" + logTail());
        } catch (IOException | RuntimeException e) {
            end(e.getMessage() + logTail());
        }
    }

    private void end(String why) {
        lost = Optional.of(why);
        process.destroyForcibly();
        onLost.accept(why);
        for (Integer id : List.copyOf(calls.keySet())) {
            ResidentCall call = calls.remove(id);
            if (call != null) call.lost();
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "" : ": " + String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /**
     * The commands running now, by their pid in the sandbox: a command whose per-call process was
     * killed from inside runs on as the resident init's child, and is still its call's main.
     */
    Set<Integer> runningCommands() {
        Set<Integer> pids = new HashSet<>();
        for (ResidentCall c : calls.values()) if (c.mainPid() > 0) pids.add(c.mainPid());
        return pids;
    }

    /**
     * The init's binary, built from {@code src/main/c/ale-init.c} with the package, written once
     * into {@code dataDir} under a name that is its hash (root's, not writable by any sandbox uid);
     * empty, with the reason logged once, when this build has none.
     */
    static Optional<Path> install(Path dataDir) {
        byte[] bytes;
        try (InputStream in = ResidentInit.class.getResourceAsStream(NAME)) {
            if (in == null) {
                LOG.log(System.Logger.Level.WARNING, "this build of ALE has no " + NAME + " (gcc was missing when it was built): "
                        + "every sandbox command starts its own bubblewrap (the per-call path)");
                return Optional.empty();
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot read " + NAME + " from ALE's jar: " + e.getMessage(), e);
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = dataDir.resolve("init-" + hash);
        Path file = dir.resolve(NAME);
        if (Files.isRegularFile(file)) return Optional.of(file);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Path tmp = Files.createTempFile(dir, ".init", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(bytes);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(file);
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
