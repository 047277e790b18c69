package dev.ale.gateway.proxy;

import dev.ale.core.net.AddressSpellings;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a proxy request wants to go: a CONNECT's {@code host:port}, or a plain request's
 * {@code http://host[:port]/path}. The host is lower case without brackets; a name that is no
 * host name (odd bytes, user info, other schemes) is {@link Malformed}.
 *
 * @param path      the origin-form to send upstream ({@code /} for CONNECT, where it is unused)
 * @param authority the {@code Host} field to send upstream
 */
record Target(String host, int port, String path, String authority) {

    private static final int MAX_HOST = 253;

    static Target ofConnect(String authorityForm) throws Malformed {
        int colon = authorityForm.lastIndexOf(':');
        if (colon <= 0 || authorityForm.contains("/") || authorityForm.contains("@")) {
            throw new Malformed("CONNECT needs host:port, not " + HttpHead.printable(authorityForm));
        }
        String host = host(authorityForm.substring(0, colon));
        int port = port(authorityForm.substring(colon + 1));
        return new Target(host, port, "/", authorityForm);
    }

    static Target ofAbsolute(String uri) throws Malformed {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://")) {
            if (uri.startsWith("/")) {
                throw new Malformed("this is a proxy: send the absolute URI (GET http://host/path), not " + HttpHead.printable(uri));
            }
            throw new Malformed("only http:// URIs are proxied (use CONNECT for https): " + HttpHead.printable(uri));
        }
        String rest = uri.substring("http://".length());
        int end = rest.length();
        for (char stop : new char[] {'/', '?', '#'}) {
            int at = rest.indexOf(stop);
            if (at >= 0) end = Math.min(end, at);
        }
        String authority = rest.substring(0, end);
        if (authority.contains("@")) throw new Malformed("user info in a proxied URI is refused: " + HttpHead.printable(uri));
        String path = rest.substring(end);
        int fragment = path.indexOf('#');
        if (fragment >= 0) path = path.substring(0, fragment);
        if (path.isEmpty() || path.startsWith("?")) path = "/" + path;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7f) throw new Malformed("bad byte in request target");
        }
        String host;
        int port;
        int colon = authority.lastIndexOf(':');
        if (colon > authority.lastIndexOf(']')) {
            host = host(authority.substring(0, colon));
            port = port(authority.substring(colon + 1));
        } else {
            host = host(authority);
            port = 80;
        }
        return new Target(host, port, path, authority);
    }

    private static String host(String text) throws Malformed {
        // Read as URL parsers read a host (percent-decoded, full-width folded), so no spelling of an address slips by as malformed.
        boolean ascii = text.chars().allMatch(c -> c < 0x80);
        String h = AddressSpellings.fold(ascii ? text : new String(text.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        if (h.startsWith("[") && h.endsWith("]") && h.length() > 2) {
            String inner = h.substring(1, h.length() - 1);
            if (!inner.matches("[0-9a-f:.%]+")) throw new Malformed("bad IPv6 literal: " + HttpHead.printable(text));
            return inner;
        }
        if (h.isEmpty() || h.length() > MAX_HOST) throw new Malformed("bad host: " + HttpHead.printable(text));
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
            if (!ok) throw new Malformed("bad host: " + HttpHead.printable(text));
        }
        return h;
    }

    private static int port(String text) throws Malformed {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Malformed("bad port: " + HttpHead.printable(text));
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) throw new Malformed("bad port: " + text);
        return port;
    }

    String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
