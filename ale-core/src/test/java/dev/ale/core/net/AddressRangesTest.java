package dev.ale.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ale.core.net.AddressRanges.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressRangesTest {

    @ParameterizedTest
    @CsvSource({
            "169.254.169.254, METADATA", "100.100.100.200, METADATA", "fd00:ec2::254, METADATA",
            "169.254.170.2, METADATA", "168.63.129.16, METADATA", "::ffff:169.254.169.254, METADATA",
            "169.254.1.1, LINK_LOCAL", "fe80::1, LINK_LOCAL",
            "10.1.2.3, PRIVATE", "172.31.255.255, PRIVATE", "192.168.0.1, PRIVATE", "fd12::1, PRIVATE",
            "172.32.0.1, PUBLIC", "100.64.0.1, CGNAT", "100.127.255.254, CGNAT", "100.128.0.1, PUBLIC",
            "127.0.0.1, LOOPBACK", "::1, LOOPBACK", "0.0.0.0, UNSPECIFIED", "::, UNSPECIFIED",
            "198.18.0.1, ALE_LINK", "198.19.255.255, ALE_LINK", "198.20.0.1, PUBLIC",
            "224.0.0.1, MULTICAST", "ff02::1, MULTICAST", "240.0.0.1, RESERVED",
            "64:ff9b::a00:1, PRIVATE", "2002:a00:1::1, RESERVED",
            "93.184.216.34, PUBLIC", "203.0.113.7, PUBLIC", "2606:2800:220:1::1, PUBLIC"})
    void classifiesEachRangeWithMetadataBeforeTheRangesThatHoldIt(String address, Kind kind) {
        assertThat(AddressRanges.classify(address)).hasValue(kind);
    }

    /** Text is judged on the IPv4 address a NAT64 address reaches; the gateway never dials either. */
    @org.junit.jupiter.api.Test
    void aNat64AddressIsReservedToDialAndJudgedAsTheAddressItReaches() {
        assertThat(AddressRanges.classify(java.net.InetAddress.ofLiteral("64:ff9b::a9fe:a9fe"))).isEqualTo(Kind.RESERVED);
        assertThat(AddressRanges.classify("64:ff9b::a9fe:a9fe")).hasValue(Kind.METADATA);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "localhost", "10.0.0", "1.2.3.4.5", "", "[::1"})
    void aNameOrMalformedTextIsNotAnAddressAndIsNeverLookedUp(String text) {
        assertThat(AddressRanges.parseLiteral(text)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"PUBLIC, true, false", "ALE_LINK, false, false", "PRIVATE, false, true", "METADATA, false, true"})
    void onlyPublicAddressesAreDialableAndAlesOwnLinksAreNotAProbe(Kind kind, boolean isPublic, boolean internal) {
        assertThat(kind.isPublic()).isEqualTo(isPublic);
        assertThat(kind.isInternal()).isEqualTo(internal);
    }
}
