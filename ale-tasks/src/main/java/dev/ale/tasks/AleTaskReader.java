package dev.ale.tasks;

import dev.ale.core.passport.FilesystemRules;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportException;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.DurationText;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.task.AgentBudget;
import dev.ale.core.task.CandidateAction;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import dev.ale.core.task.TaskEnvironment;
import dev.ale.core.task.VerifierSpec;
import dev.ale.core.yaml.YamlField;
import dev.ale.core.yaml.YamlMapping;
import dev.ale.tasks.TaskFiles.Found;
import dev.ale.tasks.TaskFields.SandboxPath;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads ALE's own task file, {@code task.yaml} with an {@code id} and a {@code verifier}; the format is in docs/tasks.md. */
final class AleTaskReader {

    static final List<String> TOP_LEVEL =
            List.of("id", "instruction", "tags", "environment", "verifier", "solution", "budget", "passport", "actions");
    static final List<String> ENVIRONMENT = List.of("rootfs", "files", "setup", "setup_timeout", "workdir");
    static final List<String> COPY = List.of("from", "to");
    static final List<String> VERIFIER = List.of("script", "files", "timeout");
    static final List<String> BUDGET = List.of("steps", "tokens", "wall");
    static final List<String> ACTION = List.of("id", "tool", "arguments", "hack");
    static final Pattern ACTION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final ObjectMapper JSON = new ObjectMapper();

    static final Duration DEFAULT_SETUP_TIMEOUT = Duration.ofSeconds(120);
    static final Duration DEFAULT_VERIFIER_TIMEOUT = Duration.ofSeconds(120);
    static final String DEFAULT_WORKDIR = "/workspace";

    /** A host path the task file named, with the field that named it, for messages about it later. */
    private record Named(YamlField field, Found found) {
    }

    /** One entry of environment.files: where it comes from, and the copy it makes. */
    private record Copy(Named from, CopyIn copyIn) {
    }

    private AleTaskReader() {
    }

    /**
     * @param top the task file's top level, already known to be a mapping
     * @param shown the task directory as the caller gave it, for messages
     */
    static Task read(YamlMapping top, TaskFiles files, Path shown) {
        String id = TaskFields.id(top.required("id", "id: fix-c-overflow"));
        String instruction = TaskFields.instruction(top.required("instruction", "instruction: Make the tests in /workspace pass"));
        List<String> tags = top.optional("tags").map(f -> TaskFields.tags(f.items("words such as [c, debugging]"))).orElse(List.of());

        Optional<YamlMapping> environmentSection = top.optional("environment").map(f -> f.section(ENVIRONMENT));
        Optional<Path> rootfs = environmentSection.flatMap(s -> s.optional("rootfs")).map(AleTaskReader::rootfs);
        List<Copy> copies = environmentSection.flatMap(s -> s.optional("files"))
                .map(f -> f.items("entries such as {from: project/, to: /workspace/}").stream().map(i -> copy(i, files)).toList())
                .orElse(List.of());
        Optional<Named> setup = environmentSection.flatMap(s -> s.optional("setup"))
                .map(f -> new Named(f, files.file(f, "setup.sh")));
        Duration setupTimeout = environmentSection.flatMap(s -> s.optional("setup_timeout"))
                .map(DurationText::read).orElse(DEFAULT_SETUP_TIMEOUT);
        String workdir = environmentSection.flatMap(s -> s.optional("workdir"))
                .map(f -> TaskFields.sandboxPath(f, "/workspace").path()).orElse(DEFAULT_WORKDIR);
        List<Named> agentSees = new ArrayList<>(copies.stream().map(Copy::from).toList());
        setup.ifPresent(agentSees::add);

        YamlMapping verifierSection = top.required("verifier", "verifier: {script: verify.sh}").section(VERIFIER);
        YamlField scriptField = verifierSection.required("script", "script: verify.sh");
        Named script = new Named(scriptField, files.file(scriptField, "verify.sh"));
        List<Named> verifierFiles = verifierSection.optional("files")
                .map(f -> f.items("paths such as [tests/]").stream().map(i -> new Named(i, files.entry(i, "tests/"))).toList())
                .orElse(List.of());
        Duration verifierTimeout = verifierSection.optional("timeout").map(DurationText::read).orElse(DEFAULT_VERIFIER_TIMEOUT);
        keepApart(script, agentSees, "the verifier's files");
        for (Named secret : verifierFiles) {
            // the setup script itself may go to the verifier (to rebuild the starting state): it is
            // removed from the sandbox once it has run, so the agent never sees it either way
            boolean isSetup = setup.isPresent() && secret.found().real().equals(setup.get().found().real());
            if (!isSetup) keepApart(secret, agentSees, "the verifier's files");
        }

        Optional<Named> solution = top.optional("solution").map(f -> new Named(f, files.file(f, "solution.sh")));
        solution.ifPresent(s -> keepApart(s, agentSees, "the reference solution"));

        List<CandidateAction> actions = top.optional("actions")
                .map(f -> actions(f.items("entries such as {id: fix, tool: shell, arguments: {command: make}}"))).orElse(List.of());

        AgentBudget budget = top.optional("budget").map(f -> budget(f.section(BUDGET))).orElse(AgentBudget.DEFAULT);
        Passport passport = top.optional("passport").map(f -> passport(f, id, files, shown))
                .orElseGet(() -> TaskLoader.defaultPassport(id));
        if (rootfs.isPresent()) {
            FilesystemRules rules = passport.filesystem();
            passport = passport.withFilesystem(new FilesystemRules(rootfs, rules.hidden(), rules.readOnly()));
        }

        TaskEnvironment environment = new TaskEnvironment(copies.stream().map(Copy::copyIn).toList(),
                setup.map(s -> new CopyIn(s.found().real(), TaskLoader.SETUP_DIR + "/" + s.found().name())),
                setupTimeout, workdir);
        VerifierSpec verifier = new VerifierSpec(verifierCopy(script), verifierCopies(script, verifierFiles), verifierTimeout);
        return new Task(id, files.root(), Task.Format.ALE, instruction, environment, verifier, budget, passport, tags,
                solution.map(s -> s.found().real()), actions);
    }

    /** Candidate actions for built-in policies: each id once, a tool the agent has, arguments as a mapping or JSON text. */
    private static List<CandidateAction> actions(List<YamlField> items) {
        List<String> tools = Toolbox.standard().names();
        Map<String, String> listedAt = new HashMap<>();
        List<CandidateAction> actions = new ArrayList<>(items.size());
        for (YamlField item : items) {
            YamlMapping entry = item.section(ACTION);
            YamlField idField = entry.required("id", "id: run-tests");
            String id = idField.text("a name such as run-tests");
            if (!ACTION_ID.matcher(id).matches()) {
                throw idField.error(YamlField.quote(id) + " is not a valid action id: use 1 to 64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit");
            }
            String earlier = listedAt.putIfAbsent(id, idField.path());
            if (earlier != null) throw idField.error(YamlField.quote(id) + " is already the id at " + earlier + "; give each action its own id");
            YamlField toolField = entry.required("tool", "tool: shell");
            String tool = toolField.text("a tool name such as shell");
            if (tool.isBlank()) throw toolField.error("is blank; name a tool: " + String.join(", ", tools));
            if (!tools.contains(tool)) throw toolField.error(YamlField.quote(tool) + " is not a tool; the tools are: " + String.join(", ", tools));
            String arguments = entry.optional("arguments").map(AleTaskReader::arguments).orElse("{}");
            boolean hack = entry.optional("hack").map(YamlField::bool).orElse(false);
            actions.add(new CandidateAction(id, tool, arguments, hack));
        }
        return List.copyOf(actions);
    }

    /** A mapping becomes its JSON text; a string is sent as written (it may be malformed on purpose). */
    private static String arguments(YamlField field) {
        JsonNode value = field.present();
        if (value.isTextual()) return value.textValue();
        if (!value.isObject()) {
            throw field.error("must be a mapping such as {command: make} or JSON text, not " + YamlField.describe(value));
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw field.error("cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    private static Copy copy(YamlField item, TaskFiles files) {
        YamlMapping entry = item.section(COPY);
        YamlField from = entry.required("from", "from: project/");
        Found source = files.entry(from, "project/");
        YamlField toField = entry.required("to", "to: /workspace/");
        SandboxPath to = TaskFields.sandboxPath(toField, "/workspace/");
        Named named = new Named(from, source);
        if (source.contentsOnly()) return new Copy(named, new CopyIn(source.real(), to.path(), true));
        String target = to.directory() ? to.path() + "/" + source.name() : to.path();
        if (to.isWritableRoot() && !to.directory()) {
            throw toField.error(YamlField.quote(to.path()) + " would be replaced by " + YamlField.quote(source.written())
                    + "; write " + YamlField.quote(to.path() + "/") + " to copy it into " + to.path()
                    + (Files.isDirectory(source.real()) ? ", or end from with '/' to copy what it holds" : ""));
        }
        return new Copy(named, new CopyIn(source.real(), target, false));
    }

    /** The agent must never see what scores it: {@code secret} may not share a file with anything copied in before it runs. */
    private static void keepApart(Named secret, List<Named> agentSees, String what) {
        for (Named seen : agentSees) {
            if (!secret.found().overlaps(seen.found())) continue;
            Path mine = secret.found().real();
            Path theirs = seen.found().real();
            String relation = mine.equals(theirs) ? "is the same as"
                    : mine.startsWith(theirs) ? "lies inside"
                    : theirs.startsWith(mine) ? "holds"
                    : "shares files, through a symbolic link, with";
            throw secret.field().error(YamlField.quote(secret.found().written()) + " " + relation + " "
                    + seen.field().path() + " " + YamlField.quote(seen.found().written())
                    + ", which is in the sandbox before the agent starts; the agent must never see " + what
                    + ", so keep them out of what environment copies in");
        }
    }

    /** A verifier file keeps its name in the verifier directory; {@code tests} is the tests directory, /tests, as in the other formats. */
    private static CopyIn verifierCopy(Named named) {
        if (named.found().name().equals("tests") && Files.isDirectory(named.found().real())) {
            return new CopyIn(named.found().real(), TaskLoader.TESTS_DIR);
        }
        return new CopyIn(named.found().real(), TaskLoader.VERIFIER_DIR + "/" + named.found().name());
    }

    /** Each file keeps its name in the verifier directory, so no two may share one, nor take the score file's. */
    private static List<CopyIn> verifierCopies(Named script, List<Named> files) {
        Map<String, String> takenBy = new HashMap<>();
        takenBy.put(TaskLoader.SCORE_FILE_NAME, "the score file ($ALE_SCORE_FILE)");
        takenBy.put(script.found().name(), script.field().path());
        List<CopyIn> copies = new ArrayList<>(files.size());
        for (Named file : files) {
            CopyIn copy = verifierCopy(file);
            String earlier = takenBy.putIfAbsent(file.found().name(), file.field().path());
            if (earlier != null) {
                throw file.field().error(YamlField.quote(file.found().written()) + " would be copied to " + copy.target()
                        + ", which " + earlier + " takes already; give them different names");
            }
            copies.add(copy);
        }
        return List.copyOf(copies);
    }

    private static AgentBudget budget(YamlMapping section) {
        AgentBudget defaults = AgentBudget.DEFAULT;
        return new AgentBudget(
                section.optional("steps").map(f -> (int) TaskFields.wholeNumber(f, 1, Integer.MAX_VALUE, "30"))
                        .orElse(defaults.maxSteps()),
                section.optional("tokens").map(f -> TaskFields.wholeNumber(f, 1, Long.MAX_VALUE, "200000"))
                        .orElse(defaults.maxTokens()),
                section.optional("wall").map(DurationText::read).orElse(defaults.wallTime()));
    }

    /** A passport file of the task directory, or a passport written inline; without an id it takes "task:ID". */
    private static Passport passport(YamlField field, String id, TaskFiles files, Path shown) {
        if (field.present().isObject()) return PassportLoader.read(field, TaskLoader.defaultPassport(id).id());
        if (!field.value().isTextual()) {
            throw field.error("must be a file name such as passport.yaml, or a mapping of passport fields such as"
                    + " {resources: {wallTime: 5m}}, not " + YamlField.describe(field.value()));
        }
        Found file = files.file(field, "passport.yaml");
        try {
            return PassportLoader.load(shown.resolve(file.written()));
        } catch (PassportException e) {
            throw field.error(e.getMessage());
        }
    }

    private static Path rootfs(YamlField field) {
        String text = field.text("an absolute host path such as /srv/rootfs/debian");
        String shown = YamlField.quote(text);
        if (text.codePoints().anyMatch(Character::isISOControl)) throw field.error(shown + " contains a control character");
        if (!text.startsWith("/")) throw field.error(shown + " is not an absolute path; write it from /");
        for (String component : text.split("/")) {
            if (component.equals("..") || component.equals(".")) {
                throw field.error(shown + " contains a '" + component + "' component; write the path it stands for");
            }
        }
        Path rootfs;
        try {
            rootfs = Path.of(text);
        } catch (InvalidPathException e) {
            throw field.error(shown + " is not a valid path: " + e.getReason());
        }
        if (!Files.exists(rootfs)) throw field.error(shown + " does not exist");
        if (!Files.isDirectory(rootfs)) throw field.error(shown + " is not a directory");
        return rootfs;
    }
}
