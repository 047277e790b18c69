package dev.ale.gateway.sink;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads an HTTP/1 request line and its Host header from the first bytes of a connection. */
final class HttpRequestHead {

    /** An upper-case method token and a space; "SSH-2.0-..." and JSON never look like this. */
    private static final Pattern METHOD_START = Pattern.compile("[A-Z][A-Z_-]{0,19} ");
    private static final Pattern REQUEST_LINE = Pattern.compile("([A-Z][A-Z_-]{0,19}) (\\S+) HTTP/\\d(?:\\.\\d)?");
    private static final int MAX_METHOD = 20;

    private HttpRequestHead() {
    }

    static boolean startsLikeRequest(byte[] bytes, int length) {
        int space = FirstBytes.indexOf(bytes, Math.min(length, MAX_METHOD + 1), (byte) ' ');
        return space > 0 && METHOD_START.matcher(text(bytes, space + 1)).matches();
    }

    /**
     * Whether the blank line that ends the request head has arrived, or a first line that is no
     * request line ("EHLO mail.example"): then there is nothing more to wait for.
     */
    static boolean complete(byte[] bytes, int length) {
        String head = text(bytes, length);
        int newline = head.indexOf('\n');
        if (newline >= 0 && !REQUEST_LINE.matcher(withoutCr(head.substring(0, newline))).matches()) {
            return true;
        }
        return head.contains("\r\n\r\n") || head.contains("\n\n");
    }

    static Optional<Classification.Http> parse(byte[] bytes, int length) {
        String[] lines = text(bytes, length).split("\r?\n", -1);
        Matcher requestLine = REQUEST_LINE.matcher(withoutCr(lines[0]));
        if (!requestLine.matches()) {
            return Optional.empty();
        }
        String method = requestLine.group(1);
        String target = FirstBytes.printable(requestLine.group(2));
        String host = "";
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("host")) {
                host = FirstBytes.printable(lines[i].substring(colon + 1).trim());
                break;
            }
        }
        String path = target;
        int scheme = target.indexOf("://");
        if (scheme > 0 && !method.equals("CONNECT")) {
            // Absolute form, as sent to a proxy: GET http://host/path HTTP/1.1
            int authorityEnd = indexOfAny(target, scheme + 3, "/?#");
            if (host.isEmpty()) {
                host = target.substring(scheme + 3, authorityEnd);
            }
            path = authorityEnd < target.length() ? target.substring(authorityEnd) : "/";
        } else if (host.isEmpty() && method.equals("CONNECT")) {
            host = target;
        }
        return Optional.of(new Classification.Http(method, host, path));
    }

    private static String withoutCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static int indexOfAny(String text, int from, String chars) {
        for (int i = from; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }

    /** Latin-1 maps every byte to one char, so decoding never fails and offsets stay put. */
    private static String text(byte[] bytes, int length) {
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }
}
