package dev.ale.report;

import java.util.Locale;
import java.util.OptionalDouble;

/** Escaping and number formats shared by the page and its SVG. */
final class Html {

    private Html() {
    }

    /**
     * Text made safe for HTML and SVG, in element content and in quoted attributes alike. Every
     * string a run holds passed through an agent's hands, so all of it goes through here.
     */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                case '\n', '\t' -> out.append(c);
                case '\r' -> { }
                default -> out.append(c < 0x20 || c == 0x7f ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    /** At most {@code max} characters, with an ellipsis when cut. */
    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 1)) + "…";
    }

    /** 0.5 → "50%", 1/3 → "33.3%". */
    static String percent(double fraction) {
        double p = fraction * 100;
        return Math.abs(p - Math.rint(p)) < 1e-9 ? String.format(Locale.ROOT, "%.0f%%", p) : String.format(Locale.ROOT, "%.1f%%", p);
    }

    static String percent(OptionalDouble fraction) {
        return fraction.isPresent() ? percent(fraction.getAsDouble()) : "–";
    }

    static String number(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String number(OptionalDouble v) {
        return v.isPresent() ? number(v.getAsDouble()) : "–";
    }

    /** A coordinate for SVG: one decimal is enough on screen and keeps the file small. */
    static String px(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
