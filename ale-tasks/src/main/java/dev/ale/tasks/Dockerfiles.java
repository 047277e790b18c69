package dev.ale.tasks;

import dev.ale.core.yaml.YamlField;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Dockerfile of a Terminal-Bench or Harbor task for what the episode needs to know
 * before any image exists: the base image ({@code FROM}), the working directory ({@code WORKDIR}),
 * the variables ({@code ENV}), and whether it changes the image's files ({@code RUN}, {@code COPY},
 * {@code ADD}, a second stage). Such a Dockerfile is built by ALE's image builder when the task
 * runs, which checks every line strictly; this reader only refuses what no build can honour.
 */
final class Dockerfiles {

    /**
     * What a Dockerfile gives ALE. {@code workdirLine} is 0 without a WORKDIR; {@code builds} says
     * the image's files change ({@code buildLine} the first line that changes them, else 0).
     */
    record Recipe(Optional<String> image, Optional<String> workdir, int workdirLine, Map<String, String> env, List<String> warnings,
                  boolean builds, int buildLine) {
    }

    /** Instructions that change nothing in a sandbox on the host root; read, warned about there, not used. */
    static final Set<String> IGNORED = Set.of("CMD", "ENTRYPOINT", "EXPOSE", "USER", "ARG", "STOPSIGNAL", "HEALTHCHECK",
            "SHELL", "MAINTAINER", "VOLUME", "LABEL");
    /** Instructions that change the image's files: the task runs in the image ALE builds from the Dockerfile. */
    static final Set<String> BUILDS = Set.of("RUN", "COPY", "ADD");
    /** Of {@link #IGNORED}, those an image build honours: no warning when the task's image is built. */
    private static final Set<String> HONOURED_BY_BUILD = Set.of("CMD", "ENTRYPOINT", "USER", "ARG", "SHELL", "MAINTAINER", "LABEL");

    private static final int MAX_BYTES = 1 << 20;
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private Dockerfiles() {
    }

    /**
     * @param dockerfile the real path of the Dockerfile
     * @param written how messages name it, such as {@code tasks/x/Dockerfile}
     */
    static Recipe read(Path dockerfile, String written) {
        List<String> lines = text(dockerfile, written).lines().toList();
        char escape = escapeCharacter(lines);
        Optional<String> image = Optional.empty();
        Optional<String> workdir = Optional.empty();
        int workdirLine = 0;
        Map<String, String> env = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> warnedFor = new LinkedHashMap<>();
        int buildLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int first = i;
            StringBuilder joined = new StringBuilder();
            // an instruction goes on while its line ends with the escape character; comment lines within are dropped
            String part = line;
            while (true) {
                boolean goesOn = part.endsWith(String.valueOf(escape)) && i + 1 < lines.size();
                joined.append(goesOn ? part.substring(0, part.length() - 1) : part).append(goesOn ? " " : "");
                if (!goesOn) break;
                do {
                    i++;
                    part = lines.get(i).strip();
                } while (part.startsWith("#") && i + 1 < lines.size());
            }
            String instruction = joined.toString().strip();
            String[] words = instruction.split("\\s+", 2);
            String keyword = words[0].toUpperCase(Locale.ROOT);
            String rest = words.length > 1 ? words[1].strip() : "";
            String where = written + " line " + (first + 1) + " `" + YamlField.escape(clip(line)) + "`";
            switch (keyword) {
                case "FROM" -> {
                    // a second FROM is a multi-stage build: the task's image is built, from its first base
                    if (image.isPresent()) {
                        if (buildLine == 0) buildLine = first + 1;
                        // the last stage is the image, and its working directory and variables start afresh
                        workdir = Optional.empty();
                        workdirLine = 0;
                        env.clear();
                        continue;
                    }
                    image = Optional.of(from(rest, where));
                }
                case "WORKDIR" -> {
                    String path = substitute(unquote(rest), env);
                    if (path.isEmpty()) throw new TaskException(where + ": WORKDIR names no directory");
                    if (!path.startsWith("/")) path = workdir.orElse("/") + "/" + path;
                    workdir = Optional.of(Path.of(path).normalize().toString());
                    workdirLine = first + 1;
                }
                case "ENV" -> env.putAll(env(rest, env, where));
                case "ONBUILD" -> throw new TaskException(where + ": ONBUILD is refused: it runs in the builds of other images,"
                        + " and ALE builds only the task's own");
                default -> {
                    if (BUILDS.contains(keyword)) {
                        if (buildLine == 0) buildLine = first + 1;
                        continue;
                    }
                    if (!IGNORED.contains(keyword)) {
                        throw new TaskException(where + ": " + YamlField.quote(words[0]) + " is not a Dockerfile instruction ALE"
                                + " knows; it builds with FROM, RUN, COPY, ADD, WORKDIR, ENV and reads "
                                + String.join(", ", IGNORED.stream().sorted().toList()));
                    }
                    warnedFor.put(where, keyword);
                }
            }
        }
        if (image.isEmpty()) throw new TaskException(written + ": has no FROM line; a Dockerfile starts from a base image");
        boolean builds = buildLine > 0;
        warnedFor.forEach((where, keyword) -> {
            if (keyword.equals("LABEL") || keyword.equals("MAINTAINER") || builds && HONOURED_BY_BUILD.contains(keyword)) return;
            warnings.add(where + ": ignored; " + keyword + " has no effect in an ALE sandbox");
        });
        return new Recipe(image, workdir, workdirLine, Map.copyOf(env), List.copyOf(warnings), builds, buildLine);
    }

    /** FROM [--platform=P] IMAGE [AS NAME]: the image reference. */
    private static String from(String rest, String where) {
        List<String> words = new ArrayList<>(List.of(rest.split("\\s+")));
        words.removeIf(w -> w.startsWith("--"));
        if (words.isEmpty() || words.getFirst().isEmpty()) throw new TaskException(where + ": FROM names no image");
        if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS")) return words.getFirst();
        if (words.size() != 1) throw new TaskException(where + ": expected FROM IMAGE [AS NAME]");
        if (words.getFirst().contains("$")) {
            throw new TaskException(where + ": the image is named through a build argument; write the image reference itself");
        }
        return words.getFirst();
    }

    /** ENV K=V [K2="v 2" ...], or the older ENV K V (the rest of the line is the value). */
    private static Map<String, String> env(String rest, Map<String, String> earlier, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> known = new LinkedHashMap<>(earlier);
        String first = rest.split("\\s+", 2)[0];
        if (!first.contains("=")) {
            String[] kv = rest.split("\\s+", 2);
            if (kv.length < 2) throw new TaskException(where + ": ENV needs a name and a value");
            out.put(name(kv[0], where), substitute(unquote(kv[1].strip()), known));
            return out;
        }
        for (String token : tokens(rest, where)) {
            int eq = token.indexOf('=');
            if (eq <= 0) throw new TaskException(where + ": " + YamlField.quote(token) + " is not NAME=VALUE");
            String value = substitute(unquote(token.substring(eq + 1)), known);
            String name = name(token.substring(0, eq), where);
            out.put(name, value);
            known.put(name, value);
        }
        return out;
    }

    private static String name(String name, String where) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new TaskException(where + ": " + YamlField.quote(name) + " is not a variable name");
        return name;
    }

    /** Splits on blanks outside double or single quotes; quotes stay for {@link #unquote}. */
    private static List<String> tokens(String text, String where) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"' && i + 1 < text.length()) {
                    current.append(c).append(text.charAt(++i));
                    continue;
                }
                if (c == quote) quote = 0;
                current.append(c);
            } else if (c == '"' || c == '\'') {
                quote = c;
                current.append(c);
            } else if (Character.isWhitespace(c)) {
                if (!current.isEmpty()) tokens.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (quote != 0) throw new TaskException(where + ": a quote is not closed");
        if (!current.isEmpty()) tokens.add(current.toString());
        return tokens;
    }

    /** Removes the quotes of quoted parts, keeping what they hold. */
    private static String unquote(String text) {
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else if (quote == '"' && c == '\\' && i + 1 < text.length()) {
                out.append(text.charAt(++i));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** $NAME and ${NAME} from variables set earlier in the Dockerfile; others become empty, as Docker makes them. */
    private static String substitute(String text, Map<String, String> env) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(name, "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String clip(String line) {
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }

    /** The {@code # escape=`} parser directive, which Windows-minded Dockerfiles use; '\' otherwise. */
    private static char escapeCharacter(List<String> lines) {
        for (String line : lines) {
            String s = line.strip();
            if (!s.startsWith("#")) break;
            String directive = s.substring(1).strip().toLowerCase(Locale.ROOT);
            if (directive.startsWith("escape=") && directive.length() > "escape=".length()) {
                return s.charAt(s.length() - 1);
            }
        }
        return '\\';
    }

    private static String text(Path dockerfile, String written) {
        try (InputStream in = Files.newInputStream(dockerfile)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new TaskException(written + ": is larger than 1MiB; check that this is the right file");
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TaskException(written + ": is not UTF-8 text; save it as UTF-8", e);
        } catch (IOException e) {
            throw new TaskException(written + ": cannot be read: " + e.getMessage(), e);
        }
    }
}
