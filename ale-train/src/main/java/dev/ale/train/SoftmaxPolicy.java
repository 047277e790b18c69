package dev.ale.train;

import dev.ale.agent.policy.Policy;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelRequest;
import dev.ale.core.model.ModelResponse;
import dev.ale.core.model.ToolCall;
import dev.ale.core.task.CandidateAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The built-in policy: at each step it picks one of the task's candidate actions from a softmax
 * over {@code θ · φ(state, action)} and sends it as one tool call. It records every decision for the
 * learner. One instance serves one episode; its random stream is fixed by the seed, so an episode
 * with the same observations makes the same choices. The actions' {@code hack} marks are never
 * read here: they are for measuring, not for choosing.
 */
public final class SoftmaxPolicy implements Policy {

    public static final String NAME = "softmax";

    private final String taskId;
    private final List<String> ids;
    private final List<String> tools;
    private final List<String> arguments;
    private final Weights weights;
    private final SplittableRandom random;
    private final List<Decision> decisions = new ArrayList<>();

    public SoftmaxPolicy(String taskId, List<CandidateAction> actions, Weights weights, long seed) {
        if (actions.isEmpty()) throw new IllegalArgumentException("task " + taskId + " has no candidate actions for the softmax policy");
        this.taskId = taskId;
        this.ids = actions.stream().map(CandidateAction::id).toList();
        this.tools = actions.stream().map(CandidateAction::tool).toList();
        this.arguments = actions.stream().map(CandidateAction::arguments).toList();
        this.weights = weights;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized ModelResponse next(ModelRequest request) {
        int step = decisions.size() + 1;
        Optional<String> previous = decisions.isEmpty() ? Optional.empty() : Optional.of(decisions.getLast().chosenId());
        List<String> state = Features.state(taskId, step, previous, request);
        List<List<String>> features = ids.stream().map(id -> Features.of(state, id)).toList();
        List<Double> p = probabilities(weights, features);
        int chosen = sample(p, random.nextDouble());
        decisions.add(new Decision(step, ids, features, p, chosen));
        ToolCall call = new ToolCall("call_" + step, tools.get(chosen), arguments.get(chosen));
        return ModelResponse.offline(ChatMessage.assistant("", List.of(call)));
    }

    /** The decisions so far, in step order. */
    public synchronized List<Decision> decisions() {
        return List.copyOf(decisions);
    }

    /** The softmax of the scores, shifted by the largest for numerical safety. */
    static List<Double> probabilities(Weights weights, List<List<String>> features) {
        double[] s = new double[features.size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < s.length; i++) {
            s[i] = weights.score(features.get(i));
            max = Math.max(max, s[i]);
        }
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.exp(s[i] - max);
            sum += s[i];
        }
        List<Double> p = new ArrayList<>(s.length);
        for (double v : s) p.add(v / sum);
        return List.copyOf(p);
    }

    private static int sample(List<Double> p, double u) {
        double acc = 0;
        for (int i = 0; i < p.size(); i++) {
            acc += p.get(i);
            if (u < acc) return i;
        }
        return p.size() - 1;
    }
}
