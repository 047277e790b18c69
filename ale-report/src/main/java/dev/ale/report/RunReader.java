package dev.ale.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ale.core.AleException.Fault;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEventJson;
import dev.ale.report.RunReport.Episode;
import dev.ale.report.RunReport.Event;
import dev.ale.report.RunReport.IterationMetrics;
import dev.ale.report.RunReport.MetricsSource;
import dev.ale.report.RunReport.PassportUse;
import dev.ale.report.RunReport.Reward;
import dev.ale.report.RunReport.Run;
import dev.ale.report.RunReport.Step;
import dev.ale.report.RunReport.ToolCall;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Reads a run directory into a {@link RunReport}; strict about run.json and events, lenient about other lines (each skip is noted). */
final class RunReader {

    static final String RUN = "run.json";
    static final String EPISODES = "episodes.jsonl";
    static final String METRICS = "metrics.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();

    private RunReader() {
    }

    static RunReport read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ReportException(Fault.INPUT, "no run directory " + dir + "; give the directory `ale run` wrote (OUT/RUN-ID)");
        }
        Path runFile = dir.resolve(RUN);
        if (!Files.isRegularFile(runFile)) {
            throw new ReportException(Fault.INPUT, "no " + RUN + " in " + dir
                    + "; give a run directory written by `ale run` (OUT/RUN-ID, holding run.json and episodes.jsonl)");
        }
        Run run = run(runFile);
        List<String> notes = new ArrayList<>();
        List<Episode> episodes = new ArrayList<>();
        Map<String, PassportDraft> passports = new LinkedHashMap<>();
        Path episodesFile = dir.resolve(EPISODES);
        if (Files.isRegularFile(episodesFile)) {
            lines(episodesFile, notes, (json, flag) -> {
                Episode e = episode(json, flag);
                episodes.add(e);
                passport(json.path("passport"), e, passports);
            });
        } else {
            notes.add("There is no " + EPISODES + " in this run directory: no episode had ended when it was read.");
        }
        List<IterationMetrics> metrics = new ArrayList<>();
        Path metricsFile = dir.resolve(METRICS);
        MetricsSource source;
        if (Files.isRegularFile(metricsFile)) {
            lines(metricsFile, notes, (json, flag) -> metrics.add(metric(json)));
            source = MetricsSource.METRICS_FILE;
        } else {
            metrics.addAll(Metrics.of(episodes));
            source = MetricsSource.EPISODES;
        }
        metrics.sort(Comparator.comparingInt(IterationMetrics::iteration));
        List<PassportUse> uses = passports.values().stream()
                .map(p -> new PassportUse(p.id, p.yaml, List.copyOf(p.tasks), p.episodes)).toList();
        return new RunReport(dir, run, episodes, metrics, source, uses, notes);
    }

    private static Run run(Path file) {
        JsonNode json;
        try {
            json = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ReportException(Fault.INPUT, file + " is not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""), e);
        } catch (CharacterCodingException e) {
            throw new ReportException(Fault.INPUT, file + " is not UTF-8 text; give the run.json `ale run` wrote", e);
        } catch (IOException e) {
            throw new ReportException(Fault.ENVIRONMENT, "cannot read " + file + ": " + e.getMessage(), e);
        }
        if (json == null || !json.isObject()) throw new ReportException(Fault.INPUT, file + " must hold a JSON object, as `ale run` writes it");
        List<String> tasks = new ArrayList<>();
        json.path("tasks").forEach(t -> tasks.add(t.isTextual() ? t.asText() : t.path("id").asText("?")));
        List<String> arms = new ArrayList<>();
        json.path("arms").forEach(a -> arms.add(a.asText()));
        return new Run(json.path("run").asText(file.getParent().getFileName().toString()), json.path("policy").asText("?"),
                json.path("started").asText(""), tasks, optionalInt(json.get("samples")), arms, optionalInt(json.get("iterations")));
    }

    /**
     * Feeds every JSON object line of {@code file} to {@code each}, with a way to note a problem
     * in that line. Bytes that are not UTF-8 (a line cut inside a character) become U+FFFD
     * rather than failing the whole file.
     */
    private static void lines(Path file, List<String> notes, BiConsumer<JsonNode, Consumer<String>> each) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            int number = 0;
            String line = in.readLine();
            while (line != null) {
                number++;
                String next = in.readLine();
                if (!line.isBlank()) {
                    String where = "Line " + number + " of " + file.getFileName();
                    Optional<String> problem = parse(line, json -> each.accept(json, note -> notes.add(where + ": " + note)));
                    if (problem.isPresent()) {
                        notes.add(next == null
                                ? "The last line of " + file.getFileName() + " (line " + number + ") is cut short, as a run stopped while "
                                  + "writing leaves it; it was skipped."
                                : "Line " + number + " of " + file.getFileName() + " was skipped: " + problem.get());
                    }
                }
                line = next;
            }
        } catch (IOException e) {
            throw new ReportException(Fault.ENVIRONMENT, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> parse(String line, Consumer<JsonNode> each) {
        JsonNode json;
        try {
            json = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return Optional.of("not valid JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        if (json == null || !json.isObject()) return Optional.of("not a JSON object");
        each.accept(json);
        return Optional.empty();
    }

    private static Episode episode(JsonNode json, Consumer<String> flag) {
        String id = json.path("episode").asText("?");
        List<Step> steps = new ArrayList<>();
        List<Event> stepEvents = new ArrayList<>();
        for (JsonNode s : json.path("steps")) {
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode c : s.path("tool_calls")) {
                calls.add(new ToolCall(c.path("name").asText(""), c.path("arguments").asText(""), c.path("status").asText("")));
                c.path("events").forEach(e -> event(e, id, flag).ifPresent(stepEvents::add));
            }
            steps.add(new Step(s.path("index").asInt(steps.size() + 1), s.path("duration_ms").asLong(0), calls,
                    optionalDouble(s.get("reward")), optionalDouble(s.get("return")), optionalDouble(s.get("advantage"))));
        }
        List<Event> events = new ArrayList<>();
        json.path("events").forEach(e -> event(e, id, flag).ifPresent(events::add));
        // Older or partial lines may hold events only under their tool calls.
        if (!json.has("events")) events.addAll(stepEvents);
        JsonNode hack = json.get("hack");
        // a GEM episode says its sample within the trainer's group; a run's episode id ends with it
        String sample = json.path("sample").isIntegralNumber() ? json.get("sample").asText() : sample(id);
        Optional<String> group = json.path("group").isTextual() ? Optional.of(json.get("group").asText()) : Optional.empty();
        return new Episode(id, json.path("task").asText("?"), sample, json.path("iteration").asInt(0),
                json.path("arm").asText(RunReport.DEFAULT_ARM), group, json.path("end").asText("?"), detail(json),
                json.path("passed").asBoolean(false), reward(json.get("reward")), optionalDouble(json.get("advantage")),
                hack != null && hack.isBoolean() ? Optional.of(hack.asBoolean()) : Optional.empty(), steps, events);
    }

    /** The end's detail, with the line's cause of failure (why it did not pass) when it has one. */
    private static String detail(JsonNode json) {
        String detail = json.path("detail").asText("");
        String cause = json.path("cause").asText("");
        if (cause.isBlank()) return detail;
        return detail.isBlank() ? "cause: " + cause : detail + "; cause: " + cause;
    }

    /** The sample number is the last part of the episode id ({@code RUN.TASK.SAMPLE}). */
    private static String sample(String episode) {
        return episode.substring(episode.lastIndexOf('.') + 1);
    }

    /**
     * An event through the one reader of the wire form; one it cannot read is left out and
     * flagged, since a made-up rule or category would be counted as if it were real.
     */
    private static Optional<Event> event(JsonNode e, String episode, Consumer<String> flag) {
        SafetyEvent read;
        try {
            read = SafetyEventJson.fromJson(e);
        } catch (IllegalArgumentException bad) {
            flag.accept("a safety event of episode " + episode + " could not be read and is not counted (" + bad.getMessage() + ")");
            return Optional.empty();
        }
        return Optional.of(new Event(read.rule(), read.category().wire(), read.severity().name().toLowerCase(Locale.ROOT),
                read.action().name().toLowerCase(Locale.ROOT), read.episode().orElse(episode), read.step(), read.time().toString(),
                read.detail(), new TreeMap<>(read.evidence())));
    }

    private static Optional<Reward> reward(JsonNode r) {
        if (r == null || r.isNull()) return Optional.empty();
        if (r.isNumber()) return Optional.of(new Reward(r.asDouble(), 0, r.asDouble(), false));
        if (!r.isObject() || !r.path("total").isNumber()) return Optional.empty();
        return Optional.of(new Reward(r.path("score").asDouble(0), r.path("penalty").asDouble(0), r.path("total").asDouble(),
                r.path("killed").asBoolean(false)));
    }

    private static IterationMetrics metric(JsonNode m) {
        return new IterationMetrics(m.path("iteration").asInt(0), m.path("arm").asText(RunReport.DEFAULT_ARM), m.path("episodes").asInt(0),
                m.path("pass_rate").asDouble(0), optionalDouble(m.get("hack_rate")), optionalDouble(m.get("mean_reward")),
                m.path("kills").asInt(0), m.path("events").asInt(0));
    }

    private static void passport(JsonNode passport, Episode episode, Map<String, PassportDraft> passports) {
        if (!passport.isObject()) return;
        String id = passport.path("id").asText("(no id)");
        PassportDraft draft = passports.computeIfAbsent(id, k -> new PassportDraft(k, yaml(passport)));
        draft.tasks.add(episode.task());
        draft.episodes++;
    }

    private static String yaml(JsonNode passport) {
        try {
            return YAML.writeValueAsString(passport);
        } catch (JsonProcessingException e) {
            return passport.toPrettyString();
        }
    }

    private static OptionalDouble optionalDouble(JsonNode n) {
        return n != null && n.isNumber() ? OptionalDouble.of(n.asDouble()) : OptionalDouble.empty();
    }

    private static OptionalInt optionalInt(JsonNode n) {
        return n != null && n.canConvertToInt() && n.isNumber() ? OptionalInt.of(n.asInt()) : OptionalInt.empty();
    }

    private static final class PassportDraft {
        final String id;
        final String yaml;
        final Set<String> tasks = new LinkedHashSet<>();
        int episodes;

        PassportDraft(String id, String yaml) {
            this.id = id;
            this.yaml = yaml;
        }
    }
}
