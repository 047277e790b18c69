package dev.ale.image.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Locale;

/** A {@code WWW-Authenticate} challenge: its scheme ({@code Bearer}, {@code Basic}) and parameters. */
record Challenge(String scheme, Map<String, String> params) {

    static Optional<Challenge> parse(String header) {
        String h = header.strip();
        int sp = h.indexOf(' ');
        String scheme = sp < 0 ? h : h.substring(0, sp);
        if (scheme.isEmpty()) return Optional.empty();
        Map<String, String> params = new LinkedHashMap<>();
        int i = sp < 0 ? h.length() : sp + 1;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) i++;
            int eq = h.indexOf('=', i);
            if (eq < 0) break;
            String key = h.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < h.length() && h.charAt(i) == '"') {
                i++;
                while (i < h.length() && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < h.length()) i++;
                    value.append(h.charAt(i++));
                }
                i++;
            } else {
                while (i < h.length() && h.charAt(i) != ',') value.append(h.charAt(i++));
            }
            params.put(key, value.toString().strip());
        }
        return Optional.of(new Challenge(scheme, params));
    }

    boolean isBearer() {
        return scheme.equalsIgnoreCase("Bearer");
    }

    boolean isBasic() {
        return scheme.equalsIgnoreCase("Basic");
    }
}
