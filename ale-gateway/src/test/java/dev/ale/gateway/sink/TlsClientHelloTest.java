package dev.ale.gateway.sink;

import dev.ale.gateway.sink.Classification.Tls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** ClientHellos made by the JDK's own TLS client, whole, cut short, split and damaged. */
class TlsClientHelloTest {

    private static final String SNI = "pool.supportxmr.com";
    private static byte[] hello;

    @BeforeAll
    static void captureARealHello() throws Exception {
        hello = ClientHellos.capture(SNI);
    }

    @Test
    void realClientHelloYieldsItsSniAndTls13() {
        assertThat(FirstBytes.classify(hello, hello.length)).isEqualTo(new Tls(Optional.of(SNI), "TLSv1.3"));
    }

    @Test
    void helloOfferingOnlyTls12SaysTls12() throws Exception {
        byte[] tls12 = ClientHellos.capture("example.org", "TLSv1.2");

        assertThat(FirstBytes.classify(tls12, tls12.length)).isEqualTo(new Tls(Optional.of("example.org"), "TLSv1.2"));
    }

    @Test
    void everyPrefixOfARealHelloClassifiesAndNamesTheSniOnlyOnceItsWholeNameArrived() {
        int sniEnd = indexOf(hello, SNI.getBytes(StandardCharsets.US_ASCII)) + SNI.length();
        assertThat(sniEnd).isGreaterThan(SNI.length());

        for (int length = 0; length <= hello.length; length++) {
            byte[] prefix = Arrays.copyOf(hello, length); // exactly sized: any overrun would throw
            Classification classification = FirstBytes.classify(prefix, length);

            if (length == 0) {
                assertThat(classification).isInstanceOf(Classification.Empty.class);
            } else if (length < 3) {
                assertThat(classification).as("prefix of %d bytes", length).isInstanceOf(Classification.Unknown.class);
            } else {
                assertThat(classification).as("prefix of %d bytes", length).isInstanceOf(Tls.class);
                Optional<String> sni = ((Tls) classification).sni();
                assertThat(sni).as("SNI from a prefix of %d bytes", length)
                        .isEqualTo(length >= sniEnd ? Optional.of(SNI) : Optional.empty());
            }
        }
    }

    @Test
    void helloIsCompleteOnlyWhenItsLastByteArrived() {
        assertThat(FirstBytes.complete(hello, hello.length)).isTrue();
        assertThat(FirstBytes.complete(hello, hello.length - 1)).isFalse();
        assertThat(FirstBytes.complete(hello, 5)).isFalse();
    }

    @Test
    void helloSplitOverTwoRecordsIsReassembled() {
        byte[] split = splitIntoTwoRecords(hello, 40);

        assertThat(FirstBytes.classify(split, split.length)).isEqualTo(new Tls(Optional.of(SNI), "TLSv1.3"));
        assertThat(FirstBytes.complete(split, split.length)).isTrue();
        assertThat(FirstBytes.complete(split, split.length - 1)).isFalse();
    }

    @Test
    void damagedHellosNeverThrow() {
        Random random = new Random(20251231);
        for (int i = 0; i < 5000; i++) {
            byte[] damaged = hello.clone();
            for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            // Lengths are where parsers break: make some of them huge.
            if (random.nextBoolean()) {
                int at = 5 + random.nextInt(damaged.length - 6);
                damaged[at] = (byte) 0xff;
                damaged[at + 1] = (byte) 0xff;
            }
            byte[] input = Arrays.copyOf(damaged, random.nextInt(damaged.length + 1));

            assertThatCode(() -> FirstBytes.classify(input, input.length)).doesNotThrowAnyException();
            assertThatCode(() -> FirstBytes.complete(input, input.length)).doesNotThrowAnyException();
        }
    }

    @Test
    void handshakeRecordThatIsNotAClientHelloIsUnknown() {
        byte[] serverHelloStart = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c};

        assertThat(FirstBytes.classify(serverHelloStart, serverHelloStart.length))
                .isEqualTo(new Classification.Unknown("16030300400200003c"));
    }

    @Test
    void helloWhoseSniNameOverrunsItsExtensionHasNoSni() {
        byte[] lying = hello.clone();
        int nameStart = indexOf(lying, SNI.getBytes(StandardCharsets.US_ASCII));
        // The name's own length field sits just before it; claim far more than the extension holds.
        lying[nameStart - 2] = 0x7f;

        assertThat(FirstBytes.classify(lying, lying.length)).isInstanceOfSatisfying(Tls.class,
                tls -> assertThat(tls.sni()).isEmpty());
    }

    private static byte[] splitIntoTwoRecords(byte[] record, int firstPayload) {
        byte[] payload = Arrays.copyOfRange(record, 5, record.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeRecord(out, record, Arrays.copyOfRange(payload, 0, firstPayload));
        writeRecord(out, record, Arrays.copyOfRange(payload, firstPayload, payload.length));
        return out.toByteArray();
    }

    private static void writeRecord(ByteArrayOutputStream out, byte[] template, byte[] payload) {
        out.write(template, 0, 3);
        out.write(payload.length >> 8);
        out.write(payload.length & 0xff);
        out.writeBytes(payload);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
