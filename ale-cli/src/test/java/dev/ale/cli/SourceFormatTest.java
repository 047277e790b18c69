package dev.ale.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The format every Java source of ALE keeps, checked over the whole checkout: what a formatter
 * would otherwise enforce (no tabs, no trailing blanks, a final newline, lines of production code
 * of at most {@value #MAX_LINE} characters (tests keep their long literal cases on one line), no
 * wildcard imports) and what javac does not warn about (unused
 * imports, {@code java.util} names written out where an import would do), and a
 * {@code package-info.java} saying what each room of production code is for.
 */
class SourceFormatTest {

    private static final int MAX_LINE = 160;
    private static final Pattern IMPORT = Pattern.compile("(?m)^import (static )?([\\w.]+)\\.(\\w+|\\*);");
    private static final Pattern FULLY_QUALIFIED_UTIL = Pattern.compile("(?<![\\w.])java\\.util\\.([A-Z]\\w*)");
    private static final Pattern DECLARED_TYPE = Pattern.compile("\\b(?:class|interface|record|enum) (\\w+)");
    private static final Pattern JAVADOC_REFERENCE = Pattern.compile("\\{@(?:link|linkplain|value)\\s+([\\w.]+)|@(?:see|throws|exception)\\s+([\\w.]+)");

    private static List<Path> sources;

    @BeforeAll
    static void findSources() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        try (Stream<Path> walk = Files.walk(root)) {
            sources = walk.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> root.relativize(p).toString().matches("ale-[\\w-]+/src/.*"))
                    .sorted().toList();
        }
        assertThat(sources).as("the checkout's sources are found from the module directory").hasSizeGreaterThan(300);
    }

    @Test
    void noTabsTrailingBlanksOrOverlongLinesAndAFinalNewline() {
        List<String> problems = new ArrayList<>();
        for (Path p : sources) {
            String text = read(p);
            if (!text.endsWith("\n")) problems.add(p + ": no newline at the end");
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.indexOf('\t') >= 0) problems.add(p + ":" + (i + 1) + ": a tab");
                if (!line.isEmpty() && Character.isWhitespace(line.charAt(line.length() - 1))) problems.add(p + ":" + (i + 1) + ": trailing blanks");
                if (line.length() > MAX_LINE && p.toString().contains("/src/main/")) problems.add(p + ":" + (i + 1) + ": " + line.length() + " characters");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void noWildcardOrUnusedImports() {
        List<String> problems = new ArrayList<>();
        for (Path p : sources) {
            String text = read(p);
            String code = codeOnly(text);
            Matcher m = IMPORT.matcher(text);
            while (m.find()) {
                String name = m.group(3);
                if (name.equals("*")) {
                    if (m.group(1) == null) problems.add(p + ": wildcard import of " + m.group(2));
                    continue;
                }
                if (!Pattern.compile("\\b" + name + "\\b").matcher(code).find()) problems.add(p + ": unused import of " + m.group(2) + "." + name);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void javaUtilNamesAreImportedNotWrittenOut() {
        List<String> problems = new ArrayList<>();
        for (Path p : sources) {
            String text = read(p);
            // the simple names taken by another import or by a type of this file
            Set<String> taken = new HashSet<>();
            Matcher imports = IMPORT.matcher(text);
            while (imports.find()) {
                if (!imports.group(2).equals("java.util")) taken.add(imports.group(3));
            }
            Matcher types = DECLARED_TYPE.matcher(text);
            while (types.find()) taken.add(types.group(1));
            Matcher m = FULLY_QUALIFIED_UTIL.matcher(codeOnly(text));
            while (m.find()) {
                // written out on purpose only where the simple name is taken
                if (!taken.contains(m.group(1))) problems.add(p + ": " + m.group() + " written out");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyRoomOfProductionCodeSaysWhatItIsFor() {
        List<String> missing = sources.stream().filter(p -> p.toString().contains("/src/main/java/")).map(Path::getParent).distinct()
                .filter(dir -> !Files.exists(dir.resolve("package-info.java"))).map(Path::toString).toList();
        assertThat(missing).isEmpty();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The source without its package and import lines, strings and comments, but with the names
     * Javadoc refers to (an import used only by {@code {@link X}} is used).
     */
    static String codeOnly(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int n = src.length();
        int i = 0;
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("\"\"\"", i)) {
                int j = src.indexOf("\"\"\"", i + 3);
                i = j < 0 ? n : j + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && src.charAt(j) != c && src.charAt(j) != '\n') j += src.charAt(j) == '\\' ? 2 : 1;
                i = j + 1;
                out.append(c).append(c);
            } else if (src.startsWith("//", i)) {
                int j = src.indexOf('\n', i);
                i = j < 0 ? n : j;
            } else if (src.startsWith("/*", i)) {
                int j = src.indexOf("*/", i + 2);
                String comment = src.substring(i, j < 0 ? n : j + 2);
                Matcher ref = JAVADOC_REFERENCE.matcher(comment);
                while (ref.find()) out.append(' ').append(ref.group(1) != null ? ref.group(1) : ref.group(2)).append(' ');
                i = j < 0 ? n : j + 2;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString().replaceAll("(?m)^\\s*(package|import) [^;]*;", "");
    }
}
