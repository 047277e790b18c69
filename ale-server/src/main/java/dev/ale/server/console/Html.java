package dev.ale.server.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Text into HTML. Everything an agent can shape (argv, host names, paths, event details) is
 * hostile, so every value goes through {@link #text} before it meets markup, in element text and
 * in double-quoted attributes alike.
 */
final class Html {

    private Html() {
    }

    static String text(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                // a NUL or another control character shows as its code, not as something a parser may drop
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') out.append("\\x").append(String.format("%02x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.toString();
    }

    /** One path segment of a console link, escaped for the URL and then for the attribute. */
    static String segment(String s) {
        return text(URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"));
    }
}
