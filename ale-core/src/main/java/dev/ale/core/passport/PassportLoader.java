package dev.ale.core.passport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.yaml.InputErrors;
import dev.ale.core.yaml.StrictYaml;
import dev.ale.core.yaml.YamlField;
import dev.ale.core.yaml.YamlMapping;
import dev.ale.core.yaml.YamlSource;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a passport from YAML. Every field is checked by hand rather than by data binding, so that
 * each mistake is reported as {@code file: field.path: reason} and nothing unknown is ignored.
 */
public final class PassportLoader {

    /** A passport is a short hand-written file; anything larger is the wrong file, not a bigger passport. */
    public static final int MAX_BYTES = 1 << 20;

    /**
     * A passport nests five levels deep (egress.agent[0].ports[0]); the limit stops a crafted file
     * from costing stack or time long before Jackson's own limit of 1000 would.
     */
    static final int MAX_NESTING = 64;

    static final List<String> TOP_LEVEL =
            List.of("id", "resources", "filesystem", "devices", "egress", "protected", "detectors", "model", "hold");
    static final List<String> RESOURCES = List.of("cpus", "memory", "pids", "wallTime", "workspaceSize", "cpuSustained");
    static final List<String> FILESYSTEM = List.of("rootfs", "image", "hidden", "readOnly");
    static final List<String> DEVICES = List.of("gpu");
    static final List<String> MODEL = List.of("proxy", "tokens");
    static final List<String> PHASES = Arrays.stream(Phase.values()).map(Phase::wire).toList();
    static final List<String> EGRESS_ENTRY = List.of("domain", "ports", "websocket");
    static final List<String> CATEGORIES = Arrays.stream(Category.values()).map(Category::wire).toList();
    static final List<String> DETECTOR = List.of("action", "penalty");
    static final List<String> HOLD = List.of("deadline", "fallback");
    private static final List<String> ACTIONS =
            Arrays.stream(Action.values()).map(a -> a.name().toLowerCase(Locale.ROOT)).toList();

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern DECIMAL = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final double MAX_CPUS = 1024;
    private static final long MIN_MEMORY = 4L << 20;
    private static final long MIN_WORKSPACE = 1L << 20;
    private static final Duration MIN_CPU_SUSTAINED = Duration.ofSeconds(1);
    /** The kernel's own ceiling (PID_MAX_LIMIT on 64-bit); a larger pids.max means nothing. */
    private static final long MAX_PIDS = 4_194_304;
    private static final int MAX_PORT = 65_535;
    /** A model-proxy token budget past this is a typo, not a budget. */
    private static final long MAX_MODEL_TOKENS = 1_000_000_000_000L;

    /**
     * Sandbox paths a read-only bind must not cover: the sandbox builder mounts its own /proc,
     * /dev, workspace and /tmp there, and a bind on / would replace the whole view.
     */
    private static final List<Path> RESERVED_SANDBOX_PATHS =
            List.of(Path.of("/proc"), Path.of("/dev"), Path.of("/workspace"), Path.of("/tmp"));

    private static final StrictYaml YAML = new StrictYaml("passport", MAX_BYTES, MAX_NESTING, "five");
    private static final InputErrors ERRORS = InputErrors.of(PassportException::new, PassportException::new);

    private PassportLoader() {
    }

    /** Reads and checks the passport in {@code file}; errors name the file as given. */
    public static Passport load(Path file) {
        return load(file, file.toString());
    }

    /** Reads and checks the passport in {@code file}; errors call it {@code name} (the path as a user gave it, relative to elsewhere). */
    public static Passport load(Path file, String name) {
        Objects.requireNonNull(file, "file");
        YamlSource source = new YamlSource(name, ERRORS);
        return passport(source, YAML.read(file, source));
    }

    /** Checks a passport given as YAML text; {@code sourceName} is what error messages call it. */
    public static Passport parse(String yaml, String sourceName) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        YamlSource source = new YamlSource(sourceName, ERRORS);
        return passport(source, YAML.parse(yaml, source));
    }

    /**
     * Checks a passport written inline as the value of {@code field} in another file (a task's
     * {@code passport:}); errors name that file and the field path below it, and are that file's
     * exception. Without an {@code id} the passport takes {@code defaultId}.
     */
    public static Passport read(YamlField field, String defaultId) {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(defaultId, "defaultId");
        return passport(field.section(TOP_LEVEL), Optional.of(defaultId));
    }

    private static Passport passport(YamlSource source, JsonNode tree) {
        if (tree == null || tree.isNull() || tree.isMissingNode() || (tree.isTextual() && tree.textValue().isBlank())) {
            throw source.error("is empty; a passport needs at least an id, such as: id: coder-1");
        }
        if (!(tree instanceof ObjectNode root)) {
            throw source.error("must be a mapping of " + String.join(", ", TOP_LEVEL)
                    + ", not " + YamlField.describe(tree));
        }
        return passport(source.root(root, TOP_LEVEL), Optional.empty());
    }

    // ---- sections: one method each; a new section adds its key to TOP_LEVEL and a method here ----

    private static Passport passport(YamlMapping top, Optional<String> defaultId) {
        String id = defaultId.isPresent()
                ? top.optional("id").map(PassportLoader::id).orElse(defaultId.get())
                : id(top.required("id", "id: coder-1"));
        Resources resources = top.optional("resources")
                .map(f -> resources(f.section(RESOURCES)))
                .orElseGet(Resources::defaults);
        FilesystemRules filesystem = top.optional("filesystem")
                .map(f -> filesystem(f.section(FILESYSTEM)))
                .orElseGet(FilesystemRules::defaults);
        Devices devices = top.optional("devices")
                .map(f -> devices(f.section(DEVICES)))
                .orElseGet(Devices::none);
        EgressRules egress = top.optional("egress")
                .map(f -> egress(f.section(PHASES, "phase")))
                .orElseGet(EgressRules::none);
        List<String> protectedPaths = top.optional("protected")
                .map(f -> protectedPaths(f.items("absolute paths inside the sandbox")))
                .orElse(List.of());
        DetectorSettings detectors = top.optional("detectors")
                .map(f -> detectors(f.section(CATEGORIES, "detector category")))
                .orElseGet(DetectorSettings::defaults);
        ModelAccess model = top.optional("model")
                .map(f -> model(f.section(MODEL)))
                .orElseGet(ModelAccess::defaults);
        HoldRules hold = top.optional("hold")
                .map(f -> hold(f.section(HOLD)))
                .orElseGet(HoldRules::defaults);
        return new Passport(id, resources, filesystem, devices, egress, protectedPaths, detectors, model, hold);
    }

    private static Resources resources(YamlMapping section) {
        Resources defaults = Resources.defaults();
        return new Resources(
                section.optional("cpus").map(PassportLoader::cpus).orElse(defaults.cpus()),
                section.optional("memory").map(f -> size(f, MIN_MEMORY)).orElse(defaults.memoryBytes()),
                section.optional("pids").map(PassportLoader::pids).orElse(defaults.pids()),
                section.optional("wallTime").map(PassportLoader::duration).orElse(defaults.wallTime()),
                section.optional("workspaceSize").map(f -> size(f, MIN_WORKSPACE)).orElse(defaults.workspaceBytes()),
                section.optional("cpuSustained").map(PassportLoader::cpuSustained).orElse(defaults.cpuSustained()));
    }

    private static FilesystemRules filesystem(YamlMapping section) {
        Optional<Path> rootfs = section.optional("rootfs").map(PassportLoader::rootfs);
        List<String> hidden = section.optional("hidden")
                .map(f -> f.items("absolute paths").stream().map(PassportLoader::hiddenPath).toList())
                .orElse(List.of());
        List<FilesystemRules.ReadOnlyBind> readOnly = section.optional("readOnly")
                .map(f -> readOnlyBinds(f.items("\"HOST\" or \"HOST:SANDBOX\" paths")))
                .orElse(List.of());
        Optional<String> image = section.optional("image").map(PassportLoader::image);
        if (rootfs.isPresent() && image.isPresent()) {
            throw section.optional("image").orElseThrow().error("a sandbox root is either rootfs or image, not both; remove one");
        }
        return new FilesystemRules(rootfs, hidden, readOnly, image);
    }

    /** An image name; its full syntax is checked where it is pulled (ale-image), here only what no name can hold. */
    private static String image(YamlField field) {
        String name = field.text("an image name such as debian:bookworm or ghcr.io/org/name:tag");
        if (name.isBlank() || name.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw field.error(YamlField.quote(name) + " is not an image name (no spaces; e.g. debian:bookworm)");
        }
        return name;
    }

    private static Devices devices(YamlMapping section) {
        return new Devices(section.optional("gpu").map(YamlField::bool).orElse(false));
    }

    /** A phase left out, or written with nothing under it, allows nothing. */
    private static EgressRules egress(YamlMapping section) {
        Map<Phase, List<EgressRule>> byPhase = new EnumMap<>(Phase.class);
        for (Phase phase : Phase.values()) {
            section.optional(phase.wire()).ifPresent(f ->
                    byPhase.put(phase, egressRules(f.items("entries such as {domain: pypi.org, ports: [443]}"))));
        }
        return new EgressRules(byPhase);
    }

    private static List<EgressRule> egressRules(List<YamlField> items) {
        List<EgressRule> rules = new ArrayList<>(items.size());
        Map<String, String> listedAt = new HashMap<>();
        for (YamlField item : items) {
            EgressRule rule = egressRule(item);
            String earlier = listedAt.putIfAbsent(rule.domain(), item.path());
            if (earlier != null) {
                throw item.error("domain " + YamlField.quote(rule.domain()) + " is already listed at " + earlier
                        + "; give it one entry with all its ports");
            }
            rules.add(rule);
        }
        return List.copyOf(rules);
    }

    private static EgressRule egressRule(YamlField item) {
        JsonNode value = item.present();
        if (value.isTextual()) {
            throw item.error(YamlField.quote(value.textValue()) + " is not an entry; write {domain: "
                    + YamlField.quote(value.textValue()) + ", ports: [443]}");
        }
        YamlMapping entry = item.section(EGRESS_ENTRY);
        String domain = domain(entry.required("domain", "domain: pypi.org"));
        List<Integer> ports = ports(entry.required("ports", "ports: [443]"));
        boolean websocket = entry.optional("websocket").map(YamlField::bool).orElse(false);
        return new EgressRule(domain, ports, websocket);
    }

    /** Paths are literal, not globs, so that what is protected is exactly what the file names. */
    private static List<String> protectedPaths(List<YamlField> items) {
        List<String> paths = new ArrayList<>(items.size());
        Map<String, String> listedAt = new HashMap<>();
        for (YamlField item : items) {
            String text = item.text("an absolute path such as /workspace/tests");
            if (text.contains("*")) {
                throw item.error(YamlField.quote(text) + " contains '*', but protected paths are exact;"
                        + " protect the directory or list each path");
            }
            Path path = absolutePath(item, text, "");
            if (path.getNameCount() == 0) {
                throw item.error("\"/\" cannot be protected: the agent would have nowhere to work;"
                        + " name the files or directories it must not touch");
            }
            String earlier = listedAt.putIfAbsent(path.toString(), item.path());
            if (earlier != null) {
                throw item.error(YamlField.quote(path.toString()) + " is already listed at " + earlier + "; keep one");
            }
            paths.add(path.toString());
        }
        return List.copyOf(paths);
    }

    /** Categories left out keep their defaults; so does the action or penalty a category leaves out. */
    private static DetectorSettings detectors(YamlMapping section) {
        Map<Category, DetectorSetting> settings = new EnumMap<>(Category.class);
        for (Category category : Category.values()) {
            section.optional(category.wire()).ifPresent(f -> settings.put(category, detector(f, category)));
        }
        return new DetectorSettings(settings);
    }

    private static DetectorSetting detector(YamlField field, Category category) {
        DetectorSetting defaults = DetectorSettings.defaultFor(category);
        if (field.value().isTextual() && !field.value().textValue().isEmpty()) {
            String text = field.value().textValue();
            String example = ACTIONS.contains(text) ? "{action: " + text + "}" : "{action: kill, penalty: 1.0}";
            throw field.error("must be a mapping such as " + example + ", not the string " + YamlField.quote(text));
        }
        YamlMapping section = field.section(DETECTOR);
        return new DetectorSetting(
                section.optional("action").map(PassportLoader::action).orElse(defaults.action()),
                section.optional("penalty").map(PassportLoader::penalty).orElse(defaults.penalty()));
    }

    private static HoldRules hold(YamlMapping section) {
        HoldRules defaults = HoldRules.defaults();
        Duration deadline = section.optional("deadline").map(PassportLoader::duration).orElse(defaults.deadline());
        Action fallback = section.optional("fallback").map(f -> {
            Action a = action(f);
            if (a == Action.HOLD) throw f.error("\"hold\" cannot be its own fallback; use alert, block or kill");
            return a;
        }).orElse(defaults.fallback());
        return new HoldRules(deadline, fallback);
    }

    // ---- values ----

    private static String id(YamlField field) {
        String id = field.text("a name such as coder-1");
        if (!ID.matcher(id).matches()) {
            throw field.error(YamlField.quote(id) + " is not a valid id: use 1 to 64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        return id;
    }

    private static double cpus(YamlField field) {
        JsonNode value = field.present();
        String shown;
        double cpus;
        if (value.isNumber()) {
            shown = value.asText();
            cpus = value.doubleValue();
        } else if (value.isTextual() && DECIMAL.matcher(value.textValue().strip()).matches()) {
            shown = YamlField.quote(value.textValue());
            cpus = Double.parseDouble(value.textValue().strip());
        } else if (value.isTextual()) {
            throw field.error(YamlField.quote(value.textValue()) + " is not a number of cores (write e.g. 0.5 or 2)");
        } else {
            throw field.error("must be a number of cores such as 0.5 or 2, not " + YamlField.describe(value));
        }
        if (!(cpus > 0) || cpus > MAX_CPUS) {
            throw field.error(shown + " is out of range: cpus must be more than 0 and at most " + (int) MAX_CPUS);
        }
        return cpus;
    }

    /** A size as text ({@code 512MiB}) or a whole number of bytes, at least {@code min}. */
    private static long size(YamlField field, long min) {
        JsonNode value = field.present();
        String shown;
        long bytes;
        if (value.isIntegralNumber()) {
            shown = value.asText();
            if (!value.canConvertToLong()) throw field.error(shown + " is too large");
            bytes = value.longValue();
        } else if (value.isNumber()) {
            throw field.error(value.asText() + " is not a whole number of bytes (write e.g. 1.5GiB as text, or 4096)");
        } else if (value.isTextual()) {
            String text = value.textValue();
            shown = YamlField.quote(text);
            Optional<Long> parsed = ByteSize.tryParse(text);
            if (parsed.isEmpty() && ByteSize.isWellFormed(text)) throw field.error(shown + " is too large");
            bytes = parsed.orElseThrow(() -> field.error(shown + " is not a size (write e.g. 512MiB or 2GiB)"));
        } else {
            throw field.error("must be a size such as 512MiB or 2GiB, not " + YamlField.describe(value));
        }
        if (bytes < min) {
            throw field.error(shown + " is too small: the minimum is " + ByteSize.format(min));
        }
        return bytes;
    }

    private static ModelAccess model(YamlMapping section) {
        ModelAccess defaults = ModelAccess.defaults();
        return new ModelAccess(
                section.optional("proxy").map(YamlField::bool).orElse(defaults.proxy()),
                section.optional("tokens").map(PassportLoader::modelTokens).orElse(defaults.tokens()));
    }

    private static long modelTokens(YamlField field) {
        return wholeNumber(field, "tokens", 200_000, 0, MAX_MODEL_TOKENS);
    }

    private static int pids(YamlField field) {
        return (int) wholeNumber(field, "pids", 256, 1, MAX_PIDS);
    }

    /** A whole number from {@code min} to {@code max}; {@code example} is what the message suggests. */
    private static long wholeNumber(YamlField field, String name, long example, long min, long max) {
        JsonNode value = field.present();
        if (!value.isIntegralNumber()) {
            throw field.error("must be a whole number such as " + example + ", not " + YamlField.describe(value));
        }
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw field.error(value.asText() + " is out of range: " + name + " must be between " + min + " and " + max);
        }
        return value.longValue();
    }

    private static Duration duration(YamlField field) {
        return DurationText.read(field);
    }

    /** Under a second of busy CPU is every command's normal; the monitor samples every 200 ms. */
    private static Duration cpuSustained(YamlField field) {
        Duration d = DurationText.read(field);
        if (d.compareTo(MIN_CPU_SUSTAINED) < 0) {
            throw field.error(YamlField.quote(field.present().asText()) + " is too short: the minimum is 1s"
                    + " (how long the sandbox may burn a core with no output)");
        }
        return d;
    }

    private static String domain(YamlField field) {
        String text = field.text("a domain name such as pypi.org or *.example.com");
        Optional<String> problem = DomainPattern.problem(text);
        if (problem.isPresent()) throw field.error(YamlField.quote(text) + " " + problem.get());
        return text.toLowerCase(Locale.ROOT);
    }

    private static List<Integer> ports(YamlField field) {
        List<YamlField> items = field.items("port numbers such as [443]");
        if (items.isEmpty()) throw field.error("is empty; list the ports to allow, such as [443]");
        List<Integer> ports = new ArrayList<>(items.size());
        Map<Integer, String> listedAt = new HashMap<>();
        for (YamlField item : items) {
            JsonNode value = item.present();
            if (!value.isIntegralNumber()) {
                throw item.error("must be a port number such as 443, not " + YamlField.describe(value));
            }
            if (!value.canConvertToInt() || value.intValue() < 1 || value.intValue() > MAX_PORT) {
                throw item.error(YamlField.escape(value.asText()) + " is out of range: a port is between 1 and " + MAX_PORT);
            }
            String earlier = listedAt.putIfAbsent(value.intValue(), item.path());
            if (earlier != null) {
                throw item.error("port " + value.intValue() + " is already listed at " + earlier + "; keep one");
            }
            ports.add(value.intValue());
        }
        return List.copyOf(ports);
    }

    private static Action action(YamlField field) {
        String text = field.text("one of " + String.join(", ", ACTIONS));
        int index = ACTIONS.indexOf(text);
        if (index < 0) throw field.error(YamlField.quote(text) + " is not an action; use alert, block, kill or hold");
        return Action.values()[index];
    }

    private static double penalty(YamlField field) {
        JsonNode value = field.present();
        if (!value.isNumber()) {
            throw field.error("must be a number of 0 or more such as 0.5, not " + YamlField.describe(value));
        }
        double penalty = value.doubleValue();
        if (Double.isNaN(penalty) || Double.isInfinite(penalty)) {
            throw field.error(YamlField.escape(value.asText()) + " is not a finite number");
        }
        if (penalty < 0) {
            throw field.error(YamlField.escape(value.asText()) + " is negative: a penalty is taken from the reward, so it must be 0 or more");
        }
        return penalty;
    }

    private static Path rootfs(YamlField field) {
        Path rootfs = absolutePath(field, field.text("an absolute path"), "");
        if (!Files.exists(rootfs)) throw field.error(YamlField.quote(rootfs.toString()) + " does not exist");
        if (!Files.isDirectory(rootfs)) throw field.error(YamlField.quote(rootfs.toString()) + " is not a directory");
        return rootfs;
    }

    /** Hidden entries stay text because a component may be a glob; they are kept in normal form. */
    private static String hiddenPath(YamlField field) {
        Path path = absolutePath(field, field.text("an absolute path"), "");
        if (path.getNameCount() == 0) throw field.error("\"/\" cannot be hidden: nothing would be left");
        return path.toString();
    }

    private static List<FilesystemRules.ReadOnlyBind> readOnlyBinds(List<YamlField> items) {
        List<FilesystemRules.ReadOnlyBind> binds = new ArrayList<>(items.size());
        Map<Path, String> boundBy = new HashMap<>();
        for (YamlField item : items) {
            FilesystemRules.ReadOnlyBind bind = readOnlyBind(item);
            String earlier = boundBy.putIfAbsent(bind.target(), item.path());
            if (earlier != null) {
                throw item.error("sandbox path " + YamlField.quote(bind.target().toString())
                        + " is already bound by " + earlier + "; bind each sandbox path once");
            }
            binds.add(bind);
        }
        return List.copyOf(binds);
    }

    private static FilesystemRules.ReadOnlyBind readOnlyBind(YamlField field) {
        String text = field.text("\"HOST\" or \"HOST:SANDBOX\"");
        String[] parts = text.split(":", -1);
        if (parts.length > 2) {
            throw field.error(YamlField.quote(text) + " has more than one ':'; write \"HOST\" or \"HOST:SANDBOX\"");
        }
        Path host = absolutePath(field, parts[0], "host path ");
        Path target = parts.length == 2 ? absolutePath(field, parts[1], "sandbox path ") : host;
        if (!Files.exists(host)) throw field.error("host path " + YamlField.quote(host.toString()) + " does not exist");
        if (target.getNameCount() == 0 || RESERVED_SANDBOX_PATHS.stream().anyMatch(target::startsWith)) {
            throw field.error("sandbox path " + YamlField.quote(target.toString())
                    + " is reserved: it must not be /, nor be or lie under /proc, /dev, /workspace or /tmp");
        }
        return new FilesystemRules.ReadOnlyBind(host, target);
    }

    /**
     * An absolute path without {@code .} or {@code ..} components: such a path can name something
     * other than what it seems to (/data/../etc/shadow), so it is refused rather than resolved.
     */
    private static Path absolutePath(YamlField field, String text, String role) {
        String shown = role + YamlField.quote(text);
        if (text.isEmpty()) throw field.error(role + "is empty; write an absolute path such as /data");
        if (text.codePoints().anyMatch(Character::isISOControl)) {
            throw field.error(shown + " contains a control character");
        }
        if (!text.startsWith("/")) throw field.error(shown + " is not an absolute path; write it from /");
        for (String component : text.split("/")) {
            if (component.equals("..") || component.equals(".")) {
                throw field.error(shown + " contains a '" + component + "' component; write the path it stands for");
            }
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw field.error(shown + " is not a valid path: " + e.getReason());
        }
    }
}
