package dev.ale.gateway.sink;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * Reads a TLS ClientHello from the first bytes of a connection, however few of them arrived.
 * Every length the client wrote is checked against the bytes there; a short or malformed hello
 * yields what was read before the fault (an SNI only when its whole name arrived), never an
 * exception.
 */
final class TlsClientHello {

    private static final int RECORD_HEADER = 5;
    private static final int CONTENT_HANDSHAKE = 0x16;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int HANDSHAKE_HEADER = 4;
    /** RFC 8446 5.2: no TLS record is longer than 2^14 + 256 bytes. */
    private static final int MAX_RECORD = (1 << 14) + 256;
    private static final int EXTENSION_SERVER_NAME = 0;
    private static final int EXTENSION_SUPPORTED_VERSIONS = 43;
    private static final int SERVER_NAME_HOST = 0;

    private TlsClientHello() {
    }

    /** Whether the bytes start like a handshake record that carries a ClientHello. */
    static boolean looksLikeHello(byte[] bytes, int length) {
        if (length < 3 || u8(bytes, 0) != CONTENT_HANDSHAKE || u8(bytes, 1) != 3 || u8(bytes, 2) > 4) {
            return false;
        }
        if (length >= RECORD_HEADER) {
            int recordLength = u16(bytes, 3);
            if (recordLength == 0 || recordLength > MAX_RECORD) {
                return false;
            }
        }
        return length <= RECORD_HEADER || u8(bytes, RECORD_HEADER) == HANDSHAKE_CLIENT_HELLO;
    }

    /** Whether the whole ClientHello message has arrived (it may span several records). */
    static boolean complete(byte[] bytes, int length) {
        byte[] handshake = handshakeBytes(bytes, length);
        if (handshake.length < HANDSHAKE_HEADER) {
            return false;
        }
        int messageLength = (u8(handshake, 1) << 16) | u16(handshake, 2);
        return handshake.length >= HANDSHAKE_HEADER + messageLength;
    }

    /** Call only when {@link #looksLikeHello} is true. */
    static Classification.Tls parse(byte[] bytes, int length) {
        Parse parse = new Parse(u16(bytes, 1));
        try {
            parse.clientHello(new Cursor(handshakeBytes(bytes, length)));
        } catch (Truncated stop) {
            // Keep what was read before the hello ran out or stopped making sense.
        }
        return new Classification.Tls(parse.sni, versionName(parse.offered));
    }

    /**
     * The handshake bytes carried by the leading run of handshake records, as far as they
     * arrived: a hello may be fragmented over records, and the SNI may sit in a later one.
     */
    private static byte[] handshakeBytes(byte[] bytes, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int offset = 0;
        while (offset + RECORD_HEADER <= length
                && u8(bytes, offset) == CONTENT_HANDSHAKE && u8(bytes, offset + 1) == 3) {
            int recordLength = u16(bytes, offset + 3);
            if (recordLength > MAX_RECORD) {
                break;
            }
            int arrived = Math.min(recordLength, length - offset - RECORD_HEADER);
            out.write(bytes, offset + RECORD_HEADER, arrived);
            offset += RECORD_HEADER + recordLength;
        }
        return out.toByteArray();
    }

    /** The state of one parse; fields hold what has been read so far. */
    private static final class Parse {
        int offered;
        Optional<String> sni = Optional.empty();

        Parse(int recordVersion) {
            offered = recordVersion;
        }

        void clientHello(Cursor handshake) throws Truncated {
            if (handshake.u8() != HANDSHAKE_CLIENT_HELLO) {
                throw Truncated.INSTANCE;
            }
            Cursor body = handshake.slice(handshake.u24());
            offered = body.u16();
            body.skip(32); // random
            int sessionIdLength = body.u8();
            if (sessionIdLength > 32) {
                throw Truncated.INSTANCE;
            }
            body.skip(sessionIdLength);
            body.skip(body.u16()); // cipher suites
            body.skip(body.u8()); // compression methods
            if (!body.hasMore()) {
                return; // a hello without extensions is legal (and old)
            }
            Cursor extensions = body.slice(body.u16());
            while (extensions.hasMore()) {
                int type = extensions.u16();
                Cursor data = extensions.slice(extensions.u16());
                switch (type) {
                    case EXTENSION_SERVER_NAME -> serverName(data);
                    case EXTENSION_SUPPORTED_VERSIONS -> supportedVersions(data);
                    default -> { }
                }
            }
        }

        /** RFC 6066 3: a list of (name_type, name); the first host_name is the one that counts. */
        private void serverName(Cursor data) throws Truncated {
            Cursor names = data.slice(data.u16());
            while (names.hasMore() && sni.isEmpty()) {
                int nameType = names.u8();
                int nameLength = names.u16();
                int start = names.take(nameLength);
                if (nameType == SERVER_NAME_HOST && nameLength > 0) {
                    sni = Optional.of(FirstBytes.printable(names.bytes, start, nameLength));
                }
            }
        }

        /** RFC 8446 4.2.1: TLS 1.3 clients put 1.2 in the header and the truth here. */
        private void supportedVersions(Cursor data) throws Truncated {
            Cursor versions = data.slice(data.u8());
            int highest = 0;
            while (versions.hasMore()) {
                int version = versions.u16();
                if (!grease(version) && (version >> 8) == 3) {
                    highest = Math.max(highest, version);
                }
            }
            if (highest != 0) {
                offered = highest;
            }
        }
    }

    /** RFC 8701 values (0x0a0a, 0x1a1a, ...) that clients send to keep servers tolerant. */
    private static boolean grease(int value) {
        return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
    }

    static String versionName(int version) {
        return switch (version) {
            case 0x0300 -> "SSLv3";
            case 0x0301 -> "TLSv1";
            case 0x0302 -> "TLSv1.1";
            case 0x0303 -> "TLSv1.2";
            case 0x0304 -> "TLSv1.3";
            default -> String.format("0x%04x", version);
        };
    }

    private static int u8(byte[] bytes, int offset) {
        return bytes[offset] & 0xff;
    }

    private static int u16(byte[] bytes, int offset) {
        return (u8(bytes, offset) << 8) | u8(bytes, offset + 1);
    }

    /**
     * Reads forward through {@code bytes[position, end)}. A slice claims a length but ends where
     * the bytes do; reading past its end throws {@link Truncated}.
     */
    private static final class Cursor {
        final byte[] bytes;
        private int position;
        private final int end;

        Cursor(byte[] bytes) {
            this(bytes, 0, bytes.length);
        }

        private Cursor(byte[] bytes, int position, int end) {
            this.bytes = bytes;
            this.position = position;
            this.end = end;
        }

        boolean hasMore() {
            return position < end;
        }

        int u8() throws Truncated {
            return TlsClientHello.u8(bytes, take(1));
        }

        int u16() throws Truncated {
            return TlsClientHello.u16(bytes, take(2));
        }

        int u24() throws Truncated {
            int at = take(3);
            return (TlsClientHello.u8(bytes, at) << 16) | TlsClientHello.u16(bytes, at + 1);
        }

        void skip(int count) throws Truncated {
            take(count);
        }

        /** Moves past {@code count} bytes, all of which must be here; returns where they start. */
        int take(int count) throws Truncated {
            if (count > end - position) {
                throw Truncated.INSTANCE;
            }
            int start = position;
            position += count;
            return start;
        }

        /** The next {@code length} bytes as their own cursor, cut short if fewer arrived. */
        Cursor slice(int length) {
            int sliceEnd = (int) Math.min((long) position + length, end);
            Cursor slice = new Cursor(bytes, position, sliceEnd);
            position = sliceEnd == position + length ? sliceEnd : end + 1; // past end: later reads fail
            return slice;
        }
    }

    /** Thrown inside the parse only, to stop it where the bytes end; carries no stack. */
    private static final class Truncated extends Exception {
        static final Truncated INSTANCE = new Truncated();

        private Truncated() {
            super("truncated", null, false, false);
        }
    }
}
