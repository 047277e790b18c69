package dev.ale.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.ale.core.net.AddressRanges.Kind;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressSpellingsTest {

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "2852039166", "0xA9FEA9FE", "0xa9fea9fe", "0251.0376.0251.0376",
            "0xa9.0xfe.0xa9.0xfe", "169.254.43518", "169.16689662", "0251.254.0xa9.254", "00000251.0376.0251.0376",
            "0x00a9fea9fe", "169.254.169.254.", "[::ffff:169.254.169.254]", "::ffff:a9fe:a9fe", "[::ffff:a9fe:a9fe]",
            "::169.254.169.254", "64:ff9b::a9fe:a9fe", "%31%36%39.254.169.254", "\uff11\uff16\uff19\uff0e\uff12\uff15\uff14\u3002169.254",
            " 169.254.169.254 "})
    void everySpellingOfTheMetadataAddressIsTheMetadataAddress(String spelling) {
        assertThat(AddressSpellings.parse(spelling).map(AddressSpellings::embedded))
                .as(spelling).contains(InetAddress.ofLiteral("169.254.169.254"));
        assertThat(AddressSpellings.classify(spelling)).as(spelling).contains(Kind.METADATA);
        assertThat(AddressRanges.classify(spelling)).as(spelling).contains(Kind.METADATA);
    }

    @ParameterizedTest
    @CsvSource({"127.1, 127.0.0.1", "127.0.1, 127.0.0.1", "0x7f.1, 127.0.0.1", "2130706433, 127.0.0.1", "0177.0.0.1, 127.0.0.1",
            "10.1.1, 10.1.0.1", "10, 0.0.0.10", "0, 0.0.0.0", "0x0a000001, 10.0.0.1", "192.168.257, 192.168.1.1",
            "[::1], ::1", "fe80::1%eth0, fe80::1", "[fe80::1%25eth0], fe80::1"})
    void shortAndNumericFormsFillTheBytesAsInetAtonDoes(String spelling, String address) {
        assertThat(AddressSpellings.parse(spelling).map(AddressSpellings::embedded)).contains(InetAddress.ofLiteral(address));
    }

    @ParameterizedTest
    @CsvSource({"127.1, LOOPBACK", "0x7f000001, LOOPBACK", "10.1, PRIVATE", "0300.0250.1.1, PRIVATE", "[::ffff:10.0.0.1], PRIVATE",
            "3232235777, PRIVATE", "0, UNSPECIFIED", "100.100.25800, METADATA", "[::ffff:7f00:1], LOOPBACK", "93.184.216.34, PUBLIC"})
    void disguisedInternalAddressesAreJudgedAsTheAddressTheyReach(String spelling, Kind kind) {
        assertThat(AddressSpellings.classify(spelling)).contains(kind);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "pypi.org", "1e100.net", "0x7f.example", "deadbeef", "a.b.c.d", "1.2.3.4.5",
            "256.1.1.1", "1.2.3.256", "1.2.65536", "4294967296", "0x100000000", "08.1.1.1", "0x", "1..2", "", ".", "[::1",
            "::gg", "9.9.9.9.9", "1.2.3.4.example.com", "localhost", "xn--80ak6aa92e.com"})
    void namesAndMalformedTextAreNoAddress(String text) {
        assertThat(AddressSpellings.parse(text)).as(text).isEmpty();
    }

    @Test
    void anIpv6AddressThatCarriesNoIpv4AddressStaysItself() {
        InetAddress v6 = InetAddress.ofLiteral("2606:2800:220:1::1");
        assertThat(AddressSpellings.embedded(v6)).isEqualTo(v6);
        assertThat(AddressSpellings.embedded(InetAddress.ofLiteral("::1"))).isEqualTo(InetAddress.ofLiteral("::1"));
        assertThat(AddressSpellings.embedded(InetAddress.ofLiteral("::"))).isEqualTo(InetAddress.ofLiteral("::"));
    }

    @Test
    void randomTextNeverThrows() {
        Random random = new Random(5);
        String alphabet = "0123456789abcdefx.:[]%ABCDEF \uff10\u3002";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            assertThatCode(() -> AddressSpellings.classify(text.toString())).as(text.toString()).doesNotThrowAnyException();
        }
    }
}
