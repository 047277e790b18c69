package dev.ale.cli.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The closing table: every check with what was expected and what was seen, and the totals. */
final class SummaryTable {

    private static final int OBSERVED_WIDTH = 44;

    private SummaryTable() {
    }

    static void print(PrintStream out, Style style, List<Check> checks, Duration took) {
        int nameWidth = width("CHECK", checks.stream().map(Check::name).toList());
        int expectedWidth = width("EXPECTED", checks.stream().map(Check::expected).toList());
        int observedWidth = width("OBSERVED", checks.stream().map(c -> cut(c.observed(), style)).toList());
        out.println();
        out.println(style.bold("What was contained"));
        out.println("  " + style.dim(pad("CHECK", nameWidth) + "  " + pad("EXPECTED", expectedWidth) + "  "
                + pad("OBSERVED", observedWidth) + "  HELD"));
        for (Check c : checks) {
            out.println("  " + pad(c.name(), nameWidth) + "  " + pad(c.expected(), expectedWidth) + "  "
                    + pad(cut(c.observed(), style), observedWidth) + "  " + style.mark(c.held()));
        }
        long held = checks.stream().filter(Check::held).count();
        String seconds = String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
        out.println();
        if (held == checks.size()) {
            out.println(style.green(held + " of " + checks.size() + " held") + ": everything the sandboxes tried was contained ("
                    + seconds + ").");
        } else {
            out.println(style.red(held + " of " + checks.size() + " held") + ": " + (checks.size() - held)
                    + " did not; see the lines marked " + style.mark(false) + " (" + seconds + ").");
        }
    }

    private static int width(String header, List<String> cells) {
        return Math.max(header.length(), cells.stream().mapToInt(String::length).max().orElse(0));
    }

    private static String cut(String text, Style style) {
        return text.length() <= OBSERVED_WIDTH ? text : text.substring(0, OBSERVED_WIDTH - style.ellipsis().length()) + style.ellipsis();
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
