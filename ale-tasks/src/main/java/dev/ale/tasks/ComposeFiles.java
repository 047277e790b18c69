package dev.ale.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ale.core.yaml.StrictYaml;
import dev.ale.core.yaml.YamlField;
import dev.ale.core.yaml.YamlSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a task's {@code docker-compose.yaml} for its one service, the container the agent works in
 * (Terminal-Bench names it {@code client}): its image or build, its environment and working
 * directory. ALE makes one sandbox per episode, so a second service (a database, a server the
 * tests talk to) refuses the task with that reason.
 */
final class ComposeFiles {

    /** The one service: where its Dockerfile is (relative to the task directory), or the image it runs. */
    record Service(String name, Optional<String> dockerfile, Optional<String> image, Optional<String> workdir,
                   Map<String, String> env, List<String> warnings) {
    }

    private static final StrictYaml YAML = new StrictYaml("compose file", 1 << 20, 16, "sixteen");
    private static final Set<String> TOP = Set.of("services", "version", "name", "networks", "volumes");
    /** Keys of Terminal-Bench's standard service that describe how its harness drives the container: read, no effect. */
    private static final Set<String> HARNESS = Set.of("build", "image", "container_name", "command", "environment",
            "volumes", "working_dir", "tty", "stdin_open", "init");

    private ComposeFiles() {
    }

    static Service read(Path file, String written) {
        YamlSource source = new YamlSource(written, TaskLoader.ERRORS);
        JsonNode tree = YAML.read(file, source);
        if (!(tree instanceof ObjectNode top)) throw source.error("must be a mapping with services:, not " + YamlField.describe(tree));
        List<String> warnings = new ArrayList<>();
        top.properties().forEach(p -> {
            if (!TOP.contains(p.getKey())) warnings.add(written + ": " + p.getKey() + ": ignored; ALE reads only services");
        });
        JsonNode services = top.get("services");
        if (!(services instanceof ObjectNode serviceMap) || serviceMap.isEmpty()) {
            throw source.error("services: is required, a mapping with the one service the agent works in");
        }
        if (serviceMap.size() > 1) {
            List<String> names = new ArrayList<>();
            serviceMap.properties().forEach(p -> names.add(p.getKey()));
            throw source.error("services: defines " + names.size() + " services (" + String.join(", ", names) + "); ALE runs"
                    + " one sandbox per episode, so a task that needs a second container (a database, a server) cannot run");
        }
        var entry = serviceMap.properties().iterator().next();
        String name = entry.getKey();
        String at = "services." + name;
        if (!(entry.getValue() instanceof ObjectNode service)) {
            throw source.error(at + ": must be a mapping such as {build: {dockerfile: Dockerfile}}, not "
                    + YamlField.describe(entry.getValue()));
        }
        service.properties().forEach(p -> {
            if (!HARNESS.contains(p.getKey())) {
                warnings.add(written + ": " + at + "." + p.getKey() + ": ignored; ALE reads the service's build, image,"
                        + " environment and working_dir");
            }
        });
        Optional<String> dockerfile = build(service.get("build"), source, at);
        Optional<String> image = text(service, "image", source, at)
                // Terminal-Bench names the image it builds through its own variable: that is not an image to pull
                .filter(i -> !i.contains("${"));
        Optional<String> workdir = text(service, "working_dir", source, at);
        Map<String, String> env = environment(service.get("environment"), source, at, written, warnings);
        return new Service(name, dockerfile, image, workdir, Map.copyOf(env), List.copyOf(warnings));
    }

    /** build: CONTEXT, or build: {context, dockerfile}: the Dockerfile's path relative to the task directory. */
    private static Optional<String> build(JsonNode build, YamlSource source, String at) {
        if (build == null || build.isNull()) return Optional.empty();
        if (build.isTextual()) return Optional.of(join(build.textValue(), "Dockerfile"));
        if (!(build instanceof ObjectNode b)) {
            throw source.error(at + ".build: must be a directory or a mapping of context and dockerfile, not " + YamlField.describe(build));
        }
        String context = b.has("context") ? b.get("context").asText() : ".";
        String dockerfile = b.has("dockerfile") ? b.get("dockerfile").asText() : "Dockerfile";
        for (String key : List.of("args", "target")) {
            if (b.has(key)) throw source.error(at + ".build." + key + ": needs an image build, which ALE cannot do yet");
        }
        return Optional.of(join(context, dockerfile));
    }

    private static String join(String context, String file) {
        String c = context.strip();
        if (c.isEmpty() || c.equals(".") || c.equals("./")) return file;
        return (c.endsWith("/") ? c : c + "/") + file;
    }

    private static Optional<String> text(ObjectNode service, String key, YamlSource source, String at) {
        JsonNode value = service.get(key);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isTextual()) throw source.error(at + "." + key + ": must be text, not " + YamlField.describe(value));
        return Optional.of(value.textValue());
    }

    /**
     * environment: a list of NAME=VALUE or a mapping. A value taken from the host's variables
     * ({@code ${X}}) is left out: ALE never passes the host's environment into a sandbox, and sets
     * TEST_DIR (Terminal-Bench's one such variable) itself.
     */
    private static Map<String, String> environment(JsonNode node, YamlSource source, String at, String written, List<String> warnings) {
        Map<String, String> env = new LinkedHashMap<>();
        if (node == null || node.isNull()) return env;
        Map<String, String> raw = new LinkedHashMap<>();
        if (node.isArray()) {
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    throw source.error(at + ".environment: an item must be NAME=VALUE text, not " + YamlField.describe(item)
                            + " (quote it if it holds ': ')");
                }
                String s = item.asText();
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    warnings.add(written + ": " + at + ".environment: " + YamlField.quote(s) + " takes its value from the host;"
                            + " left out, since ALE never passes the host's environment into a sandbox");
                    continue;
                }
                raw.put(s.substring(0, eq), s.substring(eq + 1));
            }
        } else if (node instanceof ObjectNode map) {
            map.properties().forEach(p -> raw.put(p.getKey(), p.getValue().isNull() ? "${" + p.getKey() + "}" : p.getValue().asText()));
        } else {
            throw source.error(at + ".environment: must be a list of NAME=VALUE or a mapping, not " + YamlField.describe(node));
        }
        raw.forEach((k, v) -> {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw source.error(at + ".environment: " + YamlField.quote(k) + " is not a variable name");
            }
            if (v.contains("$")) {
                if (!k.equals("TEST_DIR")) {
                    warnings.add(written + ": " + at + ".environment: " + k + "=" + v + " takes its value from the host;"
                            + " left out, since ALE never passes the host's environment into a sandbox");
                }
            } else {
                env.put(k, v);
            }
        });
        return env;
    }
}
