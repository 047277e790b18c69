package dev.ale.runs.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import dev.ale.runs.credit.Credit;
import dev.ale.runs.credit.GroupCredit;
import dev.ale.episode.reward.Reward;
import dev.ale.episode.trajectory.TrajectoryLine;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's episodes as training data: one JSON object per episode with the conversation in
 * OpenAI form ({@code messages}, loadable as a chat dataset by common trainers), its reward and
 * group-relative advantage, and per step the reward, discounted return and advantage. Groups are
 * the trainer's own where an episode names one ({@code group}, from a GEM make or reset), else the
 * samples of one task (and one iteration, in training runs). Episodes the infrastructure
 * ended have no reward and are left out.
 */
public final class Dataset {

    /** The file name a run's dataset gets in its directory. */
    public static final String FILE = "dataset.jsonl";
    private static final ObjectMapper LINES = new ObjectMapper();

    private Dataset() {
    }

    /** Writes the rows as JSON lines (written whole to a temporary file, then moved into place). */
    public static void write(Path file, List<ObjectNode> rows) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (ObjectNode row : rows) {
                w.write(LINES.writeValueAsString(row));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot write " + file + ": " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The rows of a run's episode lines, each read through {@link TrajectoryLine}; a line it cannot read throws IllegalArgumentException. */
    public static List<ObjectNode> of(List<JsonNode> episodes, double gamma) {
        Map<String, List<TrajectoryLine>> groups = new LinkedHashMap<>();
        for (JsonNode json : episodes) {
            TrajectoryLine e = TrajectoryLine.read(json);
            if (e.reward().isEmpty()) continue;
            // a trainer's own group (a GEM episode made with one) is the group; else the task's samples of an iteration and arm
            String group = e.group().isPresent()
                    ? "group#" + e.task() + "#" + e.group().get()
                    : e.task() + "#" + e.iteration().orElse(0) + "#" + e.arm().orElse("");
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(e);
        }
        List<ObjectNode> out = new ArrayList<>();
        for (List<TrajectoryLine> group : groups.values()) {
            List<Credit> credit = GroupCredit.ofGroup(group.stream().map(e -> e.reward().orElseThrow()).toList(), gamma);
            for (int i = 0; i < group.size(); i++) {
                TrajectoryLine e = group.get(i);
                Credit c = credit.get(i);
                Reward r = e.reward().orElseThrow();
                ObjectNode row = JsonNodeFactory.instance.objectNode();
                row.put("episode", e.episode());
                row.put("task", e.task());
                e.iteration().ifPresent(it -> row.put("iteration", it));
                e.arm().ifPresent(a -> row.put("arm", a));
                e.group().ifPresent(g -> row.put("group", g));
                e.sample().ifPresent(n -> row.put("sample", n));
                row.put("policy", e.policy());
                e.passportFingerprint().ifPresent(f -> row.put("passport_fingerprint", f));
                row.set("messages", e.messages());
                row.putObject("reward").put("score", r.score()).put("penalty", r.penalty()).put("killed", r.killed()).put("total", r.total());
                row.put("advantage", c.advantage());
                ArrayNode steps = row.putArray("steps");
                for (int t = 0; t < c.reward().steps().size(); t++) {
                    steps.addObject().put("index", t + 1).put("reward", c.reward().steps().get(t)).put("return", c.stepReturns().get(t))
                            .put("advantage", c.stepAdvantages().get(t));
                }
                out.add(row);
            }
        }
        return out;
    }
}
