package dev.ale.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.passport.Passport;
import dev.ale.core.task.Task;
import dev.ale.episode.reward.Rewards;
import dev.ale.episode.trajectory.TrajectoryJson;
import dev.ale.episode.trajectory.TrajectoryLine;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A run's directory, {@code <out>/<run-id>/}: {@code run.json} says what was asked (enough to
 * start it again), {@code episodes.jsonl} gets one line per finished episode, written whole and
 * synced to disk before the run counts the episode as done. That file is the run's journal: a
 * run killed at any moment is resumed from it, a line cut short by the kill is dropped (its
 * episode runs again), and an episode whose line is there never runs twice.
 */
public final class RunStore implements AutoCloseable {

    public static final String EPISODES = "episodes.jsonl";
    public static final String RUN = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final ObjectNode run;
    private final Set<String> done;
    private final FileChannel channel;
    private final Writer writer;

    private RunStore(Path directory, ObjectNode run, Set<String> done) throws IOException {
        this.directory = directory;
        this.run = run;
        this.done = done;
        this.channel = FileChannel.open(directory.resolve(EPISODES), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        this.writer = Channels.newWriter(channel, StandardCharsets.UTF_8);
    }

    /** A new run id: UTC time to the second and four random hex digits. */
    public static String newRunId() {
        return DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    }

    /**
     * Makes {@code <out>/<runId>} and writes run.json; an existing run directory is an error.
     * {@code policy} holds what it takes to make the policy again on resume (never a secret).
     */
    public static RunStore create(Path out, RunSpec spec, String policyName, ObjectNode policy) {
        Path dir = out.resolve(spec.runId());
        try {
            Files.createDirectories(out);
            Files.createDirectory(dir);
            ObjectNode run = JSON.createObjectNode();
            run.put("run", spec.runId());
            run.put("policy", policyName);
            run.set("policy_options", policy);
            run.put("samples", spec.samples());
            run.put("parallel", spec.parallel());
            if (spec.seed().isPresent()) run.put("seed", spec.seed().getAsLong());
            else run.putNull("seed");
            run.put("started", Instant.now().toString());
            ArrayNode tasks = run.putArray("tasks");
            for (Task t : spec.tasks()) tasks.addObject().put("id", t.id()).put("directory", t.directory().toString());
            Files.writeString(dir.resolve(RUN), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(run) + "\n");
            return new RunStore(dir, run, new LinkedHashSet<>());
        } catch (FileAlreadyExistsException e) {
            throw new AleException(AleException.Fault.INPUT, "run directory " + dir + " already exists; choose another --out or run id");
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot write run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public static RunStore create(Path out, RunSpec spec, String policyName) {
        return create(out, spec, policyName, JSON.createObjectNode().put("policy", policyName));
    }

    /**
     * Opens an existing run to finish it. A last line without its newline (the process died while
     * writing it) is cut off; every whole line's episode counts as done.
     */
    public static RunStore reopen(Path dir) {
        Path runFile = dir.resolve(RUN);
        if (!Files.isRegularFile(runFile)) {
            throw new AleException(AleException.Fault.INPUT, dir + " is not a run directory: it has no " + RUN);
        }
        try {
            JsonNode run = JSON.readTree(runFile.toFile());
            if (!(run instanceof ObjectNode object) || !run.path("run").isTextual()) {
                throw new AleException(AleException.Fault.INPUT, runFile + " is not a run description (no `run` id)");
            }
            Set<String> done = new LinkedHashSet<>();
            Path episodes = dir.resolve(EPISODES);
            if (Files.exists(episodes)) {
                byte[] bytes = Files.readAllBytes(episodes);
                int end = bytes.length;
                while (end > 0 && bytes[end - 1] != '\n') end--;
                if (end < bytes.length) {
                    try (FileChannel ch = FileChannel.open(episodes, StandardOpenOption.WRITE)) {
                        ch.truncate(end);
                        ch.force(true);
                    }
                }
                int number = 0;
                for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
                    number++;
                    if (line.isBlank()) continue;
                    try {
                        done.add(TrajectoryLine.read(line).episode());
                    } catch (IllegalArgumentException bad) {
                        throw new AleException(AleException.Fault.INPUT, episodes + " line " + number + ": " + bad.getMessage(), bad);
                    }
                }
            }
            return new RunStore(dir, object, done);
        } catch (IOException e) {
            throw new AleException(AleException.Fault.INPUT, "cannot read run " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return directory;
    }

    public Path episodesFile() {
        return directory.resolve(EPISODES);
    }

    /** What run.json says. */
    public ObjectNode description() {
        return run.deepCopy();
    }

    /** Episodes already on disk when the store was opened. */
    public Set<String> done() {
        return Set.copyOf(done);
    }

    /**
     * Appends the episode's line: its reward unless the infrastructure ended it, the earlier
     * attempts the infrastructure failed ({@code retried}), and {@code extra} fields at its top
     * level (a trainer's {@code iteration}, {@code arm}, {@code hack}); an extra field may not
     * replace one of the episode's own.
     */
    public synchronized void append(Trajectory t, Passport passport, List<String> retried, Map<String, ?> extra) {
        try {
            // an episode the infrastructure ended earned nothing either way: it has no reward
            ObjectNode line = t.end().agentsDoing()
                    ? TrajectoryJson.toJson(t, passport, Rewards.of(t, passport.detectors()))
                    : TrajectoryJson.toJson(t, passport);
            line.put("attempts", retried.size() + 1);
            ArrayNode failures = line.putArray("retried");
            retried.forEach(failures::add);
            for (Map.Entry<String, ?> e : extra.entrySet()) {
                if (line.has(e.getKey())) throw new IllegalArgumentException("extra field " + e.getKey() + " would replace the episode's own");
                line.set(e.getKey(), JSON.valueToTree(e.getValue()));
            }
            writer.write(JSON.writeValueAsString(line));
            writer.write('\n');
            writer.flush();
            channel.force(false);
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot append to " + episodesFile() + ": " + e.getMessage(), e);
        }
    }

    /** Every episode line on disk, in the order written. */
    public List<JsonNode> lines() {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(episodesFile(), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) out.add(JSON.readTree(line));
            }
            return out;
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot read " + episodesFile() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot close " + episodesFile() + ": " + e.getMessage(), e);
        }
    }
}
