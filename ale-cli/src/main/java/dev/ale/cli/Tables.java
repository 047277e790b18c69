package dev.ale.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Plain text tables: columns as wide as their widest cell, two spaces apart. */
final class Tables {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private Tables() {
    }

    static void print(PrintStream out, List<List<String>> rows) {
        int columns = rows.getFirst().size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) width[c] = Math.max(width[c], row.get(c).length());
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(row.get(c));
                if (c < columns - 1) line.append(" ".repeat(width[c] - row.get(c).length() + 2));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static String time(Instant instant) {
        return TIME.format(instant);
    }
}
