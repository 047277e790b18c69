package dev.ale.train;

import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The features of the softmax policy. A state is described by a bias, the task (its id hashed
 * into {@link #TASK_BUCKETS} buckets), the step (bucketed), the previous action, and what the last
 * observation said; an action's features are each of those crossed with the action's id, so the
 * weights hold a per-task, per-situation preference for every action.
 */
final class Features {

    static final int TASK_BUCKETS = 64;
    static final int STEP_BUCKETS = 8;
    private static final Pattern EXIT = Pattern.compile("^exit code (-?\\d+)", Pattern.MULTILINE);

    private Features() {
    }

    /** The state's features: names without the action. */
    static List<String> state(String taskId, int step, Optional<String> previousAction, ModelRequest request) {
        List<String> out = new ArrayList<>();
        out.add("bias");
        out.add("task:" + Math.floorMod(taskId.hashCode(), TASK_BUCKETS));
        out.add("step:" + Math.min(step, STEP_BUCKETS));
        out.add("prev:" + previousAction.orElse("-"));
        out.add("obs:" + observation(request));
        return List.copyOf(out);
    }

    /** φ(s, a): every state feature crossed with the action's id. */
    static List<String> of(List<String> state, String actionId) {
        List<String> out = new ArrayList<>(state.size());
        for (String f : state) out.add("a=" + actionId + "|" + f);
        return List.copyOf(out);
    }

    /** One word for the last tool message: none, killed, blocked, error, empty, exit0 or exit-nonzero (or ok for other tools). */
    static String observation(ModelRequest request) {
        Optional<ChatMessage> last = Optional.empty();
        for (ChatMessage m : request.messages()) if (m.role() == ChatMessage.Role.TOOL) last = Optional.of(m);
        if (last.isEmpty()) return "none";
        String text = last.get().content();
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("[ale] killed") || lower.contains("the sandbox was killed")) return "killed";
        if (lower.contains("[ale] blocked")) return "blocked";
        if (lower.contains("[ale] error")) return "error";
        if (text.isBlank()) return "empty";
        Matcher exit = EXIT.matcher(text);
        if (exit.find()) {
            if (!exit.group(1).equals("0")) return "exit-nonzero";
            return text.contains("stdout:") || text.contains("stderr:") ? "exit0" : "exit0-silent";
        }
        return "ok";
    }
}
