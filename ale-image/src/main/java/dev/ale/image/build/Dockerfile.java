package dev.ale.image.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Locale;

/**
 * A parsed Dockerfile: its parser directives, the {@code ARG}s before the first {@code FROM},
 * and its stages. Parsing is pure (no file system, no network) and refuses, with file, line and
 * reason, every line a build could not honour, so a refused file never starts a build.
 */
public record Dockerfile(String file, char escape, List<Instruction> globalArgs, List<Stage> stages) {

    public Dockerfile {
        globalArgs = List.copyOf(globalArgs);
        stages = List.copyOf(stages);
    }

    /** One {@code FROM} and the instructions up to the next: its base (as written), its name when it has one, its index. */
    public record Stage(int index, Instruction from, String base, Optional<String> name, Optional<String> platform,
                        List<Instruction> instructions) {

        public Stage {
            instructions = List.copyOf(instructions);
        }
    }

    /** Every instruction ALE builds, and those it refuses, each with why. */
    static final Set<String> KNOWN = Set.of("FROM", "RUN", "COPY", "ADD", "WORKDIR", "ENV", "ARG", "USER", "SHELL", "LABEL",
            "EXPOSE", "CMD", "ENTRYPOINT", "STOPSIGNAL", "MAINTAINER", "HEALTHCHECK");
    static final Map<String, String> REFUSED = Map.of(
            "VOLUME", "ALE sandboxes have no volumes: the path's contents are simply part of the image (remove the line)",
            "ONBUILD", "ONBUILD triggers are not supported (write the instructions into the Dockerfile that needs them)");
    private static final Map<String, Set<String>> FLAGS = Map.of(
            "FROM", Set.of("platform"),
            "COPY", Set.of("from", "chown", "chmod", "link"),
            "ADD", Set.of("chown", "chmod", "link"),
            "RUN", Set.of(),
            "HEALTHCHECK", Set.of());
    private static final Map<String, String> FLAG_REFUSALS = Map.of(
            "mount", "RUN --mount (cache, secret and bind mounts) is not supported",
            "network", "RUN --network is not supported: every RUN goes through ALE's gateway under the setup allowlist",
            "security", "RUN --security is not supported: build steps never get extra privileges",
            "checksum", "ADD --checksum is not supported (ADD of URLs is refused)",
            "keep-git-dir", "ADD --keep-git-dir is not supported (ADD of git repositories is refused)",
            "exclude", "--exclude is not supported");
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9_-]*)\\s*=\\s*(.*?)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("<<-?([\"']?)[A-Za-z_][A-Za-z0-9_]*\\1");
    private static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9_.-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses {@code text}, the contents of {@code file} (the name is only for messages). */
    public static Dockerfile parse(String text, String file) {
        String[] raw = text.replace("\r\n", "\n").split("\n", -1);
        char escape = '\\';
        int i = 0;
        // parser directives: only at the very top, before any comment, blank line or instruction
        for (; i < raw.length; i++) {
            Matcher m = DIRECTIVE.matcher(raw[i]);
            if (!m.matches()) break;
            String name = m.group(1).toLowerCase(Locale.ROOT);
            if (name.equals("escape")) {
                String v = m.group(2);
                if (!v.equals("\\") && !v.equals("`")) throw DockerfileException.at(file, i + 1, "the escape directive takes \\ or `, not " + v);
                escape = v.charAt(0);
            } else if (!name.equals("syntax") && !name.equals("check")) {
                break; // an unknown directive is a comment, and ends the directives
            }
        }
        List<Instruction> all = new ArrayList<>();
        while (i < raw.length) {
            String line = raw[i];
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                i++;
                continue;
            }
            int first = i;
            List<String> lines = new ArrayList<>();
            StringBuilder logical = new StringBuilder();
            while (true) {
                lines.add(raw[i]);
                String s = stripTrailing(raw[i]);
                i++;
                if (!s.isEmpty() && s.charAt(s.length() - 1) == escape) {
                    logical.append(s, 0, s.length() - 1);
                    // Docker drops comment and blank lines inside a continuation
                    while (i < raw.length && (raw[i].isBlank() || raw[i].strip().startsWith("#"))) {
                        lines.add(raw[i]);
                        i++;
                    }
                    if (i >= raw.length) break;
                } else {
                    logical.append(s);
                    break;
                }
            }
            all.add(instruction(file, first + 1, lines, logical.toString().strip(), escape));
        }
        return assemble(file, escape, all);
    }

    private static String stripTrailing(String s) {
        return s.stripTrailing();
    }

    private static Instruction instruction(String file, int line, List<String> lines, String logical, char escape) {
        int sp = indexOfSpace(logical);
        String keyword = (sp < 0 ? logical : logical.substring(0, sp)).toUpperCase(Locale.ROOT);
        String rest = sp < 0 ? "" : logical.substring(sp).strip();
        if (REFUSED.containsKey(keyword)) throw DockerfileException.at(file, line, keyword + " is refused: " + REFUSED.get(keyword));
        if (!KNOWN.contains(keyword)) throw DockerfileException.at(file, line, "unknown instruction " + keyword);
        Map<String, String> flags = new LinkedHashMap<>();
        if (FLAGS.containsKey(keyword)) {
            while (rest.startsWith("--")) {
                int end = indexOfSpace(rest);
                String token = end < 0 ? rest : rest.substring(0, end);
                rest = end < 0 ? "" : rest.substring(end).strip();
                int eq = token.indexOf('=');
                String name = eq < 0 ? token.substring(2) : token.substring(2, eq);
                String value = eq < 0 ? "" : token.substring(eq + 1);
                if (FLAG_REFUSALS.containsKey(name)) throw DockerfileException.at(file, line, keyword + ": " + FLAG_REFUSALS.get(name));
                if (!FLAGS.get(keyword).contains(name)) throw DockerfileException.at(file, line, keyword + ": unknown flag --" + name);
                if (flags.put(name, value) != null) throw DockerfileException.at(file, line, keyword + ": --" + name + " is given twice");
            }
        }
        if (Set.of("RUN", "COPY", "ADD").contains(keyword)) {
            for (String word : rest.split("\\s+")) {
                if (HEREDOC.matcher(word).matches()) {
                    throw DockerfileException.at(file, line,
                            keyword + ": heredocs (" + word + ") are not supported; put the text in a file of the build context and COPY it");
                }
            }
        }
        Optional<List<String>> json = Optional.empty();
        if (rest.startsWith("[")) json = jsonArray(rest);
        Instruction ins = new Instruction(file, line, keyword, lines, flags, rest, json);
        check(ins, escape);
        return ins;
    }

    private static int indexOfSpace(String s) {
        for (int k = 0; k < s.length(); k++) if (Character.isWhitespace(s.charAt(k))) return k;
        return -1;
    }

    /** A JSON array of strings, or empty when the text is not one (then it is shell form, as Docker reads it). */
    static Optional<List<String>> jsonArray(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isArray()) return Optional.empty();
            List<String> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isTextual()) return Optional.empty();
                out.add(e.asText());
            }
            return Optional.of(out);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** Checks what can be checked before any variable is known. */
    private static void check(Instruction ins, char escape) {
        String a = ins.args();
        switch (ins.keyword()) {
            case "RUN", "CMD", "ENTRYPOINT" -> {
                if (a.isEmpty() && !ins.keyword().equals("CMD")) throw ins.fail("needs a command");
                if (ins.json().isPresent() && ins.json().get().isEmpty() && ins.keyword().equals("RUN")) throw ins.fail("needs a command");
            }
            case "SHELL" -> {
                if (ins.json().isEmpty() || ins.json().get().isEmpty()) throw ins.fail("takes a JSON array, e.g. SHELL [\"/bin/sh\", \"-c\"]");
            }
            case "COPY", "ADD" -> {
                List<String> srcs = ins.json().orElseGet(() -> List.of(a.split("\\s+")));
                if (a.isEmpty() || srcs.size() < 2) throw ins.fail("needs at least one source and a destination");
                if (ins.keyword().equals("ADD")) {
                    for (String s : srcs.subList(0, srcs.size() - 1)) {
                        if (isRemote(s)) throw ins.fail("ADD of a URL or git repository (" + s
                                + ") is refused: a build fetches nothing outside its RUN steps, which go through the gateway; download it in a RUN instead");
                    }
                }
                ins.flag("chmod").ifPresent(m -> {
                    if (!m.matches("[0-7]{3,4}")) throw ins.fail("--chmod takes an octal mode (e.g. 0755), not " + m);
                });
                // names are looked up in the image being built when the step runs; a variable's value is checked then too
                ins.flag("chown").ifPresent(o -> {
                    if (!o.contains("$") && !o.matches("[^:\\s]+(:[^:\\s]+)?")) throw ins.fail("--chown=" + o + ": say user, uid, user:group or uid:gid");
                });
            }
            case "WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER" -> {
                if (a.isEmpty()) throw ins.fail("needs an argument");
            }
            case "ENV", "LABEL", "ARG", "EXPOSE" -> {
                if (a.isEmpty()) throw ins.fail("needs an argument");
            }
            case "HEALTHCHECK" -> {
                if (!a.equalsIgnoreCase("NONE")) {
                    throw ins.fail("is refused: ALE does not run health checks (HEALTHCHECK NONE is accepted)");
                }
            }
            default -> { }
        }
    }

    static boolean isRemote(String src) {
        String s = src.toLowerCase(Locale.ROOT);
        return s.startsWith("http://") || s.startsWith("https://") || s.startsWith("git@") || s.startsWith("git://")
                || s.startsWith("ssh://") || s.startsWith("ftp://");
    }

    private static Dockerfile assemble(String file, char escape, List<Instruction> all) {
        List<Instruction> globals = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        Stage current = null;
        List<Instruction> body = new ArrayList<>();
        for (Instruction ins : all) {
            if (ins.keyword().equals("FROM")) {
                if (current != null) stages.add(withBody(current, body));
                body = new ArrayList<>();
                current = from(ins, stages.size(), stages);
            } else if (current == null) {
                if (!ins.keyword().equals("ARG")) throw ins.fail("comes before the first FROM (only ARG may)");
                globals.add(ins);
            } else {
                body.add(ins);
            }
        }
        if (current == null) throw DockerfileException.at(file, Math.max(1, all.isEmpty() ? 1 : all.getLast().line()),
                "no FROM: a Dockerfile starts from an image");
        stages.add(withBody(current, body));
        return new Dockerfile(file, escape, globals, stages);
    }

    private static Stage withBody(Stage s, List<Instruction> body) {
        return new Stage(s.index(), s.from(), s.base(), s.name(), s.platform(), body);
    }

    private static Stage from(Instruction ins, int index, List<Stage> earlier) {
        String[] w = ins.args().isEmpty() ? new String[0] : ins.args().split("\\s+");
        Optional<String> name = Optional.empty();
        if (w.length == 3 && w[1].equalsIgnoreCase("AS")) {
            String n = w[2].toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(n).matches()) throw ins.fail("stage name " + w[2] + " is not valid (letters, digits, _ . -, starting with a letter)");
            if (earlier.stream().anyMatch(s -> s.name().equals(Optional.of(n)))) throw ins.fail("stage name " + n + " is used twice");
            name = Optional.of(n);
        } else if (w.length != 1) {
            throw ins.fail("takes an image and optionally AS name: FROM image [AS name]");
        }
        Optional<String> platform = ins.flag("platform");
        return new Stage(index, ins, w[0], name, platform, List.of());
    }
}
