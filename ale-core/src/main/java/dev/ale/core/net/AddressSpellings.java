package dev.ale.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a host that is an address however it is spelled, so that every spelling is judged as the
 * address it reaches: dotted quad, one number ({@code 2852039166}), hex ({@code 0xA9FEA9FE}),
 * octal ({@code 0251.0376.0251.0376}), short forms ({@code 127.1}, {@code 10.1.1}), mixed
 * ({@code 169.254.0xa9fe}), bracketed IPv6 with a zone, IPv6 that carries an IPv4 address
 * ({@code ::ffff:169.254.169.254}), a final dot, percent-encoding and full-width characters.
 * These are the forms {@code inet_aton}, {@code getaddrinfo} and URL parsers accept as an address.
 * A name is never looked up.
 */
public final class AddressSpellings {

    /** Longer than any spelling of an address, with room for leading zeros; longer text is a name. */
    private static final int MAX_TEXT = 256;

    private AddressSpellings() {
    }

    /** The address {@code host} spells; empty when it is a name (or not a host at all). */
    public static Optional<InetAddress> parse(String host) {
        if (host.isEmpty() || host.length() > MAX_TEXT * 3) return Optional.empty();
        String text = fold(host);
        if (text.isEmpty() || text.length() > MAX_TEXT) return Optional.empty();
        if (text.startsWith("[") && text.endsWith("]")) text = text.substring(1, text.length() - 1);
        return text.contains(":") ? ipv6(text) : ipv4(text.endsWith(".") ? text.substring(0, text.length() - 1) : text);
    }

    /**
     * The IPv4 address an IPv6 address carries, where it reaches that IPv4 host: IPv4-mapped
     * ({@code ::ffff:a.b.c.d}), IPv4-compatible ({@code ::a.b.c.d}, but not {@code ::} or {@code ::1})
     * and the NAT64 well-known prefix ({@code 64:ff9b::a.b.c.d}); any other address as it is.
     */
    public static InetAddress embedded(InetAddress address) {
        if (!(address instanceof Inet6Address)) return address;
        byte[] b = address.getAddress();
        boolean zeros80 = allZero(b, 0, 10);
        boolean mapped = zeros80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zeros80 && b[10] == 0 && b[11] == 0 && !allZero(b, 12, 15);
        boolean nat64 = (b[0] & 0xff) == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && allZero(b, 4, 12);
        if (!mapped && !compatible && !nat64) return address;
        try {
            return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /** The address's kind, judged on the IPv4 address it carries when it carries one. */
    public static Optional<AddressRanges.Kind> classify(String host) {
        return parse(host).map(a -> AddressRanges.classify(embedded(a)));
    }

    /**
     * A host as URL parsers read it before they judge it: percent-decoded (but an IPv6 zone's
     * {@code %}), full-width forms and ideographic full stops folded into ASCII, lower case.
     */
    public static String fold(String host) {
        String t = host.strip();
        if (t.indexOf('%') >= 0 && !t.contains(":")) t = percentDecoded(t); // an IPv6 zone keeps its '%'
        boolean ascii = t.chars().allMatch(c -> c < 0x80);
        if (!ascii) {
            t = Normalizer.normalize(t, Normalizer.Form.NFKC)
                    .replace('\u3002', '.').replace('\uff0e', '.').replace('\uff61', '.');
        }
        return t.toLowerCase(Locale.ROOT);
    }

    private static String percentDecoded(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length()) {
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    out.append((char) (hi * 16 + lo));
                    i += 2;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static Optional<InetAddress> ipv6(String text) {
        int zone = text.indexOf('%');
        String t = zone >= 0 ? text.substring(0, zone) : text;
        if (t.isEmpty() || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) return Optional.empty();
        try {
            return Optional.of(InetAddress.ofLiteral(t)); // numeric only: never a lookup
        } catch (IllegalArgumentException notAnAddress) {
            return Optional.empty();
        }
    }

    /** inet_aton: one to four parts, each decimal, octal (leading 0) or hex (0x); the last fills the bytes left. */
    private static Optional<InetAddress> ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4) return Optional.empty();
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = number(parts[i]);
            if (values[i] < 0) return Optional.empty();
        }
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 0xff) return Optional.empty();
            address |= values[i] << (24 - 8 * i);
        }
        long last = values[parts.length - 1];
        int lastBits = 8 * (5 - parts.length);
        if (last >= 1L << lastBits) return Optional.empty();
        address |= last;
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return Optional.of(Inet4Address.getByAddress(bytes));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /** One part's value, or -1 when it is no number (or over 32 bits). */
    private static long number(String part) {
        if (part.isEmpty()) return -1;
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x")) {
            radix = 16;
            digits = part.substring(2);
            if (digits.isEmpty()) return -1;
        } else if (part.length() > 1 && part.charAt(0) == '0') {
            radix = 8;
            digits = part.substring(1);
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), radix);
            if (d < 0 || digits.charAt(i) > 0x7f) return -1;
            value = value * radix + d;
            if (value > 0xffffffffL) return -1;
        }
        return value;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }
}
