package dev.ale.gateway.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random and mutated streams, from a fixed seed so a failure can be replayed: the
 * classifier never throws, always answers, and never reads past the length it is given.
 */
class FirstBytesFuzzTest {

    private static final long SEED = 0xA1E5_1A7EL;

    @Test
    void randomBytesNeverMakeItThrow() {
        Random random = new Random(SEED);
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[random.nextInt(FirstBytes.MAX_BYTES + 1)];
            random.nextBytes(bytes);
            check(bytes, i);
        }
    }

    @Test
    void mutatedCorpusStreamsNeverMakeItThrow() {
        Random random = new Random(SEED + 1);
        List<byte[]> corpus = FirstBytesCorpus.all();
        List<java.util.function.UnaryOperator<byte[]>> disguises = List.copyOf(FirstBytesCorpus.disguises().values());
        for (int i = 0; i < 6000; i++) {
            byte[] bytes = corpus.get(random.nextInt(corpus.size()));
            if (random.nextInt(3) == 0) bytes = disguises.get(random.nextInt(disguises.size())).apply(bytes);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) bytes = mutate(bytes, random, corpus);
            check(bytes, i);
        }
    }

    @Test
    void structuresNestedAndRepeatedToTheLimitNeverMakeItThrow() {
        String[] units = {"[", "{\"a\":", "GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", "Content-Length: 1\r\n\r\n", "\r\n",
                "0\r\n", "\u0016\u0003\u0001", "SSH-", "uid=0(", "\u0000\u0011", "HTTP/1.1 200 OK\r\n\r\n"};
        for (String unit : units) {
            StringBuilder text = new StringBuilder();
            while (text.length() < FirstBytes.MAX_BYTES) text.append(unit);
            byte[] bytes = text.substring(0, FirstBytes.MAX_BYTES).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            check(bytes, unit.length());
        }
    }

    /** Classifies every way a reader would: whole, cut at random, and inside an array with room to spare. */
    private static void check(byte[] bytes, int i) {
        int cut = bytes.length == 0 ? 0 : new Random(i).nextInt(bytes.length + 1);
        for (int length : new int[] {bytes.length, cut}) {
            byte[] exact = Arrays.copyOf(bytes, length); // exactly sized: any overrun throws
            FirstBytes.Reading reading = FirstBytes.read(exact, length);
            assertThat(reading.classification()).as("input %d", i).isNotNull();
            assertThat(FirstBytes.readWebSocket(exact, length).classification()).isNotNull();
            assertThat(ConnectionRecords.opening(reading.classification(), FirstBytes.escaped(exact, length)).protocol()).isNotEmpty();
            byte[] roomy = Arrays.copyOf(bytes, length + 32);
            assertThat(FirstBytes.classify(roomy, length)).as("input %d with room", i).isEqualTo(reading.classification());
        }
    }

    private static byte[] mutate(byte[] bytes, Random random, List<byte[]> corpus) {
        if (bytes.length == 0) return new byte[] {(byte) random.nextInt()};
        byte[] out = bytes.clone();
        switch (random.nextInt(7)) {
            case 0 -> out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> out[random.nextInt(out.length)] = (byte) random.nextInt();
            case 2 -> out = Arrays.copyOf(out, random.nextInt(out.length + 1));
            case 3 -> { // insert random bytes
                int at = random.nextInt(out.length + 1);
                byte[] insert = new byte[1 + random.nextInt(16)];
                random.nextBytes(insert);
                out = splice(out, at, insert);
            }
            case 4 -> { // splice in another stream
                byte[] other = corpus.get(random.nextInt(corpus.size()));
                out = splice(out, random.nextInt(out.length + 1), other);
            }
            case 5 -> { // repeat a piece
                int from = random.nextInt(out.length);
                int len = Math.min(out.length - from, 1 + random.nextInt(64));
                out = splice(out, from, Arrays.copyOfRange(out, from, from + len));
            }
            default -> { // a length field turned huge or zero
                int at = random.nextInt(out.length);
                out[at] = random.nextBoolean() ? (byte) 0xff : 0;
            }
        }
        return out.length > FirstBytes.MAX_BYTES ? Arrays.copyOf(out, FirstBytes.MAX_BYTES) : out;
    }

    private static byte[] splice(byte[] into, int at, byte[] insert) {
        byte[] out = new byte[into.length + insert.length];
        System.arraycopy(into, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(into, at, out, at + insert.length, into.length - at);
        return out;
    }
}
