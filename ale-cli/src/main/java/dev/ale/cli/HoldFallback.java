package dev.ale.cli;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.task.Task;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ale run} and {@code ale train} without {@code --allow-holds}: a hold would stall the
 * rollout until its deadline, so every held category of each task's passport takes the passport's
 * hold fallback instead, and the run says so once per passport.
 */
final class HoldFallback {

    private HoldFallback() {
    }

    static List<Task> apply(List<Task> tasks, boolean allowHolds, PrintStream err) {
        if (allowHolds) return tasks;
        List<Task> out = new ArrayList<>(tasks.size());
        List<String> told = new ArrayList<>();
        for (Task t : tasks) {
            List<String> held = new ArrayList<>();
            for (Category c : Category.values()) if (t.passport().detectors().actionFor(c) == Action.HOLD) held.add(c.wire());
            if (held.isEmpty()) {
                out.add(t);
                continue;
            }
            String fallback = t.passport().hold().fallback().name().toLowerCase(Locale.ROOT);
            if (!told.contains(t.passport().id())) {
                told.add(t.passport().id());
                err.println("ale: passport " + t.passport().id() + ": " + String.join(", ", held) + " would hold for an operator;"
                        + " this run takes its fallback (" + fallback + ") instead (--allow-holds keeps holds)");
            }
            out.add(t.withPassport(t.passport().withoutHolds()));
        }
        return List.copyOf(out);
    }
}
