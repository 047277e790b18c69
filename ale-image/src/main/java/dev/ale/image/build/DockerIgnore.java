package dev.ale.image.build;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * A context's {@code .dockerignore}: one pattern a line ({@code #} comments, blank lines
 * skipped), {@code *} and {@code ?} within a path component, {@code **} across components, a
 * leading {@code !} re-including; the last pattern that matches a path (or a directory above it)
 * decides, as in Docker.
 */
final class DockerIgnore {

    private record Rule(List<PathMatcher> matchers, boolean include) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    static DockerIgnore none() {
        return new DockerIgnore(List.of());
    }

    static DockerIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            boolean include = line.startsWith("!");
            if (include) line = line.substring(1).strip();
            String p = String.join("/", clean(line));
            if (p.isEmpty()) continue;
            List<PathMatcher> m = new ArrayList<>();
            m.add(FileSystems.getDefault().getPathMatcher("glob:" + escapeBraces(p)));
            // Docker's ** also matches no directory at all: **/x matches x
            String q = p;
            while (q.startsWith("**/")) {
                q = q.substring(3);
                m.add(FileSystems.getDefault().getPathMatcher("glob:" + escapeBraces(q)));
            }
            rules.add(new Rule(m, include));
        }
        return new DockerIgnore(List.copyOf(rules));
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether {@code rel} (relative to the context, / separated) is left out of the context. */
    boolean excluded(String rel) {
        List<String> parts = clean(rel);
        boolean out = false;
        for (Rule r : rules) {
            if (matches(r, parts)) out = !r.include();
        }
        return out;
    }

    private static boolean matches(Rule r, List<String> parts) {
        // a pattern that names a directory leaves out everything under it
        for (int k = parts.size(); k >= 1; k--) {
            Path p = Path.of(String.join("/", parts.subList(0, k)));
            for (PathMatcher m : r.matchers()) if (m.matches(p)) return true;
        }
        return false;
    }

    private static List<String> clean(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!out.isEmpty()) out.removeLast();
                continue;
            }
            out.add(c);
        }
        return out;
    }

    /** Java's glob has {a,b} groups; Docker's patterns do not, so braces are literal. */
    private static String escapeBraces(String p) {
        return p.replace("{", "\\{").replace("}", "\\}");
    }
}
