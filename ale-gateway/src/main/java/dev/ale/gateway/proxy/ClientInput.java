package dev.ale.gateway.proxy;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A client connection's buffered input, which can hand over what it has read ahead: a tunnel
 * spliced channel to channel must first pass on the bytes already buffered here.
 */
final class ClientInput extends BufferedInputStream {

    ClientInput(InputStream in, int size) {
        super(in, size);
    }

    /** The bytes read from the socket and not yet taken; afterwards there are none. */
    byte[] takeBuffered() {
        byte[] held = pos < count ? Arrays.copyOfRange(buf, pos, count) : new byte[0];
        pos = count;
        markpos = -1;
        return held;
    }
}
