package dev.ale.cli.demo;

import java.io.PrintStream;

/**
 * A line per step. On a terminal the step shows while it runs and its line is rewritten with
 * the mark when it ends; elsewhere only the finished line is printed.
 */
final class Progress {

    static final int NAME_WIDTH = 28;

    private final PrintStream out;
    private final Style style;

    Progress(PrintStream out, Style style) {
        this.out = out;
        this.style = style;
    }

    void heading(String text) {
        out.println();
        out.println(style.bold(text));
    }

    void note(String text) {
        out.println(text);
    }

    void started(String step) {
        if (!style.ansi()) return;
        out.print("  " + style.dim(style.ellipsis() + " " + step));
        out.flush();
    }

    void finished(Check check) {
        if (style.ansi()) out.print("\r\033[K");
        out.println("  " + style.mark(check.held()) + " " + pad(check.name()) + " " + check.observed());
        out.flush();
    }

    private static String pad(String name) {
        return name.length() >= NAME_WIDTH ? name : name + " ".repeat(NAME_WIDTH - name.length());
    }
}
