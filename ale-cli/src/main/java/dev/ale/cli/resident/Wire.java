package dev.ale.cli.resident;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The frames a resident ALE and its clients exchange. A request is the magic, a kind and (for a run)
 * the client's directory, environment, argv and stdin; the answer is frames of a type byte, a length
 * and that many bytes: stdout, stderr, then one exit status (or a fallback, or a text for status/stop).
 */
public final class Wire {

    static final int MAGIC = 0x414c4531; // "ALE1"

    /** What a connection asks for. */
    public static final byte RUN = 1;
    public static final byte STATUS = 2;
    public static final byte STOP = 3;

    /** Answer frames. */
    public static final byte STDOUT = 1;
    public static final byte STDERR = 2;
    /** Four bytes: ale's exit status. The last frame of a run. */
    public static final byte EXIT = 3;
    /** A line of text: the answer to status or stop. */
    public static final byte TEXT = 4;
    /** The resident ALE will not run this one as asked (the line says why): the client runs it in-process. */
    public static final byte FALLBACK = 5;

    /** Guards against a peer that sends nonsense lengths (it is the same user, but may be a broken client). */
    static final int MAX_STRING = 1 << 20;
    static final int MAX_ARGS = 1 << 16;
    /** {@code --stdin}'s own limit (16 MiB) and one byte more, so that the daemon reports the same error. */
    public static final int MAX_STDIN = (16 << 20) + 1;

    private Wire() {
    }

    /** The socket of the resident ALE of a data directory: in a directory of its own that only its user may enter. */
    public static Path socketOf(Path dataDir) {
        return dataDir.resolve("run").resolve("ale.sock");
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** A string of at most {@link #MAX_STRING} bytes. */
    public static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in, MAX_STRING), StandardCharsets.UTF_8);
    }

    /** A length and that many bytes, refusing a length over {@code max}. */
    public static byte[] readBytes(DataInputStream in, int max) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) throw new IOException("a frame of " + n + " bytes (at most " + max + ")");
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Reads the request's magic and kind; anything else is not an ALE client. */
    public static byte readKind(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) throw new IOException("not an ALE client (magic " + Integer.toHexString(magic) + ")");
        return in.readByte();
    }

    /** The count then each of a list of strings, at most {@link #MAX_ARGS}. */
    public static String[] readStrings(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_ARGS) throw new IOException("a list of " + n + " strings (at most " + MAX_ARGS + ")");
        String[] all = new String[n];
        for (int i = 0; i < n; i++) all[i] = readString(in);
        return all;
    }

    /** One answer frame; the caller flushes. */
    public static void writeFrame(DataOutputStream out, byte type, byte[] bytes, int offset, int length) throws IOException {
        out.writeByte(type);
        out.writeInt(length);
        out.write(bytes, offset, length);
    }

    /** The exit frame: the last of a run. */
    public static void writeExit(DataOutputStream out, int status) throws IOException {
        out.writeByte(EXIT);
        out.writeInt(4);
        out.writeInt(status);
        out.flush();
    }

    static void requireEnd(int read) throws EOFException {
        if (read < 0) throw new EOFException("the resident ALE closed the connection");
    }
}
