package dev.ale.cli.resident;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.SequenceInputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ale sandbox run} as a thin client: when a resident ALE answers on the data directory's socket,
 * the command line goes to it and its output and exit status come back; otherwise (no socket, a stale
 * one, {@code --no-daemon}, ALE_DAEMON=off, an option it does not carry) the caller runs it in-process.
 */
public final class ResidentClient {

    /** How the client's run ended. */
    public sealed interface Outcome {
    }

    /** The resident ALE ran it: exit with this status. */
    public record Ran(int status) implements Outcome {
    }

    /** Run it in this process, with this as standard input (what the client already read of it, then the rest). */
    public record InProcess(InputStream stdin) implements Outcome {
    }

    /** The environment entries a resident ALE needs of its client: $ALE_REPO is hidden from sandboxes as in-process. */
    private static final String[] CARRIED_ENV = {"ALE_REPO"};

    private ResidentClient() {
    }

    /** Runs {@code ale args} through the resident ALE if there is one for it, else says to run it in-process. */
    public static Outcome run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        Optional<Line> line = Line.parse(args, env);
        if (line.isEmpty()) return new InProcess(in);
        Path socket = Wire.socketOf(line.get().dataDir());
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) return new InProcess(in); // no resident ALE: not an error
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            err.println("ale: no resident ALE answers at " + socket + " (" + reason(e) + "; a stale socket?); running in-process");
            return new InProcess(in);
        }
        try (channel) {
            byte[] stdin = line.get().stdin() ? in.readNBytes(Wire.MAX_STDIN) : new byte[0];
            DataInputStream frames = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
            try {
                send(channel, args, env, line.get().stdin() ? stdin : null);
            } catch (IOException e) {
                // a daemon that refused this client (another user) answered and closed without reading: its answer is there
                try {
                    return answer(frames, stdin, in, out, err);
                } catch (IOException none) {
                    throw e;
                }
            }
            return answer(frames, stdin, in, out, err);
        } catch (EOFException e) {
            err.println("ale: the resident ALE at " + socket + " closed the connection before the command ended (its log: "
                    + socket.resolveSibling("daemon.log") + ")");
            return new Ran(3);
        } catch (IOException e) {
            err.println("ale: talking to the resident ALE at " + socket + ": " + reason(e));
            return new Ran(3);
        }
    }

    /**
     * Asks the resident ALE of {@code dataDir} for its status or to stop ({@link Wire#STATUS}, {@link Wire#STOP}):
     * its one line of answer, or empty when none answers there.
     */
    public static Optional<String> ask(Path dataDir, byte kind) {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(Wire.socketOf(dataDir)))) {
            DataOutputStream request = new DataOutputStream(Channels.newOutputStream(channel));
            request.writeInt(Wire.MAGIC);
            request.writeByte(kind);
            request.flush();
            DataInputStream frames = new DataInputStream(Channels.newInputStream(channel));
            String text = "";
            while (true) {
                byte type = frames.readByte();
                byte[] bytes = Wire.readBytes(frames, Wire.MAX_STRING);
                if (type == Wire.EXIT) return Optional.of(text);
                text += new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The run request: the client's directory, the environment the daemon needs, argv and (with --stdin, else null) stdin. */
    private static void send(SocketChannel channel, String[] args, Map<String, String> env, byte[] stdin) throws IOException {
        DataOutputStream request = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
        request.writeInt(Wire.MAGIC);
        request.writeByte(Wire.RUN);
        Wire.writeString(request, System.getProperty("user.dir"));
        request.writeInt(CARRIED_ENV.length);
        for (String name : CARRIED_ENV) Wire.writeString(request, name + "=" + env.getOrDefault(name, ""));
        request.writeInt(args.length);
        for (String arg : args) Wire.writeString(request, arg);
        request.writeInt(stdin == null ? -1 : stdin.length);
        if (stdin != null) request.write(stdin);
        request.flush();
    }

    private static Outcome answer(DataInputStream frames, byte[] stdin, InputStream in, PrintStream out, PrintStream err) throws IOException {
        while (true) {
            byte type = frames.readByte();
            byte[] bytes = Wire.readBytes(frames, Integer.MAX_VALUE - 8);
            switch (type) {
                case Wire.STDOUT -> {
                    out.write(bytes, 0, bytes.length);
                    out.flush();
                }
                case Wire.STDERR -> {
                    err.write(bytes, 0, bytes.length);
                    err.flush();
                }
                case Wire.EXIT -> {
                    return new Ran(new DataInputStream(new ByteArrayInputStream(bytes)).readInt());
                }
                case Wire.FALLBACK -> {
                    err.println(new String(bytes, StandardCharsets.UTF_8));
                    return new InProcess(new SequenceInputStream(new ByteArrayInputStream(stdin), in));
                }
                default -> throw new IOException("an answer frame of unknown type " + type);
            }
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * What the client needs of an {@code ale ... sandbox run ...} line: its data directory and whether it
     * reads stdin. Empty for any other command, and for a run the in-process path must take.
     */
    record Line(Path dataDir, boolean stdin) {

        static Optional<Line> parse(String[] args, Map<String, String> env) {
            String off = env.getOrDefault("ALE_DAEMON", "");
            if (off.equals("off") || off.equals("0") || off.equals("no") || off.equals("false")) return Optional.empty();
            Optional<String> dataDir = Optional.empty();
            int i = 0;
            for (; i < args.length && args[i].startsWith("-"); i++) {
                if (args[i].equals("--data-dir") && i + 1 < args.length) dataDir = Optional.of(args[++i]);
                else if (args[i].startsWith("--data-dir=")) dataDir = Optional.of(args[i].substring("--data-dir=".length()));
                else return Optional.empty(); // -h, -V, or a mistake picocli should report
            }
            if (i + 1 >= args.length || !args[i].equals("sandbox") || !args[i + 1].equals("run")) return Optional.empty();
            boolean stdin = false;
            for (i += 2; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--") || !a.startsWith("-")) break; // the command starts here
                switch (a) {
                    // not carried: --resolve pins the gateway's resolver, which the resident ALE shares with every run
                    case "--no-daemon", "--resolve", "-h", "--help", "-V", "--version" -> {
                        return Optional.empty();
                    }
                    case "--stdin" -> stdin = true;
                    case "--passport", "--timeout" -> i++;
                    case "--data-dir" -> {
                        if (i + 1 < args.length) dataDir = Optional.of(args[++i]);
                    }
                    default -> {
                        if (a.startsWith("--resolve=")) return Optional.empty();
                        if (a.startsWith("--data-dir=")) dataDir = Optional.of(a.substring("--data-dir=".length()));
                    }
                }
            }
            String home = env.getOrDefault("ALE_HOME", "");
            return Optional.of(new Line(Path.of(dataDir.orElse(home.isBlank() ? "/var/lib/ale" : home)), stdin));
        }
    }
}
