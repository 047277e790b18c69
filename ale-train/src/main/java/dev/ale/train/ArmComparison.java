package dev.ale.train;

import dev.ale.core.task.Task;
import dev.ale.runs.RunProgress;
import dev.ale.runs.RunStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ROME experiment: the softmax policy trained twice from the same seed and the same zero θ,
 * once with the monitor off (every detector an alert with no penalty) and once with the passports
 * as written, into one run directory (metrics and episodes tell the arms apart by {@code arm}).
 * Each arm's final θ goes to {@code checkpoint-<arm>.json}.
 */
public final class ArmComparison {

    public static final List<Arm> ARMS = List.of(Arm.monitorOff(), Arm.monitorOn());

    private final Trainer trainer;

    public ArmComparison(Trainer trainer) {
        this.trainer = trainer;
    }

    public Map<String, Trainer.Result> run(List<Task> tasks, TrainSettings settings, RunStore store, String runId,
                                           RunProgress progress, Trainer.Listener listener) {
        Map<String, Trainer.Result> out = new LinkedHashMap<>();
        for (Arm arm : ARMS) {
            Trainer.Result r = trainer.train(tasks, arm, settings, Weights.ZERO, store, runId, progress, listener);
            Checkpoint.write(store.directory().resolve("checkpoint-" + arm.name() + ".json"), r.weights());
            out.put(arm.name(), r);
        }
        return out;
    }
}
