package dev.ale.cli;

import dev.ale.cli.common.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.agent.AgentException;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.Policy;
import dev.ale.agent.policy.ReplayPolicy;
import dev.ale.agent.policy.ScriptFile;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.AleException.Fault;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.passport.signing.TaskSignatures;
import dev.ale.core.passport.signing.TrustedKeys;
import dev.ale.core.task.Task;
import dev.ale.gateway.HostResolver;
import dev.ale.containment.GuardedBackend;
import dev.ale.episode.EpisodeRunner;
import dev.ale.episode.trajectory.FailureCause;
import dev.ale.runs.PolicySource;
import dev.ale.runs.credit.GroupCredit;
import dev.ale.runs.Rollout;
import dev.ale.runs.RunProgress;
import dev.ale.runs.RunSpec;
import dev.ale.runs.RunStore;
import dev.ale.runs.RunSummary;
import dev.ale.tasks.TaskLoader;
import dev.ale.runs.export.Dataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ale run}: episodes of tasks by a policy, each in a fresh guarded sandbox, scored by the
 * task's verifier, written one JSON line each under {@code <out>/<run-id>/episodes.jsonl}.
 */
@Command(name = "run",
        description = {"Run episodes: each task SAMPLES times by the policy, each episode in a fresh sandbox behind the",
                "gateway and under the monitor, scored by the task's verifier. Prints progress and a summary table;",
                "writes one JSON line per episode (messages, steps, events, verdict) to OUT/RUN-ID/episodes.jsonl."},
        footer = {"", "Examples:",
                "  ale run tasks/examples --policy replay",
                "  ale run tasks/examples/fix-c-overflow --policy openai --model http://127.0.0.1:8000/v1 --model-name Qwen/Qwen3-8B -n 4"})
final class RunCommand implements Callable<Integer> {

    private final Cli cli;
    private final ModelPolicies models;

    @Parameters(arity = "0..*", paramLabel = "TASK_DIR", description = "A task directory, or a directory of task directories.")
    private List<Path> taskDirs = List.of();

    @Mixin
    private SignedPassportOptions signing = new SignedPassportOptions();

    @Option(names = "--registry-mirror", paramLabel = "REGISTRY=URL",
            description = "Fetch REGISTRY's images from URL (e.g. docker.io=http://127.0.0.1:5000); repeatable; also ALE_REGISTRY_MIRRORS.")
    void registryMirror(List<String> mirrors) {
        cli.registryMirrors(mirrors);
    }

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Finish a run that was stopped (even by kill -9): run only the episodes its episodes.jsonl lacks.")
    private Optional<Path> resume;

    @Option(names = "--policy", paramLabel = "POLICY", defaultValue = "replay",
            description = "replay (each task's reference solution), scripted (--script), or openai (--model). Default: replay.")
    private String policy;

    @Option(names = "--script", paramLabel = "FILE", description = "The scripted policy's tool calls (YAML list of {tool, arguments}).")
    private Optional<Path> script;

    @Option(names = "--model", paramLabel = "URL", description = "Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1.")
    private Optional<String> modelUrl;

    @Option(names = "--model-name", paramLabel = "NAME", description = "The model to ask for.")
    private Optional<String> modelName;

    @Option(names = "--api-key-env", paramLabel = "VAR",
            description = "Environment variable holding the API key (it is never printed or written). Default: none.")
    private Optional<String> apiKeyEnv;

    @Option(names = "--stream", description = "Ask the model server to stream its replies.")
    private boolean stream;

    @Option(names = "--model-timeout", paramLabel = "SECONDS", converter = Seconds.class,
            description = "Give up on one model call after this long (per attempt). Default: 300.")
    private Optional<java.time.Duration> modelTimeout;

    @Option(names = "--model-retries", paramLabel = "N", description = "Retries of a model call on 429, 5xx, timeouts and refused connections. Default: 4.")
    private Optional<Integer> modelRetries;

    @Option(names = {"-n", "--samples"}, paramLabel = "SAMPLES", defaultValue = "1", description = "Episodes per task. Default: 1.")
    private int samples;

    @Option(names = "--parallel", paramLabel = "P", defaultValue = "1", description = "Episodes at once. Default: 1.")
    private int parallel;

    @Option(names = "--seed", paramLabel = "N", description = "Base seed passed to the policy (per episode: derived from it).")
    private Optional<Long> seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs", description = "Where run directories go. Default: ./runs.")
    private Path out;

    @Option(names = "--allow-holds", description = "Keep the passport's hold actions: a held act waits for an operator (or its deadline)."
            + " Without it a hold takes the passport's hold fallback, so no rollout stalls.")
    private boolean allowHolds;

    @Option(names = "--hold-webhook", paramLabel = "URL", description = "With --allow-holds: POST each hold as it opens to URL (5 s timeout).")
    private Optional<URI> holdWebhook;

    static final Duration HOLD_WEBHOOK_TIMEOUT = Duration.ofSeconds(5);

    RunCommand(Cli cli, ModelPolicies models) {
        this.cli = cli;
        this.models = models;
    }

    @Override
    public Integer call() {
        if (samples < 1) throw new AgentException(Fault.INPUT, "--samples must be at least 1, was " + samples);
        if (parallel < 1 || parallel > 256) throw new AgentException(Fault.INPUT, "--parallel must lie in [1, 256], was " + parallel);
        if (resume.isPresent() && !taskDirs.isEmpty()) {
            throw new AgentException(Fault.INPUT, "give either TASK_DIR... or --resume RUN_DIR, not both: a resumed run keeps its tasks");
        }
        if (holdWebhook.isPresent() && !allowHolds) {
            throw new AgentException(Fault.INPUT, "--hold-webhook: only with --allow-holds (there are no holds without it)");
        }
        if (resume.isEmpty() && taskDirs.isEmpty()) throw new AgentException(Fault.INPUT, "give at least one TASK_DIR (or --resume RUN_DIR)");
        Optional<TrustedKeys> trusted = signing.trusted();
        List<Task> tasks;
        List<TaskLoader.Refused> refused = new ArrayList<>();
        ObjectNode run = Json.object();
        if (resume.isPresent()) {
            try (RunStore first = RunStore.reopen(resume.get())) {
                run = first.description();
            }
            List<Path> dirs = new ArrayList<>();
            run.path("tasks").forEach(t -> dirs.add(Path.of(t.path("directory").asText())));
            List<Task> loaded = TaskLoader.loadAll(dirs);
            // a signature is of the passport as written, before the holds give way to the fallback
            trusted.ifPresent(keys -> TaskSignatures.check(loaded, keys));
            tasks = HoldFallback.apply(loaded, allowHolds, cli.err());
        } else {
            TaskLoader.Loaded loaded = TaskLoader.loadEach(taskDirs);
            refused.addAll(loaded.refused());
            for (Task t : loaded.tasks()) t.warnings().forEach(w -> cli.err().println("ale: warning: " + t.id() + ": " + w));
            for (TaskLoader.Refused r : refused) cli.err().println("ale: refused " + r.directory() + ": " + r.reason());
            if (loaded.tasks().isEmpty()) {
                throw new AgentException(Fault.INPUT, "no task could be loaded (" + refused.size() + " refused, listed above)");
            }
            trusted.ifPresent(keys -> TaskSignatures.check(loaded.tasks(), keys));
            tasks = HoldFallback.apply(loaded.tasks(), allowHolds, cli.err());
        }
        List<JsonNode> lines;
        RunStore store;
        PolicySource policies;
        try (GuardedBackend containment = cli.openGuardedBackend(HostResolver.system(), tasks)) {
            if (holdWebhook.isPresent()) {
                try {
                    containment.notifyHoldsTo(holdWebhook.get(), HOLD_WEBHOOK_TIMEOUT);
                } catch (IllegalArgumentException e) {
                    throw new AgentException(Fault.INPUT, "--hold-webhook: " + e.getMessage());
                }
            }
            // a task that runs in its own image gets it now, built in guarded sandboxes and cached by step
            TaskImageBuilds.Prepared prepared = TaskImageBuilds.prepare(tasks, cli.images(), containment, cli.err());
            for (TaskLoader.Refused r : prepared.refused()) cli.err().println("ale: refused " + r.directory() + ": " + r.reason());
            refused.addAll(prepared.refused());
            if (resume.isPresent() && !prepared.refused().isEmpty()) {
                throw new AgentException(Fault.INPUT, "cannot resume: the image of " + prepared.refused().size() + " task"
                        + (prepared.refused().size() == 1 ? "" : "s") + " could not be made (listed above)");
            }
            if (prepared.tasks().isEmpty()) {
                throw new AgentException(Fault.INPUT, "no task could be run (" + refused.size() + " refused, listed above)");
            }
            RunSpec spec;
            if (resume.isPresent()) {
                store = RunStore.reopen(resume.get());
                policies = policySource(prepared.tasks(), run.path("policy_options"));
                spec = new RunSpec(run.path("run").asText(), prepared.tasks(), run.path("samples").asInt(1), parallel,
                        run.path("seed").isNumber() ? OptionalLong.of(run.path("seed").asLong()) : OptionalLong.empty());
            } else {
                ObjectNode options = options();
                policies = policySource(prepared.tasks(), options);
                spec = new RunSpec(RunStore.newRunId(), prepared.tasks(), samples, parallel, seed.map(OptionalLong::of).orElse(OptionalLong.empty()));
                store = RunStore.create(out, spec, policies.name(), options);
            }
            try (store) {
                int total = spec.tasks().size() * spec.samples();
                int left = total - store.done().size();
                cli.err().println((resume.isPresent() ? "resuming run " : "run ") + spec.runId() + ": " + spec.tasks().size() + " task"
                        + (spec.tasks().size() == 1 ? "" : "s") + " x " + spec.samples() + " = " + total + " episode" + (total == 1 ? "" : "s")
                        + (resume.isPresent() ? " (" + store.done().size() + " done, " + left + " to run)" : "")
                        + ", policy " + policies.name() + ", " + parallel + " at a time");
                EpisodeRunner runner = new EpisodeRunner(containment, new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
                new Rollout(runner).run(spec, policies, store, progress(left), store.done());
                lines = store.lines();
                // the run's episodes as training data, with group-relative advantages now that every group is complete
                Dataset.write(store.directory().resolve(Dataset.FILE), Dataset.of(lines, GroupCredit.DEFAULT_GAMMA));
            }
        }
        print(RunSummary.of(lines));
        cli.out().println();
        cli.out().println("episodes: " + store.episodesFile());
        cli.out().println("dataset:  " + store.directory().resolve(Dataset.FILE) + " (rewards and advantages; ale export for another gamma)");
        if (!refused.isEmpty()) {
            cli.err().println("ale: " + refused.size() + " task" + (refused.size() == 1 ? " was" : "s were") + " refused (listed above);"
                    + " the others ran");
            return Failures.INPUT;
        }
        long failedSolutions = policies.name().equals("replay") ? lines.stream().filter(l -> !l.path("passed").asBoolean(false)).count() : 0;
        if (failedSolutions > 0) {
            cli.err().println("ale: " + failedSolutions + " reference solution" + (failedSolutions == 1 ? "" : "s")
                    + " did not pass " + (failedSolutions == 1 ? "its" : "their") + " own verifier (causes above)");
            return Failures.SOLUTION_FAILED;
        }
        return Failures.OK;
    }

    /** What it takes to make this run's policy again on resume; the API key's variable name, never the key. */
    private ObjectNode options() {
        ObjectNode o = Json.object();
        o.put("policy", policy.toLowerCase(Locale.ROOT));
        script.ifPresent(p -> o.put("script", p.toAbsolutePath().toString()));
        modelUrl.ifPresent(u -> o.put("model", u));
        modelName.ifPresent(n -> o.put("model_name", n));
        apiKeyEnv.ifPresent(v -> o.put("api_key_env", v));
        o.put("stream", stream);
        modelTimeout.ifPresent(t -> o.put("model_timeout_ms", t.toMillis()));
        modelRetries.ifPresent(r -> o.put("model_retries", r));
        return o;
    }

    private PolicySource policySource(List<Task> tasks, JsonNode o) {
        String name = o.path("policy").asText();
        return switch (name) {
            case "replay" -> replay(tasks);
            case "scripted" -> {
                if (!o.path("script").isTextual()) throw new AgentException(Fault.INPUT, "--policy scripted needs --script FILE");
                List<ScriptedPolicy.ScriptedCall> calls = ScriptFile.load(Path.of(o.path("script").asText()));
                yield source("scripted", (task, sample) -> ScriptedPolicy.ofCalls("scripted", calls));
            }
            case "openai" -> {
                if (!o.path("model").isTextual()) throw new AgentException(Fault.INPUT, "--policy openai needs --model URL");
                if (!o.path("model_name").isTextual()) throw new AgentException(Fault.INPUT, "--policy openai needs --model-name NAME");
                yield models.source(o.path("model").asText(), o.path("model_name").asText(), new ModelOptions(
                        o.path("api_key_env").isTextual() ? Optional.of(o.path("api_key_env").asText()) : Optional.empty(),
                        o.path("stream").asBoolean(),
                        o.has("model_timeout_ms") ? Optional.of(java.time.Duration.ofMillis(o.path("model_timeout_ms").asLong())) : Optional.empty(),
                        o.has("model_retries") ? Optional.of(o.path("model_retries").asInt()) : Optional.empty()));
            }
            default -> throw new AgentException(Fault.INPUT, "unknown --policy " + name + "; use replay, scripted or openai");
        };
    }

    private static PolicySource replay(List<Task> tasks) {
        List<String> missing = tasks.stream().filter(t -> t.solution().isEmpty()).map(Task::id).toList();
        if (!missing.isEmpty()) {
            throw new AgentException(Fault.INPUT, "--policy replay needs a reference solution, and these tasks have none "
                    + "(`solution:` in task.yaml, or solution.sh): " + String.join(", ", missing));
        }
        return source("replay", (task, sample) -> {
            try {
                return ReplayPolicy.ofSolution(Files.readString(task.solution().orElseThrow(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new AgentException(Fault.INPUT, "cannot read the solution of task " + task.id() + ": " + e.getMessage(), e);
            }
        });
    }

    static PolicySource source(String name, java.util.function.BiFunction<Task, Integer, Policy> make) {
        return new PolicySource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Policy forEpisode(Task task, int sample) {
                return make.apply(task, sample);
            }
        };
    }

    private RunProgress progress(int total) {
        AtomicInteger ended = new AtomicInteger();
        return new RunProgress() {
            @Override
            public void retrying(Task task, dev.ale.episode.EpisodeSpec episode, int attempt, Trajectory failed) {
                cli.err().println("      " + task.id() + "#" + episode.sample() + ": " + failed.end().wire() + " (" + firstLine(failed.detail())
                        + "); not the agent's doing, attempt " + attempt + " of " + Rollout.DEFAULT_ATTEMPTS);
            }

            @Override
            public void episodeEnded(Task task, Trajectory t) {
                int n = ended.incrementAndGet();
                String verdict = t.verifier().map(v -> v.passed() ? "passed" : "failed").orElse(t.end().wire());
                cli.err().printf(Locale.ROOT, "[%d/%d] %-28s %-7s %2d step%s  %d event%s  %.1f s  (%s%s)%n", n, total,
                        t.taskId() + "#" + t.episodeId().substring(t.episodeId().lastIndexOf('.') + 1), verdict,
                        t.steps().size(), t.steps().size() == 1 ? " " : "s", t.events().size(), t.events().size() == 1 ? " " : "s",
                        t.timings().total().toMillis() / 1000.0, t.end().wire(), t.detail().isBlank() || t.end().name().equals("FINISHED")
                                ? "" : ": " + firstLine(t.detail()));
                // why it failed, so nobody has to dig in episodes.jsonl: the solution's exit, the verifier's last lines
                FailureCause.of(t).ifPresent(c -> cli.err().println("      cause: " + c));
            }
        };
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 100 ? line.substring(0, 100) + "…" : line;
    }

    private void print(RunSummary summary) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("TASK", "EPISODES", "PASSED", "PASS RATE", "REWARD", "STEPS", "TOKENS", "EVENTS", "KILLS", "INFRA", "RETRIED", "TIME"));
        for (RunSummary.Row r : summary.tasks()) rows.add(row(r));
        if (summary.tasks().size() > 1) rows.add(row(summary.total()));
        Tables.print(cli.out(), rows);
    }

    private static List<String> row(RunSummary.Row r) {
        return List.of(r.task(), String.valueOf(r.episodes()), String.valueOf(r.passed()),
                String.format(Locale.ROOT, "%.0f%%", 100 * r.passRate()),
                r.meanReward().isPresent() ? String.format(Locale.ROOT, "%.2f", r.meanReward().getAsDouble()) : "-",
                String.format(Locale.ROOT, "%.1f", r.meanSteps()),
                String.valueOf(r.tokens()), String.valueOf(r.events()), String.valueOf(r.kills()), String.valueOf(r.infrastructure()),
                String.valueOf(r.retried()), String.format(Locale.ROOT, "%.1f s", r.meanTime().toMillis() / 1000.0));
    }

    /** Makes the openai policy source; kept apart so the model client's wiring lives in one place. */
    interface ModelPolicies {
        PolicySource source(String baseUrl, String model, ModelOptions options);
    }

    /** The model client's settings given on the command line; empty ones keep the client's defaults. */
    record ModelOptions(Optional<String> apiKeyEnv, boolean stream, Optional<java.time.Duration> timeout, Optional<Integer> retries) {
    }
}
