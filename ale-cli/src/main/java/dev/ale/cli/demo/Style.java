package dev.ale.cli.demo;

import java.io.PrintStream;

/** Marks and colours: ANSI only on a terminal, and plain ASCII marks where stdout cannot encode ✓. */
final class Style {

    private final boolean ansi;
    private final boolean unicode;

    Style(PrintStream out, boolean ansi) {
        this.ansi = ansi;
        this.unicode = out.charset().newEncoder().canEncode("✓✗…");
    }

    boolean ansi() {
        return ansi;
    }

    String mark(boolean held) {
        String mark = unicode ? (held ? "✓" : "✗") : (held ? "ok" : "XX");
        return colour(held ? "32" : "31;1", mark);
    }

    String ellipsis() {
        return unicode ? "…" : "...";
    }

    String bold(String text) {
        return colour("1", text);
    }

    String dim(String text) {
        return colour("2", text);
    }

    String red(String text) {
        return colour("31;1", text);
    }

    String green(String text) {
        return colour("32;1", text);
    }

    private String colour(String code, String text) {
        return ansi ? "\033[" + code + "m" + text + "\033[0m" : text;
    }
}
