package dev.ale.tasks;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.util.Locale;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.task.AgentBudget;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import dev.ale.core.task.TaskEnvironment;
import dev.ale.core.task.VerifierSpec;
import dev.ale.core.yaml.YamlField;
import dev.ale.core.yaml.YamlMapping;
import dev.ale.core.yaml.YamlSource;
import dev.ale.tasks.TaskFiles.Found;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a Harbor task (Terminal-Bench 2's layout): {@code task.toml} (metadata, the verifier's and
 * the agent's timeouts, the environment's resources), {@code instruction.md},
 * {@code environment/Dockerfile}, {@code tests/test.sh} and {@code solution/solve.sh}. The verifier
 * writes its reward to {@code /logs/verifier/reward.txt} or {@code reward.json}; that reward is the
 * score. Keys ALE does not use are warnings; docs/tasks.md lists them.
 */
final class HarborReader {

    static final String TASK_FILE = "task.toml";
    static final List<String> TOP_LEVEL = List.of("version", "schema_version", "source", "task", "metadata", "verifier",
            "agent", "environment", "solution");
    static final List<String> VERIFIER = List.of("timeout_sec", "env", "user", "network_mode", "allowed_hosts");
    static final List<String> AGENT = List.of("timeout_sec", "user", "network_mode", "allowed_hosts");
    static final List<String> ENVIRONMENT = List.of("build_timeout_sec", "docker_image", "cpus", "memory_mb", "storage_mb",
            "memory", "storage", "gpus", "gpu_types", "allow_internet", "network_mode", "allowed_hosts", "mcp_servers", "env",
            "skills_dir", "healthcheck");
    /** Where Harbor's verifier writes its reward; ALE reads the first that exists. */
    static final List<String> REWARD_FILES = List.of("/logs/verifier/reward.txt", "/logs/verifier/reward.json");
    /** Harbor's default verifier timeout. */
    static final Duration DEFAULT_VERIFIER_TIMEOUT = Duration.ofSeconds(600);

    private static final TomlMapper TOML = new TomlMapper();
    private static final int MAX_BYTES = 1 << 20;

    private HarborReader() {
    }

    /** A Harbor task directory holds task.toml (and no task.yaml, which would make it one of the YAML layouts). */
    static boolean isHarbor(Path directory) {
        return Files.exists(directory.resolve(TASK_FILE)) && !Files.exists(directory.resolve(TaskLoader.TASK_FILE));
    }

    static Task read(TaskFiles files, Path shown) {
        Path file = shown.resolve(TASK_FILE);
        String written = file.toString();
        YamlSource source = new YamlSource(written, TaskLoader.ERRORS);
        ObjectNode tree = parse(files.root().resolve(TASK_FILE), written, source);
        List<String> warnings = new ArrayList<>();
        dropUnknown(tree, TOP_LEVEL, "", written, warnings);
        YamlMapping top = source.root(tree, TOP_LEVEL);
        String id = id(files.root(), shown);

        Set<String> tags = new LinkedHashSet<>();
        top.optional("metadata").ifPresent(m -> {
            if (!m.present().isObject()) throw m.error("must be a table ([metadata]), not " + YamlField.describe(m.present()));
            JsonNode meta = m.present();
            if (meta.has("tags")) {
                new YamlField(source, "metadata.tags", meta.get("tags")).items("words such as [\"bash\"]")
                        .forEach(i -> tags.add(TaskFields.tag(i)));
            }
            for (String key : List.of("category", "difficulty")) {
                if (meta.has(key)) tags.add(TaskFields.tag(new YamlField(source, "metadata." + key, meta.get(key))));
            }
        });
        top.optional("task").ifPresent(t -> warnings.add(written + ": [task]: read as package information; ALE names the task by"
                + " its directory, " + id));

        Duration verifierTimeout = DEFAULT_VERIFIER_TIMEOUT;
        Map<String, String> verifierEnv = Map.of();
        Optional<YamlField> verifierField = top.optional("verifier");
        if (verifierField.isPresent()) {
            YamlMapping v = section(verifierField.get(), VERIFIER, written, warnings);
            verifierTimeout = v.optional("timeout_sec").map(TerminalBenchReader::seconds).orElse(verifierTimeout);
            verifierEnv = v.optional("env").map(f -> env(f, written, warnings)).orElse(Map.of());
            ignored(v, List.of("user", "network_mode", "allowed_hosts"), written, warnings,
                    "the verifier runs as the sandbox's one user, with the passport's verify egress");
        }
        AgentBudget budget = AgentBudget.DEFAULT;
        Optional<YamlField> agentField = top.optional("agent");
        if (agentField.isPresent()) {
            YamlMapping a = section(agentField.get(), AGENT, written, warnings);
            Optional<Duration> timeout = a.optional("timeout_sec").filter(f -> !f.present().isNull()).map(TerminalBenchReader::seconds);
            if (timeout.isPresent()) budget = new AgentBudget(budget.maxSteps(), budget.maxTokens(), timeout.get());
            ignored(a, List.of("user", "network_mode", "allowed_hosts"), written, warnings,
                    "the agent runs as the sandbox's one user, with the passport's agent egress");
        }
        Optional<String> dockerImage = Optional.empty();
        Map<String, String> env = new LinkedHashMap<>();
        Optional<Double> cpus = Optional.empty();
        Optional<Long> memoryBytes = Optional.empty();
        Optional<YamlField> environmentField = top.optional("environment");
        if (environmentField.isPresent()) {
            YamlMapping e = section(environmentField.get(), ENVIRONMENT, written, warnings);
            dockerImage = e.optional("docker_image").map(f -> f.text("an image reference such as debian:bookworm-slim"));
            env.putAll(e.optional("env").map(f -> env(f, written, warnings)).orElse(Map.of()));
            cpus = e.optional("cpus").map(f -> {
                if (!f.present().isNumber() || !(f.present().doubleValue() > 0)) {
                    throw f.error("must be a number of CPUs more than 0, not " + YamlField.describe(f.present()));
                }
                return f.present().doubleValue();
            });
            Optional<Long> mb = e.optional("memory_mb").map(f -> TaskFields.wholeNumber(f, 1, 1L << 40, "2048"));
            Optional<Long> fromText = e.optional("memory").map(f -> sizeMb(f));
            memoryBytes = mb.or(() -> fromText).map(m -> m * 1024 * 1024);
            e.optional("storage_mb").ifPresent(f -> TaskFields.wholeNumber(f, 1, 1L << 40, "10240"));
            e.optional("storage").ifPresent(HarborReader::sizeMb);
            e.optional("build_timeout_sec").ifPresent(TerminalBenchReader::seconds);
            e.optional("gpus").ifPresent(f -> {
                if (TaskFields.wholeNumber(f, 0, 64, "0") > 0) {
                    warnings.add(written + ": environment.gpus: ignored; a sandbox gets GPUs only through its passport's devices");
                }
            });
            e.optional("allow_internet").ifPresent(f -> {
                if (f.bool()) {
                    warnings.add(written + ": environment.allow_internet: true is ignored; a sandbox reaches only what its"
                            + " passport's egress allows (by default nothing)");
                }
            });
            e.optional("mcp_servers").ifPresent(f -> {
                if (!f.items("a list of MCP servers").isEmpty()) {
                    warnings.add(written + ": environment.mcp_servers: ignored; ALE gives the agent only its own tools");
                }
            });
            ignored(e, List.of("gpu_types", "network_mode", "allowed_hosts", "skills_dir", "healthcheck"), written, warnings,
                    "it has no counterpart in an ALE sandbox");
        }
        top.optional("solution").ifPresent(f -> {
            YamlMapping s = section(f, List.of("env"), written, warnings);
            s.optional("env").ifPresent(x -> {
                if (!env(x, written, warnings).isEmpty()) {
                    warnings.add(written + ": solution.env: ignored; the reference solution runs with the agent's environment");
                }
            });
        });

        String instruction = instruction(files, shown);
        Found tests = files.fixed("tests").orElseThrow(() -> new TaskException(shown.resolve("tests") + ": no such directory;"
                + " a Harbor task keeps its verifier in tests/test.sh"));
        if (!Files.isDirectory(tests.real())) throw new TaskException(shown.resolve("tests") + ": is not a directory");
        Found testScript = files.fixed("tests/test.sh").orElseThrow(() -> new TaskException(shown.resolve("tests/test.sh")
                + ": no such file; it is the script that scores the agent's work"));
        if (!Files.isRegularFile(testScript.real())) throw new TaskException(shown.resolve("tests/test.sh") + ": is not a regular file");
        Optional<Path> solution = files.fixed("solution/solve.sh").map(s -> {
            if (!Files.isRegularFile(s.real())) throw new TaskException(shown.resolve("solution/solve.sh") + ": is not a regular file");
            return s.real();
        });
        TaskImages.Side side = TaskImages.read(files, shown, "environment", dockerImage);
        warnings.addAll(side.warnings());
        Map<String, String> allEnv = new LinkedHashMap<>(side.env());
        allEnv.putAll(env);

        TaskEnvironment environment = new TaskEnvironment(List.of(), Optional.empty(), AleTaskReader.DEFAULT_SETUP_TIMEOUT,
                side.workdir(), side.image(), allEnv, side.build());
        String testsDir = TaskLoader.TESTS_DIR;
        VerifierSpec verifier = new VerifierSpec(new CopyIn(testScript.real(), testsDir + "/test.sh"),
                List.of(new CopyIn(tests.real(), testsDir)), verifierTimeout, REWARD_FILES, verifierEnv);
        Passport passport = TaskLoader.passportFor(id, environment, budget, verifier);
        Resources r = passport.resources();
        if (cpus.isPresent() || memoryBytes.isPresent()) {
            long memory = memoryBytes.orElse(r.memoryBytes());
            passport = passport.withResources(r.withSizes(cpus.orElse(r.cpus()), memory, Math.min(r.workspaceBytes(), memory)));
        }
        return new Task(id, files.root(), Task.Format.HARBOR, instruction, environment, verifier, budget, passport,
                List.copyOf(tags), solution, List.of(), warnings);
    }

    private static ObjectNode parse(Path real, String written, YamlSource source) {
        String text;
        try (InputStream in = Files.newInputStream(real)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) throw source.error("is larger than 1MiB, the limit for a task file; check that this is the right file");
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw source.error("is not UTF-8 text; save it as UTF-8", e);
        } catch (IOException e) {
            throw source.error("cannot be read: " + e.getMessage(), e);
        }
        JsonNode tree;
        try {
            tree = TOML.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            throw source.error(where + "not valid TOML: " + e.getOriginalMessage(), e);
        }
        if (!(tree instanceof ObjectNode top)) throw source.error("is not a TOML document of tables");
        return top;
    }

    /** A table of task.toml; keys ALE does not know are warned about and dropped, not refused. */
    private static YamlMapping section(YamlField field, List<String> allowed, String written, List<String> warnings) {
        if (!(field.present() instanceof ObjectNode table)) {
            throw field.error("must be a table ([" + field.path() + "]), not " + YamlField.describe(field.present()));
        }
        ObjectNode copy = table.deepCopy();
        dropUnknown(copy, allowed, field.path(), written, warnings);
        return new YamlField(field.source(), field.path(), copy).section(allowed);
    }

    private static void dropUnknown(ObjectNode node, List<String> allowed, String path, String written, List<String> warnings) {
        List<String> unknown = new ArrayList<>();
        node.properties().forEach(p -> {
            if (!allowed.contains(p.getKey())) unknown.add(p.getKey());
        });
        for (String key : unknown) {
            node.remove(key);
            String shown = path.isEmpty() ? key : path + "." + key;
            warnings.add(written + ": " + YamlField.escape(shown) + ": ignored; not a key ALE knows"
                    + (path.isEmpty() ? " at the top level" : " in [" + path + "]"));
        }
    }

    private static void ignored(YamlMapping section, List<String> keys, String written, List<String> warnings, String why) {
        for (String key : keys) {
            section.optional(key).ifPresent(f -> {
                JsonNode v = f.present();
                boolean empty = v.isNull() || (v.isContainerNode() && v.isEmpty());
                if (!empty) warnings.add(written + ": " + f.path() + ": ignored; " + why);
            });
        }
    }

    /** A table of NAME = "value"; a value taken from the host (${X}) is left out, since ALE never passes the host's variables in. */
    private static Map<String, String> env(YamlField field, String written, List<String> warnings) {
        if (!(field.present() instanceof ObjectNode table)) {
            throw field.error("must be a table of NAME = \"value\", not " + YamlField.describe(field.present()));
        }
        Map<String, String> env = new LinkedHashMap<>();
        table.properties().forEach(p -> {
            if (!p.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) throw field.error(YamlField.quote(p.getKey()) + " is not a variable name");
            if (!p.getValue().isTextual()) throw field.error(p.getKey() + ": must be text, not " + YamlField.describe(p.getValue()));
            String value = p.getValue().textValue();
            if (value.contains("${")) {
                warnings.add(written + ": " + field.path() + "." + p.getKey() + ": takes its value from the host; left out,"
                        + " since ALE never passes the host's environment into a sandbox");
            } else {
                env.put(p.getKey(), value);
            }
        });
        return env;
    }

    /** Harbor's older sizes, "2G", "512M": megabytes. */
    private static long sizeMb(YamlField field) {
        String text = field.text("a size such as 2G or 512M").strip().toUpperCase(Locale.ROOT);
        try {
            if (text.endsWith("G")) return (long) (Double.parseDouble(text.substring(0, text.length() - 1)) * 1024);
            if (text.endsWith("M")) return (long) Double.parseDouble(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw field.error(YamlField.quote(text) + " is not a size; write e.g. 2G or 512M");
    }

    private static String instruction(TaskFiles files, Path shown) {
        Found found = files.fixed("instruction.md").orElseThrow(() -> new TaskException(shown.resolve("instruction.md")
                + ": no such file; a Harbor task's instruction is in instruction.md"));
        if (!Files.isRegularFile(found.real())) throw new TaskException(shown.resolve("instruction.md") + ": is not a regular file");
        try {
            String text = Files.readString(found.real(), StandardCharsets.UTF_8);
            if (text.isBlank()) throw new TaskException(shown.resolve("instruction.md") + ": is blank; write what the agent should do");
            return text.strip() + "\n";
        } catch (IOException e) {
            throw new TaskException(shown.resolve("instruction.md") + ": cannot be read as UTF-8 text: " + e.getMessage(), e);
        }
    }

    private static String id(Path root, Path shown) {
        String name = root.getFileName() == null ? "" : root.getFileName().toString();
        if (!TaskFields.ID.matcher(name).matches()) {
            throw new TaskException(shown + ": the directory name " + YamlField.quote(name) + " is not a valid task id, and a"
                    + " Harbor task takes its id from its directory: " + TaskFields.ID_RULE + "; rename the directory");
        }
        return name;
    }
}
