package dev.ale.train;

import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelRequest;
import dev.ale.core.task.CandidateAction;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The softmax policy's arithmetic and the REINFORCE update, without sandboxes. */
class LearnerTest {

    private static final List<String> ACTIONS = List.of("fix", "cheat", "done");

    private static Decision decisionAt(Weights w, int chosen) {
        List<String> state = Features.state("t", 2, Optional.of("fix"), ModelRequest.of(List.of(ChatMessage.user("x"),
                ChatMessage.tool("c1", "shell", "exit code 1 (0.0 s)\n")), List.of()));
        List<List<String>> features = ACTIONS.stream().map(a -> Features.of(state, a)).toList();
        return new Decision(2, ACTIONS, features, SoftmaxPolicy.probabilities(w, features), chosen);
    }

    private static double logPi(Weights w, Decision d) {
        return Math.log(SoftmaxPolicy.probabilities(w, d.features()).get(d.chosen()));
    }

    @Test
    void theGradientOfLogSoftmaxMatchesAFiniteDifference() {
        SplittableRandom random = new SplittableRandom(7);
        Decision probe = decisionAt(Weights.ZERO, 0);
        Map<String, Double> theta = new HashMap<>();
        for (List<String> fs : probe.features()) for (String f : fs) theta.put(f, random.nextDouble(-1, 1));
        Weights w = new Weights(theta);
        for (int chosen = 0; chosen < ACTIONS.size(); chosen++) {
            Decision d = decisionAt(w, chosen);
            Map<String, Double> g = Learner.gradient(d);
            double eps = 1e-6;
            for (String f : theta.keySet()) {
                Map<String, Double> plus = new HashMap<>(theta);
                plus.merge(f, eps, Double::sum);
                Map<String, Double> minus = new HashMap<>(theta);
                minus.merge(f, -eps, Double::sum);
                double numeric = (logPi(new Weights(plus), d) - logPi(new Weights(minus), d)) / (2 * eps);
                assertThat(g.getOrDefault(f, 0.0)).as("d log pi / d %s, chosen %s", f, ACTIONS.get(chosen)).isCloseTo(numeric, within(1e-6));
            }
        }
    }

    private static double entropy(Weights w, Decision d) {
        double h = 0;
        for (double p : SoftmaxPolicy.probabilities(w, d.features())) h -= p * Math.log(p);
        return h;
    }

    @Test
    void theGradientOfTheEntropyMatchesAFiniteDifference() {
        SplittableRandom random = new SplittableRandom(11);
        Decision probe = decisionAt(Weights.ZERO, 0);
        Map<String, Double> theta = new HashMap<>();
        for (List<String> fs : probe.features()) for (String f : fs) theta.put(f, random.nextDouble(-1, 1));
        Weights w = new Weights(theta);
        Decision d = decisionAt(w, 0);
        Map<String, Double> g = Learner.entropyGradient(d);
        double eps = 1e-6;
        for (String f : theta.keySet()) {
            Map<String, Double> plus = new HashMap<>(theta);
            plus.merge(f, eps, Double::sum);
            Map<String, Double> minus = new HashMap<>(theta);
            minus.merge(f, -eps, Double::sum);
            double numeric = (entropy(new Weights(plus), d) - entropy(new Weights(minus), d)) / (2 * eps);
            assertThat(g.getOrDefault(f, 0.0)).as("dH / d %s", f).isCloseTo(numeric, within(1e-6));
        }
    }

    @Test
    void theEntropyBonusSpreadsAPeakedPolicyEvenWithoutAdvantage() {
        Decision peaked = decisionAt(Weights.ZERO, 0);
        Map<String, Double> theta = new HashMap<>();
        for (String f : peaked.features().get(2)) theta.put(f, 3.0); // "done" far ahead
        Weights w = new Weights(theta);
        Decision d = decisionAt(w, 2);

        Weights after = new Learner(0.5, 1.0).update(w, List.of(new Learner.Sample(List.of(d), 0.0)));

        assertThat(entropy(after, d)).isGreaterThan(entropy(w, d));
        assertThat(new Learner(0.5).update(w, List.of(new Learner.Sample(List.of(d), 0.0)))).isEqualTo(w);
    }

    @Test
    void aPositiveAdvantageRaisesTheChosenActionsProbabilityAndANegativeOneLowersIt() {
        Decision d = decisionAt(Weights.ZERO, 1);
        Learner learner = new Learner(0.5);

        Weights up = learner.update(Weights.ZERO, List.of(new Learner.Sample(List.of(d), 1.0)));
        Weights down = learner.update(Weights.ZERO, List.of(new Learner.Sample(List.of(d), -1.0)));

        assertThat(SoftmaxPolicy.probabilities(up, d.features()).get(1)).isGreaterThan(1.0 / 3);
        assertThat(SoftmaxPolicy.probabilities(down, d.features()).get(1)).isLessThan(1.0 / 3);
    }

    @Test
    void thePolicyIsDeterministicForASeedAndNeverSeesTheHackMark() {
        List<CandidateAction> marked = List.of(new CandidateAction("a", "shell", "{}", false), new CandidateAction("b", "shell", "{}", true));
        List<CandidateAction> unmarked = List.of(new CandidateAction("a", "shell", "{}", false), new CandidateAction("b", "shell", "{}", false));
        ModelRequest request = ModelRequest.of(List.of(ChatMessage.user("x")), List.of());
        SoftmaxPolicy one = new SoftmaxPolicy("t", marked, Weights.ZERO, 42);
        SoftmaxPolicy two = new SoftmaxPolicy("t", unmarked, Weights.ZERO, 42);
        for (int i = 0; i < 20; i++) {
            assertThat(one.next(request).message().toolCalls()).isEqualTo(two.next(request).message().toolCalls());
        }
        assertThat(one.decisions()).isEqualTo(two.decisions());
    }

    @Test
    void theObservationFeatureNamesWhatTheLastToolMessageSaid() {
        assertThat(observation("[ALE] blocked by rule tamper.protected.named (tamper): ...")).isEqualTo("blocked");
        assertThat(observation("exit code 0 (0.1 s)\n[ALE] killed by rule mining.stratum (mining): x\n")).isEqualTo("killed");
        assertThat(observation("[ALE] error: no such file")).isEqualTo("error");
        assertThat(observation("exit code 2 (0.1 s)\nstderr:\nno\n")).isEqualTo("exit-nonzero");
        assertThat(observation("exit code 0 (0.1 s)\nstdout:\nyes\n")).isEqualTo("exit0");
        assertThat(observation("")).isEqualTo("empty");
        assertThat(Features.observation(ModelRequest.of(List.of(ChatMessage.user("x")), List.of()))).isEqualTo("none");
    }

    private static String observation(String text) {
        return Features.observation(ModelRequest.of(List.of(ChatMessage.user("x"), ChatMessage.tool("c", "shell", text)), List.of()));
    }

    @Test
    void aCheckpointReadsBackToTheSameWeights(@TempDir Path tmp) {
        Weights w = new Weights(Map.of("a=x|bias", 0.25, "a=y|task:3", -1.5e-3));
        Checkpoint.write(tmp.resolve("c.json"), w);

        assertThat(Checkpoint.read(tmp.resolve("c.json"))).isEqualTo(w);
    }
}
